"""RPC over direct reply-to with pika 1.x, as RabbitMQ's docs teach it: the client consumes (no-ack) from
amq.rabbitmq.reply-to and publishes requests with reply_to amq.rabbitmq.reply-to; the server answers to the
address it sees. Run: direct_reply_to.py PORT NAME CONSUMER_PORT; the client uses PORT, the server
CONSUMER_PORT, so the reply crosses nodes. Prints OK when every answer came back to its request."""
import sys
import threading

import pika

PORT = int(sys.argv[1])
NAME = sys.argv[2]
SERVER_PORT = int(sys.argv[3])
WAIT_SECONDS = 60


def connect(port):
    return pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1', port, heartbeat=30))


def rpc():
    ready = threading.Event()
    seen = []

    def serve():
        conn = connect(SERVER_PORT)
        ch = conn.channel()
        ch.queue_declare('rpc-fib')
        ready.set()
        for method, properties, body in ch.consume('rpc-fib', inactivity_timeout=WAIT_SECONDS):
            if method is None:
                break
            seen.append(properties.reply_to)
            n = int(body)
            a, b = 0, 1
            for _ in range(n):
                a, b = b, a + b
            ch.basic_publish('', properties.reply_to, str(a).encode(),
                             pika.BasicProperties(correlation_id=properties.correlation_id))
            ch.basic_ack(method.delivery_tag)
            if len(seen) == 5:
                break
        conn.close()

    server = threading.Thread(target=serve)
    server.start()
    assert ready.wait(WAIT_SECONDS), 'the server did not start'
    conn = connect(PORT)
    ch = conn.channel()
    answers = {}
    ch.basic_consume('amq.rabbitmq.reply-to', lambda c, m, p, b: answers.__setitem__(p.correlation_id, int(b)),
                     auto_ack=True)
    for n in range(1, 6):
        ch.basic_publish('', 'rpc-fib', str(n).encode(),
                         pika.BasicProperties(reply_to='amq.rabbitmq.reply-to', correlation_id=str(n)))
    conn.call_later(WAIT_SECONDS, lambda: answers.setdefault('timed out', -1))
    while len(answers) < 5:
        conn.process_data_events(time_limit=1)
    assert answers == {'1': 1, '2': 1, '3': 2, '4': 3, '5': 5}, answers
    assert all(r.startswith('amq.rabbitmq.reply-to.') and len(r) > 30 for r in seen), seen
    conn.close()
    server.join(WAIT_SECONDS)


if __name__ == '__main__':
    {'rpc': rpc}[NAME]()
    print('OK')
