"""The six RabbitMQ tutorials as taught for pika 1.x, plus a headers-exchange example, each asserting
what it received. Run: tutorials.py PORT NAME [CONSUMER_PORT]; prints OK and exits 0 when the scenario held.
Publishers connect to PORT and consumers to CONSUMER_PORT (default PORT), so on a cluster every message
crosses from one node to another.
Every wait is bounded (pika's BlockingConnection timeouts), none is a bare sleep."""
import sys
import threading
import uuid

import pika

PORT = int(sys.argv[1])
NAME = sys.argv[2]
CONSUMER_PORT = int(sys.argv[3]) if len(sys.argv) > 3 else PORT


def connect(consumer=False):
    port = CONSUMER_PORT if consumer else PORT
    return pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1', port, heartbeat=30,
                                                             blocked_connection_timeout=30))


def publish(exchange, routing_key, body, properties=None):
    """Publishes from a connection of its own, on the publisher's side, with confirms."""
    conn = connect()
    ch = conn.channel()
    ch.confirm_delivery()
    ch.basic_publish(exchange=exchange, routing_key=routing_key, body=body, properties=properties)
    conn.close()


def drain(channel, queue, count, auto_ack=True, timeout=20):
    """Consumes exactly count messages from queue (or fails after timeout seconds)."""
    got = []
    for method, properties, body in channel.consume(queue, auto_ack=auto_ack, inactivity_timeout=timeout):
        assert method is not None, f"timed out on {queue} after {got}"
        got.append((method, properties, body))
        if len(got) == count:
            break
    channel.cancel()
    return got


def hello_world():
    sender = connect()
    ch = sender.channel()
    ch.queue_declare(queue='hello')
    ch.basic_publish(exchange='', routing_key='hello', body='Hello World!')
    sender.close()
    receiver = connect(consumer=True)
    rch = receiver.channel()
    rch.queue_declare(queue='hello')
    [(method, _, body)] = drain(rch, 'hello', 1)
    assert body == b'Hello World!', body
    assert method.routing_key == 'hello'
    receiver.close()


def work_queues_publish():
    conn = connect()
    ch = conn.channel()
    ch.queue_declare(queue='task_queue', durable=True)
    ch.confirm_delivery()
    for i in range(10):
        ch.basic_publish(exchange='', routing_key='task_queue', body=f'task {i}'.encode(),
                         properties=pika.BasicProperties(delivery_mode=2))
    conn.close()


def work_queues():
    work_queues_publish()
    # Fair dispatch with prefetch 1: a busy worker holding one unacked task gets nothing more.
    busy = connect(consumer=True)
    bch = busy.channel()
    bch.basic_qos(prefetch_count=1)
    held = drain_one_unacked(bch)
    free = connect(consumer=True)
    fch = free.channel()
    fch.basic_qos(prefetch_count=1)
    done = []
    for method, _, body in fch.consume('task_queue', inactivity_timeout=20):
        assert method is not None, f"free worker starved after {done}"
        done.append(body)
        fch.basic_ack(method.delivery_tag)
        if len(done) == 9:
            break
    fch.cancel()
    assert len(done) == 9 and held not in done, (held, done)
    # The busy worker dies without acking: its task is redelivered to the other worker.
    busy.close()
    [(method, _, body)] = drain(fch, 'task_queue', 1, auto_ack=False)
    assert body == held and method.redelivered, (body, held, method)
    fch.basic_ack(method.delivery_tag)
    assert fch.queue_declare('task_queue', durable=True, passive=True).method.message_count == 0
    free.close()


def drain_one_unacked(ch):
    for method, _, body in ch.consume('task_queue', inactivity_timeout=20):
        assert method is not None, "no task for the busy worker"
        return body


def work_queues_before_restart():
    work_queues_publish()


def work_queues_after_restart():
    conn = connect(consumer=True)
    ch = conn.channel()
    ok = ch.queue_declare(queue='task_queue', durable=True)
    assert ok.method.message_count == 10, ok.method
    got = drain(ch, 'task_queue', 10, auto_ack=False)
    assert [b for _, _, b in got] == [f'task {i}'.encode() for i in range(10)], got
    for method, properties, _ in got:
        assert properties.delivery_mode == 2
        ch.basic_ack(method.delivery_tag)
    conn.close()


def publish_subscribe():
    conn = connect(consumer=True)
    ch = conn.channel()
    ch.exchange_declare(exchange='logs', exchange_type='fanout')
    queues = []
    for _ in range(2):
        result = ch.queue_declare(queue='', exclusive=True)
        name = result.method.queue
        assert name.startswith('amq.gen-'), name
        ch.queue_bind(exchange='logs', queue=name)
        queues.append(name)
    other = connect(consumer=True)
    try:
        other.channel().queue_declare(queue=queues[0], passive=True)
        raise AssertionError("an exclusive queue was visible to another connection")
    except pika.exceptions.ChannelClosedByBroker as e:
        assert e.reply_code == 405, e
    other.close()
    pub = connect()
    pch = pub.channel()
    for i in range(3):
        pch.basic_publish(exchange='logs', routing_key='', body=f'log {i}'.encode())
    pub.close()
    for name in queues:
        got = drain(ch, name, 3)
        assert [b for _, _, b in got] == [b'log 0', b'log 1', b'log 2'], got
    conn.close()
    check = connect(consumer=True)
    try:
        check.channel().queue_declare(queue=queues[0], passive=True)
        raise AssertionError("exclusive queue survived its connection")
    except pika.exceptions.ChannelClosedByBroker as e:
        assert e.reply_code == 404, e
    check.close()


def routing():
    conn = connect(consumer=True)
    ch = conn.channel()
    ch.exchange_declare(exchange='direct_logs', exchange_type='direct')
    errors = ch.queue_declare(queue='', exclusive=True).method.queue
    everything = ch.queue_declare(queue='', exclusive=True).method.queue
    ch.queue_bind(exchange='direct_logs', queue=errors, routing_key='error')
    for severity in ['info', 'warning', 'error']:
        ch.queue_bind(exchange='direct_logs', queue=everything, routing_key=severity)
    for severity in ['info', 'warning', 'error', 'debug']:
        publish('direct_logs', severity, severity.encode())
    assert [b for _, _, b in drain(ch, errors, 1)] == [b'error']
    assert [b for _, _, b in drain(ch, everything, 3)] == [b'info', b'warning', b'error']
    # One key bound to two queues: both get the message.
    ch.queue_bind(exchange='direct_logs', queue=errors, routing_key='black')
    ch.queue_bind(exchange='direct_logs', queue=everything, routing_key='black')
    publish('direct_logs', 'black', b'both')
    assert [b for _, _, b in drain(ch, errors, 1)] == [b'both']
    assert [b for _, _, b in drain(ch, everything, 1)] == [b'both']
    assert ch.queue_declare(queue=errors, passive=True).method.message_count == 0
    conn.close()


def topics():
    conn = connect(consumer=True)
    ch = conn.channel()
    ch.exchange_declare(exchange='topic_logs', exchange_type='topic')
    q1 = ch.queue_declare('', exclusive=True).method.queue
    q2 = ch.queue_declare('', exclusive=True).method.queue
    ch.queue_bind(exchange='topic_logs', queue=q1, routing_key='*.orange.*')
    ch.queue_bind(exchange='topic_logs', queue=q2, routing_key='*.*.rabbit')
    ch.queue_bind(exchange='topic_logs', queue=q2, routing_key='lazy.#')
    keys = ['quick.orange.rabbit', 'lazy.orange.elephant', 'quick.orange.fox', 'lazy.brown.fox',
            'lazy.pink.rabbit', 'quick.brown.fox', 'orange', 'quick.orange.new.rabbit', 'lazy.orange.new.rabbit',
            'lazy']
    for key in keys:
        publish('topic_logs', key, key.encode())
    got1 = [b.decode() for _, _, b in drain(ch, q1, 3)]
    got2 = [b.decode() for _, _, b in drain(ch, q2, 6)]
    assert got1 == ['quick.orange.rabbit', 'lazy.orange.elephant', 'quick.orange.fox'], got1
    assert got2 == ['quick.orange.rabbit', 'lazy.orange.elephant', 'lazy.brown.fox', 'lazy.pink.rabbit',
                    'lazy.orange.new.rabbit', 'lazy'], got2
    assert ch.queue_declare(q1, passive=True).method.message_count == 0
    assert ch.queue_declare(q2, passive=True).method.message_count == 0
    conn.close()


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def rpc():
    server_ready = threading.Event()
    stop = threading.Event()
    failures = []

    def server():
        conn = connect(consumer=True)
        ch = conn.channel()
        ch.queue_declare(queue='rpc_queue')
        ch.basic_qos(prefetch_count=1)
        server_ready.set()
        for method, props, body in ch.consume('rpc_queue', inactivity_timeout=1):
            if stop.is_set():
                break
            if method is None:
                continue
            response = fib(int(body))
            ch.basic_publish(exchange='', routing_key=props.reply_to,
                             properties=pika.BasicProperties(correlation_id=props.correlation_id),
                             body=str(response))
            ch.basic_ack(method.delivery_tag)
        conn.close()

    def client(n, results):
        try:
            conn = connect()
            ch = conn.channel()
            callback = ch.queue_declare(queue='', exclusive=True).method.queue
            corr = str(uuid.uuid4())
            ch.basic_publish(exchange='', routing_key='rpc_queue',
                             properties=pika.BasicProperties(reply_to=callback, correlation_id=corr),
                             body=str(n))
            [(_, props, body)] = drain(ch, callback, 1)
            assert props.correlation_id == corr, (props.correlation_id, corr)
            results[n] = int(body)
            conn.close()
        except Exception as e:  # reported by the main thread
            failures.append(repr(e))

    thread = threading.Thread(target=server, daemon=True)
    thread.start()
    assert server_ready.wait(20), "rpc server did not start"
    results = {}
    clients = [threading.Thread(target=client, args=(n, results)) for n in [5, 10, 15, 20]]
    for t in clients:
        t.start()
    for t in clients:
        t.join(60)
    stop.set()
    thread.join(30)
    assert not failures, failures
    assert results == {n: fib(n) for n in [5, 10, 15, 20]}, results


def headers():
    conn = connect(consumer=True)
    ch = conn.channel()
    ch.exchange_declare(exchange='headers_logs', exchange_type='headers')
    q_all = ch.queue_declare('', exclusive=True).method.queue
    q_any = ch.queue_declare('', exclusive=True).method.queue
    ch.queue_bind(q_all, 'headers_logs', arguments={'x-match': 'all', 'format': 'pdf', 'type': 'report'})
    ch.queue_bind(q_any, 'headers_logs', arguments={'x-match': 'any', 'format': 'pdf', 'type': 'log'})
    messages = [({'format': 'pdf', 'type': 'report'}, b'pdf report'),
                ({'format': 'zip', 'type': 'log'}, b'zip log'),
                ({'format': 'zip', 'type': 'report'}, b'zip report')]
    for hdrs, body in messages:
        publish('headers_logs', '', body, pika.BasicProperties(headers=hdrs))
    assert [b for _, _, b in drain(ch, q_all, 1)] == [b'pdf report']
    got_any = drain(ch, q_any, 2)
    assert [b for _, _, b in got_any] == [b'pdf report', b'zip log']
    assert got_any[0][1].headers == {'format': 'pdf', 'type': 'report'}, got_any[0][1].headers
    assert ch.queue_declare(q_all, passive=True).method.message_count == 0
    conn.close()


SCENARIOS = {
    'hello_world': hello_world,
    'work_queues': work_queues,
    'work_queues_before_restart': work_queues_before_restart,
    'work_queues_after_restart': work_queues_after_restart,
    'publish_subscribe': publish_subscribe,
    'routing': routing,
    'topics': topics,
    'rpc': rpc,
    'headers': headers,
}

SCENARIOS[NAME]()
print('OK')
