import pika, os
port=int(os.environ.get('PROBE_PORT','5711'))
c=pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1',port))
ch=c.channel()
ch.queue_delete('dc-q')
ch.queue_declare('dc-q',durable=True,arguments={'x-queue-type':'quorum'})
ch.basic_publish('','dc-q',b'a')
ch.basic_publish('','dc-q',b'b',pika.BasicProperties(headers={'h':1}))
m,p,b=ch.basic_get('dc-q'); print('get 1st', p.headers); ch.basic_nack(m.delivery_tag, requeue=True)
m,p,b=ch.basic_get('dc-q'); print('get 2nd (b)', p.headers); ch.basic_nack(m.delivery_tag, requeue=True)
for m,p,b in ch.consume('dc-q', inactivity_timeout=2):
    if m is None: break
    print('consume', b, p.headers, m.redelivered); ch.basic_nack(m.delivery_tag, requeue=False)
ch.cancel()
ch.basic_publish('','dc-q',b'c')
for m,p,b in ch.consume('dc-q', inactivity_timeout=2):
    if m is None: break
    print('consume fresh', b, p.headers); ch.basic_ack(m.delivery_tag)
ch.cancel()
ch.basic_publish('','dc-q',b'd')
m,p,b=ch.basic_get('dc-q'); print('get fresh', p.headers); ch.basic_ack(m.delivery_tag)
c.close()
