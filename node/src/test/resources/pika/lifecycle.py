"""Message lifecycle with pika 1.x (issue 13): TTLs, queue expiry, length limits, dead-lettering and the
delivery limit, each scenario asserting what a pika application sees. Run: lifecycle.py PORT NAME
CONSUMER_PORT; prints OK and exits 0 when the scenario held. Publishers use PORT, consumers CONSUMER_PORT, so
on a cluster every message crosses nodes. Every wait is bounded: consumers wait with pika's inactivity
timeout, and the one poll (queue expiry) has a deadline."""
import sys
import time

import pika
import pika.exceptions

PORT = int(sys.argv[1])
NAME = sys.argv[2]
CONSUMER_PORT = int(sys.argv[3])
WAIT_SECONDS = 60


def connect(consumer=False):
    return pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1', CONSUMER_PORT if consumer else PORT,
                                                             heartbeat=30, blocked_connection_timeout=30))


def publisher():
    ch = connect().channel()
    ch.confirm_delivery()
    return ch


def next_message(ch, queue, auto_ack=True):
    """The next message of queue, waiting for it up to WAIT_SECONDS."""
    for method, properties, body in ch.consume(queue, auto_ack=auto_ack, inactivity_timeout=WAIT_SECONDS):
        assert method is not None, f"nothing reached {queue} within {WAIT_SECONDS} s"
        ch.cancel()
        return method, properties, body


def count(queue):
    conn = connect(consumer=True)
    n = conn.channel().queue_declare(queue=queue, passive=True).method.message_count
    conn.close()
    return n


def retry_with_ttl_and_dead_letter_exchange():
    """The retry pattern: a rejected job waits in a TTL queue and comes back, its deaths counted in x-death."""
    ch = publisher()
    ch.exchange_declare('lc-retry-x', 'fanout', durable=True)
    ch.queue_declare('lc-work', durable=True, arguments={'x-queue-type': 'quorum',
                                                         'x-dead-letter-exchange': 'lc-retry-x'})
    ch.queue_declare('lc-wait', durable=True, arguments={'x-queue-type': 'quorum', 'x-message-ttl': 100,
                                                         'x-dead-letter-exchange': ''})
    ch.queue_bind('lc-wait', 'lc-retry-x')
    ch.basic_publish('', 'lc-work', b'job', pika.BasicProperties(delivery_mode=2, headers={'attempt': 1}))
    worker = connect(consumer=True).channel()
    for attempt in (1, 2):
        method, properties, body = next_message(worker, 'lc-work', auto_ack=False)
        assert body == b'job', body
        worker.basic_reject(method.delivery_tag, requeue=False)
    method, properties, body = next_message(worker, 'lc-work')
    deaths = properties.headers['x-death']
    assert [(d['queue'], d['reason'], d['count']) for d in deaths] == \
        [('lc-wait', 'expired', 2), ('lc-work', 'rejected', 2)], deaths
    assert properties.headers['x-first-death-reason'] == 'rejected', properties.headers
    assert properties.headers['attempt'] == 1, properties.headers
    assert method.exchange == '' and method.routing_key == 'lc-work', method


def per_message_expiration_dead_lettered():
    ch = publisher()
    ch.queue_declare('lc-expired-target', durable=True)
    ch.queue_declare('lc-expiring', durable=True, arguments={'x-dead-letter-exchange': '',
                                                             'x-dead-letter-routing-key': 'lc-expired-target'})
    ch.basic_publish('', 'lc-expiring', b'late', pika.BasicProperties(expiration='100'))
    reader = connect(consumer=True).channel()
    method, properties, body = next_message(reader, 'lc-expired-target')
    assert body == b'late'
    assert properties.expiration is None, properties
    death = properties.headers['x-death'][0]
    assert death['reason'] == 'expired' and death['original-expiration'] == '100', death
    assert method.routing_key == 'lc-expired-target', method
    assert count('lc-expiring') == 0


def max_length_drop_head_dead_letters_the_oldest():
    ch = publisher()
    ch.queue_declare('lc-bounded-dlq', durable=True)
    ch.queue_declare('lc-bounded', durable=True, arguments={'x-queue-type': 'quorum', 'x-max-length': 2,
                                                            'x-dead-letter-exchange': '',
                                                            'x-dead-letter-routing-key': 'lc-bounded-dlq'})
    for body in (b'1', b'2', b'3'):
        ch.basic_publish('', 'lc-bounded', body)
    reader = connect(consumer=True).channel()
    method, properties, body = next_message(reader, 'lc-bounded-dlq')
    assert body == b'1' and properties.headers['x-death'][0]['reason'] == 'maxlen', (body, properties)
    assert count('lc-bounded') == 2


def reject_publish_nacks_the_publisher():
    ch = publisher()
    ch.queue_declare('lc-full', durable=True, arguments={'x-max-length': 1, 'x-overflow': 'reject-publish'})
    ch.basic_publish('', 'lc-full', b'kept')
    try:
        ch.basic_publish('', 'lc-full', b'refused')
        raise AssertionError('a publish past the limit was confirmed')
    except pika.exceptions.NackError:
        pass
    assert count('lc-full') == 1


def delivery_limit_dead_letters_a_poison_message():
    ch = publisher()
    ch.queue_declare('lc-poison-dlq', durable=True)
    ch.queue_declare('lc-poison', durable=True, arguments={'x-queue-type': 'quorum', 'x-delivery-limit': 1,
                                                           'x-dead-letter-exchange': '',
                                                           'x-dead-letter-routing-key': 'lc-poison-dlq'})
    ch.basic_publish('', 'lc-poison', b'poison')
    worker = connect(consumer=True).channel()
    counts = []
    for _ in range(2):
        method, properties, body = next_message(worker, 'lc-poison', auto_ack=False)
        counts.append((properties.headers or {}).get('x-delivery-count'))
        worker.basic_nack(method.delivery_tag, requeue=True)
    # how often it came back; RabbitMQ 3.10 adds none to a consumer's first delivery (basic.get's has 0)
    assert counts == [None, 1], counts
    method, properties, body = next_message(worker, 'lc-poison-dlq')
    assert properties.headers['x-death'][0]['reason'] == 'delivery_limit', properties.headers
    assert count('lc-poison') == 0


def queue_expiry_deletes_an_unused_queue():
    ch = publisher()
    # quorum: a passive declare (the look below) is no use of a quorum queue, while it is of a classic one
    ch.queue_declare('lc-expires', durable=True, arguments={'x-queue-type': 'quorum', 'x-expires': 300})
    ch.basic_publish('', 'lc-expires', b'gone with its queue')
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        conn = connect(consumer=True)
        try:
            conn.channel().queue_declare(queue='lc-expires', passive=True)
        except pika.exceptions.ChannelClosedByBroker as e:
            assert e.reply_code == 404, e
            return
        finally:
            if conn.is_open:
                conn.close()
        assert time.monotonic() < deadline, 'lc-expires was not deleted'
        ch.connection.process_data_events(time_limit=0.5)  # a bounded wait between looks


def consumer_timeout_closes_the_channel():
    """Needs a broker with a consumer timeout of 1 s (ConsumerTimeoutClientTest starts one)."""
    ch = publisher()
    ch.queue_declare('lc-slow', durable=True, arguments={'x-queue-type': 'quorum'})
    ch.basic_publish('', 'lc-slow', b'never acked')
    conn = connect(consumer=True)
    worker = conn.channel()
    worker.basic_consume('lc-slow', lambda c, method, properties, body: None, auto_ack=False)
    conn.call_later(2 * WAIT_SECONDS, worker.stop_consuming)  # RabbitMQ 3.10 checks about once a minute
    try:
        worker.start_consuming()
        raise AssertionError('the channel was not closed for its unacknowledged delivery')
    except pika.exceptions.ChannelClosedByBroker as closed:
        assert closed.reply_code == 406, closed
        assert 'delivery acknowledgement on channel' in closed.reply_text and 'timed out' in closed.reply_text, \
            closed
    assert count('lc-slow') == 1, 'the message went back to its queue'


SCENARIOS = {name: fn for name, fn in globals().items() if callable(fn) and fn.__module__ == '__main__'
             and name not in ('connect', 'publisher', 'next_message', 'count')}

if __name__ == '__main__':
    SCENARIOS[NAME]()
    print('OK')
