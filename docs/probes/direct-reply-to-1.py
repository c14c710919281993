import pika, os
port=int(os.environ.get('PROBE_PORT','5711'))
def conn(): return pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1',port))
c=conn(); print('caps', c._impl.server_properties.get('capabilities',{}).get('direct_reply_to'))
ch=c.channel()
# publish with reply_to without consuming
try:
    ch.basic_publish('', 'nowhere', b'x', pika.BasicProperties(reply_to='amq.rabbitmq.reply-to'))
    ch.queue_declare('rt-sync', passive=False)  # force a round trip
    print('publish without consumer: accepted')
except Exception as e: print('publish without consumer:', repr(e))
ch=c.channel()
try:
    ch.basic_consume('amq.rabbitmq.reply-to', lambda *a: None, auto_ack=False)
    print('consume with ack: ok')
except Exception as e: print('consume with ack:', repr(e))
ch=c.channel()
r=ch.queue_declare('amq.rabbitmq.reply-to', passive=True); print('passive declare', r.method)
try:
    ch.queue_declare('amq.rabbitmq.reply-to.bogus', passive=True); print('passive bogus ok')
except Exception as e: print('passive bogus:', repr(e))
ch=c.channel()
got=[]
tag=ch.basic_consume('amq.rabbitmq.reply-to', lambda c_,m,p,b: got.append((m,p,b)), auto_ack=True)
print('reply consumer tag', tag)
ch.queue_declare('rt-req', durable=False)
ch.basic_publish('', 'rt-req', b'question', pika.BasicProperties(reply_to='amq.rabbitmq.reply-to', correlation_id='1'))
srv=conn(); sch=srv.channel()
m,p,b=None,None,None
for m,p,b in sch.consume('rt-req', auto_ack=True, inactivity_timeout=5):
    break
print('server sees reply_to', p.reply_to)
r=sch.queue_declare(p.reply_to, passive=True); print('passive real reply name', r.method)
sch.confirm_delivery()
sch.basic_publish('', p.reply_to, b'answer', pika.BasicProperties(correlation_id='1'))
try:
    sch.basic_publish('', p.reply_to, b'answer2', pika.BasicProperties(correlation_id='1'), mandatory=True)
    print('mandatory reply: confirmed')
except Exception as e: print('mandatory reply:', repr(e))
import time
end=time.time()+3
while time.time()<end: c.process_data_events(time_limit=0.5)
for m2,p2,b2 in got: print('reply', m2, b2, p2.correlation_id)
# second consume on same channel
try:
    ch.basic_consume('amq.rabbitmq.reply-to', lambda *a: None, auto_ack=True); print('second consume ok')
except Exception as e: print('second consume:', repr(e))
c.close()
# after the requester is gone
try:
    sch.basic_publish('', p.reply_to, b'late', mandatory=True); print('late mandatory: confirmed (no return raised)')
except Exception as e: print('late mandatory:', repr(e))
try:
    sch.basic_publish('', p.reply_to, b'late'); print('late: confirmed')
except Exception as e: print('late:', repr(e))
try:
    sch.queue_declare(p.reply_to, passive=True); print('passive after close ok')
except Exception as e: print('passive after close:', repr(e))
