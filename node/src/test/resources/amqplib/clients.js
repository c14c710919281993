// Node's amqplib as its README and RabbitMQ's tutorials use it, against three nodes: run
// `node clients.js PORT SCENARIO OTHER_PORT`; publishers use PORT, consumers OTHER_PORT, so every message
// crosses nodes. Prints OK and exits 0 when the scenario held. Every wait has a deadline.
'use strict';
const amqp = require('amqplib');
const assert = require('assert');

const [port, scenario, otherPort] = [process.argv[2], process.argv[3], process.argv[4]];
const url = (p) => `amqp://guest:guest@127.0.0.1:${p}`;
const WAIT_MS = 60000;

function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Publishes 100 persistent messages on a confirm channel, waits for every confirm, then a consumer on the
// other node takes them all with manual acks, in order.
async function confirmsAndConsume() {
  const pub = await amqp.connect(url(port));
  const ch = await pub.createConfirmChannel();
  await ch.assertQueue('amqplib-work', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  for (let i = 0; i < 100; i++) {
    ch.sendToQueue('amqplib-work', Buffer.from(`m${i}`), { persistent: true });
  }
  await within(WAIT_MS, ch.waitForConfirms(), 'confirms');
  await pub.close();
  const sub = await amqp.connect(url(otherPort));
  const cch = await sub.createChannel();
  await cch.prefetch(10);
  const got = [];
  await within(WAIT_MS, new Promise((resolve) => {
    cch.consume('amqplib-work', (msg) => {
      got.push(msg.content.toString());
      cch.ack(msg);
      if (got.length === 100) resolve();
    });
  }), 'deliveries');
  assert.deepStrictEqual(got, Array.from({ length: 100 }, (_, i) => `m${i}`));
  await sub.close();
}

// RPC as RabbitMQ's tutorial six for amqplib teaches it (an exclusive reply queue), then over direct reply-to.
async function rpc() {
  const server = await amqp.connect(url(otherPort));
  const sch = await server.createChannel();
  await sch.assertQueue('amqplib-rpc', { durable: false });
  await sch.consume('amqplib-rpc', (msg) => {
    const n = parseInt(msg.content.toString(), 10);
    sch.sendToQueue(msg.properties.replyTo, Buffer.from(String(n * n)), { correlationId: msg.properties.correlationId });
    sch.ack(msg);
  });
  const client = await amqp.connect(url(port));
  const ch = await client.createChannel();
  const { queue } = await ch.assertQueue('', { exclusive: true });
  for (const [replyTo, consumeFrom, noAck] of [[queue, queue, false], ['amq.rabbitmq.reply-to', 'amq.rabbitmq.reply-to', true]]) {
    const answers = new Map();
    const { consumerTag } = await ch.consume(consumeFrom, (msg) => {
      answers.set(msg.properties.correlationId, msg.content.toString());
      if (!noAck) ch.ack(msg);
    }, { noAck });
    for (let n = 1; n <= 5; n++) {
      ch.sendToQueue('amqplib-rpc', Buffer.from(String(n)), { correlationId: `${replyTo}-${n}`, replyTo });
    }
    await within(WAIT_MS, new Promise((resolve) => {
      const check = setInterval(() => { if (answers.size === 5) { clearInterval(check); resolve(); } }, 10);
    }), `answers via ${replyTo}`);
    for (let n = 1; n <= 5; n++) {
      assert.strictEqual(answers.get(`${replyTo}-${n}`), String(n * n));
    }
    await ch.cancel(consumerTag);
  }
  await client.close();
  await server.close();
}

// A channel error reaches amqplib as an error event with RabbitMQ's code, and the connection goes on.
async function channelError() {
  const conn = await amqp.connect(url(port));
  const ch = await conn.createChannel();
  const closed = new Promise((resolve) => ch.on('error', resolve));
  await assert.rejects(ch.checkQueue('amqplib-no-such-queue'), /404/);
  const error = await within(WAIT_MS, closed, 'channel error');
  assert.match(String(error.message), /NOT_FOUND - no queue 'amqplib-no-such-queue'/);
  const again = await conn.createChannel();
  await again.assertQueue('amqplib-after-error', { durable: false });
  await conn.close();
}

const scenarios = { confirms_and_consume: confirmsAndConsume, rpc, channel_error: channelError };
scenarios[scenario]().then(() => { console.log('OK'); process.exit(0); },
  (e) => { console.error(e && e.stack || e); process.exit(1); });
