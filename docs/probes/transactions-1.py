"""tx.select / commit / rollback as RabbitMQ 3.10 does them, asked with pika (PROBE_PORT, default 5711)."""
import os
import pika

port = int(os.environ.get('PROBE_PORT', '5711'))


def conn():
    return pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1', port))


c = conn()
ch = c.channel()
ch.queue_delete('tx-q')
ch.queue_declare('tx-q', durable=True)
tx = c.channel()
tx.tx_select()
tx.basic_publish('', 'tx-q', b'a')
tx.basic_publish('', 'tx-q', b'b')
print('before commit, ready:', ch.queue_declare('tx-q', passive=True).method.message_count)
tx.tx_commit()
print('after commit, ready:', ch.queue_declare('tx-q', passive=True).method.message_count)
tx.basic_publish('', 'tx-q', b'c')
tx.tx_rollback()
print('after rollback of c, ready:', ch.queue_declare('tx-q', passive=True).method.message_count)
m, p, b = tx.basic_get('tx-q')
print('got', b, 'tag', m.delivery_tag)
tx.basic_ack(m.delivery_tag)
tx.tx_rollback()
print('after rolled-back ack: ready', ch.queue_declare('tx-q', passive=True).method.message_count)
tx.basic_ack(m.delivery_tag)
tx.tx_commit()
print('after committed ack: ready', ch.queue_declare('tx-q', passive=True).method.message_count,
      'consumers', ch.queue_declare('tx-q', passive=True).method.consumer_count)
m, p, b = tx.basic_get('tx-q')
tx.basic_reject(m.delivery_tag, requeue=True)
print('reject requeue in tx before commit: ready', ch.queue_declare('tx-q', passive=True).method.message_count)
tx.tx_commit()
print('after commit: ready', ch.queue_declare('tx-q', passive=True).method.message_count)
returned = []
tx.add_on_return_callback(lambda *a: returned.append(a))
tx.basic_publish('', 'tx-nowhere', b'r', mandatory=True)
c.process_data_events(time_limit=0.5)
print('mandatory unroutable in tx, returned before commit:', len(returned))
tx.tx_commit()
c.process_data_events(time_limit=0.5)
print('returned after commit:', len(returned))
for name, action in [('publish to a missing exchange', lambda t: t.basic_publish('tx-missing', 'k', b'x')),
                     ('ack of an unknown tag', lambda t: t.basic_ack(99)),
                     ('confirm.select on a tx channel', lambda t: t.confirm_delivery())]:
    t = conn().channel()
    t.tx_select()
    try:
        action(t)
        t.queue_declare('tx-q', passive=True)
        print(name, ': no error before commit')
        t.tx_commit()
        print(name, ': committed')
    except Exception as e:
        print(name, ':', repr(e))
t = conn().channel()
t.confirm_delivery()
try:
    t.tx_select()
except Exception as e:
    print('tx.select on a confirm channel:', repr(e))
t = conn().channel()
try:
    t.tx_commit()
except Exception as e:
    print('commit without select:', repr(e))
t = conn().channel()
t.tx_select()
t.basic_publish('', 'tx-q', b'uncommitted')
t.close()
print('after closing with an uncommitted publish: ready', ch.queue_declare('tx-q', passive=True).method.message_count)
