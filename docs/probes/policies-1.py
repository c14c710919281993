import pika, os, sys
port=int(os.environ.get('PROBE_PORT','5711'))
c=pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1',port))
ch=c.channel()
for q,args in [('pol-c',{}),('pol-q',{'x-queue-type':'quorum'}),('pol-c-arg',{'x-max-length':2,'x-overflow':'drop-head'}),('pol-q-arg',{'x-queue-type':'quorum','x-max-length':2,'x-overflow':'drop-head'}), ('pol-c-big',{'x-max-length':10})]:
    ch.queue_delete(q)
    ch.queue_declare(q,durable=True,arguments=args)
ch.confirm_delivery()
for q in ['pol-c','pol-q','pol-c-arg','pol-q-arg','pol-c-big']:
    res=[]
    for i in range(8):
        try:
            ch.basic_publish('',q,str(i).encode()); res.append('a')
        except pika.exceptions.NackError:
            res.append('n')
    n=ch.queue_declare(q,passive=True).method.message_count
    print(q, ''.join(res), n)
c.close()
