package io.warren.chaos;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standing backlog (issue 11, point 7): before the faults, {@code count} confirmed persistent messages go
 * into a queue nobody reads during the run, so snapshots, store compaction and catch-up carry real bodies
 * under every nemesis. Each is in the history like any publish (invoke, then ok once confirmed), and the
 * final drain reads them back through a consumer, so the checker finds any that went missing.
 */
final class Backlog {
    private static final Logger log = LoggerFactory.getLogger(Backlog.class);
    static final String QUEUE = "chaos-backlog";
    private static final int CONFIRM_EVERY = 500;

    private Backlog() {}

    /** The body: the id the checker knows the message by, a separator, then padding. */
    static byte[] body(String id, int bytes) {
        byte[] head = (id + "|").getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(head, Math.max(head.length, bytes));
        Arrays.fill(body, head.length, body.length, (byte) 'b');
        return body;
    }

    static String idOf(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        int bar = text.indexOf('|');
        return bar < 0 ? text : text.substring(0, bar);
    }

    static void load(ConnectionFactory factory, List<com.rabbitmq.client.Address> addresses, String at,
            History history, int count, int bodyBytes) throws Exception {
        long started = System.nanoTime();
        try (Connection connection = factory.newConnection(addresses); Channel ch = connection.createChannel()) {
            ch.queueDeclare(QUEUE, true, false, false, null);
            ch.confirmSelect();
            AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
            for (int first = 0; first < count; first += CONFIRM_EVERY) {
                int last = Math.min(count, first + CONFIRM_EVERY);
                for (int i = first; i < last; i++) {
                    String id = "backlog-" + i;
                    history.add("invoke", "publish", "backlog", at, id, 0);
                    ch.basicPublish("", QUEUE, persistent, body(id, bodyBytes));
                }
                ch.waitForConfirmsOrDie(120_000);
                for (int i = first; i < last; i++) {
                    history.add("ok", "publish", "backlog", at, "backlog-" + i, 1);
                }
            }
        }
        log.info("event=backlog_loaded messages={} body_bytes={} ms={}", count, bodyBytes,
                (System.nanoTime() - started) / 1_000_000);
    }

    /** Reads the backlog queue empty through a consumer (a get per message would take minutes). */
    static int drain(ConnectionFactory factory, List<com.rabbitmq.client.Address> addresses, String at,
            History history) throws Exception {
        int drained = 0;
        try (Connection connection = factory.newConnection(addresses); Channel ch = connection.createChannel()) {
            int waiting = ch.queueDeclarePassive(QUEUE).getMessageCount();
            LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
            ch.basicQos(1000);
            ch.basicConsume(QUEUE, false, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties,
                        byte[] body) throws java.io.IOException {
                    // Ack first: once the last message is handed over, the drain acks the rest and closes the
                    // channel, and an ack still to come from here would then fail and close it with an error.
                    if (envelope.getDeliveryTag() % 250 == 0) {
                        ch.basicAck(envelope.getDeliveryTag(), true);
                    }
                    received.add(new Received(body, envelope.isRedeliver()));
                }
            });
            Received got;
            while (drained < waiting && (got = received.poll(60, TimeUnit.SECONDS)) != null) {
                history.delivered("drain", at, idOf(got.body()), got.redelivered());
                drained++;
            }
            ch.basicAck(0, true); // every delivery of the channel, as AMQP defines tag 0 with multiple
            log.info("event=backlog_drained messages={} expected={}", drained, waiting);
        }
        return drained;
    }

    private record Received(byte[] body, boolean redelivered) {}
}
