# RabbitMQ 3.10 priority queues as a client sees them: order, levels above the maximum, requeue,
# max-length drop-head, TTL, basic.get, declare-time refusals and redeclare equivalence.
import pika, os
port = int(os.environ.get('PROBE_PORT', '5711'))
c = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1', port))
ch = c.channel()

def fresh(name, **args):
    ch.queue_delete(name)
    ch.queue_declare(name, arguments=args)

def pub(q, body, prio=None, **kw):
    ch.basic_publish('', q, body, pika.BasicProperties(priority=prio, **kw))

def drain(q):
    out = []
    while True:
        m, p, b = ch.basic_get(q, auto_ack=True)
        if m is None:
            return out
        out.append((b.decode(), p.priority))

fresh('pr-order', **{'x-max-priority': 5})
for b, p in [('n0', None), ('p1', 1), ('p5', 5), ('p9', 9), ('p3', 3), ('z0', 0), ('p5b', 5), ('p255', 255)]:
    pub('pr-order', b.encode(), p)
print('order', drain('pr-order'))

fresh('pr-requeue', **{'x-max-priority': 3})
for b, p in [('a1', 1), ('b1', 1), ('c2', 2), ('d0', 0)]:
    pub('pr-requeue', b.encode(), p)
m1, _, b1 = ch.basic_get('pr-requeue')
m2, _, b2 = ch.basic_get('pr-requeue')
print('got', b1, b2)
ch.basic_nack(m2.delivery_tag, requeue=True)
ch.basic_nack(m1.delivery_tag, requeue=True)
print('after requeue', drain('pr-requeue'))

fresh('pr-maxlen', **{'x-max-priority': 3, 'x-max-length': 3})
for b, p in [('a0', 0), ('b3', 3), ('c1', 1), ('d2', 2), ('e0', 0)]:
    pub('pr-maxlen', b.encode(), p)
print('maxlen drop-head', drain('pr-maxlen'))

fresh('pr-maxlen-rp', **{'x-max-priority': 3, 'x-max-length': 2, 'x-overflow': 'reject-publish'})
for b, p in [('a0', 0), ('b3', 3), ('c3', 3)]:
    pub('pr-maxlen-rp', b.encode(), p)
print('maxlen reject-publish', drain('pr-maxlen-rp'))

import time
fresh('pr-ttl', **{'x-max-priority': 3})
pub('pr-ttl', b'hi-long', 3)
pub('pr-ttl', b'lo-short', 0, expiration='200')
pub('pr-ttl', b'lo-long', 0)
time.sleep(0.6)
r = ch.queue_declare('pr-ttl', passive=True)
print('ttl count after 0.6s', r.method.message_count, drain('pr-ttl'))

fresh('pr-zero', **{'x-max-priority': 0})
pub('pr-zero', b'a', 5); pub('pr-zero', b'b', 9); pub('pr-zero', b'c', 0)
print('max 0', drain('pr-zero'))

for v in [256, -1, 'x', 1.5]:
    try:
        ch2 = c.channel()
        ch2.queue_declare('pr-bad', arguments={'x-max-priority': v})
        print('declared with', v)
        ch2.queue_delete('pr-bad')
        ch2.close()
    except Exception as e:
        print('bad', repr(v), e)

ch = c.channel()
fresh('pr-eq', **{'x-max-priority': 4})
for args in [{'x-max-priority': 5}, {}, {'x-max-priority': 4}]:
    try:
        ch3 = c.channel()
        ch3.queue_declare('pr-eq', arguments=args)
        print('redeclare ok', args)
        ch3.close()
    except Exception as e:
        print('redeclare', args, e)
ch = c.channel()
try:
    ch.queue_declare('pr-quorum', durable=True, arguments={'x-queue-type': 'quorum', 'x-max-priority': 4})
except Exception as e:
    print('quorum', e)
c.close()
