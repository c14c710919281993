import os, pika, time, sys
conn = pika.BlockingConnection(pika.ConnectionParameters(port=int(os.environ.get("PROBE_PORT", "5711"))))
ch = conn.channel()
qt = sys.argv[1]
def fresh(name, args):
    ch.queue_delete(name)
    ch.queue_declare(name, durable=True, arguments=dict(args, **{"x-queue-type": qt}))
def get(q):
    for i in range(50):
        m, p, b = ch.basic_get(q, auto_ack=False)
        if m: return m, p, b
        time.sleep(0.05)
    return None, None, None
ch.exchange_declare("retryx", "fanout", durable=True)
fresh("w"+qt, {"x-dead-letter-exchange": "retryx"})
fresh("r"+qt, {"x-message-ttl": 50, "x-dead-letter-exchange": ""})
ch.queue_bind("r"+qt, "retryx")
ch.basic_publish("", "w"+qt, b"job")
for round in range(3):
    m, p, b = get("w"+qt)
    print("round", round, m.exchange, m.routing_key, m.redelivered, p.headers)
    ch.basic_reject(m.delivery_tag, requeue=False)
ch.basic_ack(m.delivery_tag) if False else None
# cycle: self-expiring queue
fresh("c"+qt, {"x-message-ttl": 50, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "c"+qt})
ch.basic_publish("", "c"+qt, b"cyc")
time.sleep(1)
print("self-cycle count", ch.queue_declare("c"+qt, passive=True).method.message_count)
# two-queue cycle
fresh("c1"+qt, {"x-message-ttl": 50, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "c2"+qt})
fresh("c2"+qt, {"x-message-ttl": 50, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "c1"+qt})
ch.basic_publish("", "c1"+qt, b"cyc2")
time.sleep(1)
print("two-cycle counts", ch.queue_declare("c1"+qt, passive=True).method.message_count, ch.queue_declare("c2"+qt, passive=True).method.message_count)
# missing DLX
fresh("m"+qt, {"x-dead-letter-exchange": "nosuch"})
ch.basic_publish("", "m"+qt, b"x")
m, p, b = get("m"+qt); ch.basic_reject(m.delivery_tag, requeue=False)
time.sleep(0.3)
print("missing dlx count", ch.queue_declare("m"+qt, passive=True).method.message_count)
# nack multiple, requeue false, routed to queue 'd'
fresh("d"+qt, {})
fresh("n"+qt, {"x-dead-letter-exchange": "", "x-dead-letter-routing-key": "d"+qt})
for i in range(3): ch.basic_publish("", "n"+qt, b"n%d" % i)
tags = [get("n"+qt)[0].delivery_tag for i in range(3)]
ch.basic_nack(tags[-1], multiple=True, requeue=False)
time.sleep(0.3)
print("nack multiple ->", [get("d"+qt)[2] for i in range(3)])
# purge / delete do not dead-letter
for i in range(2): ch.basic_publish("", "n"+qt, b"p%d" % i)
time.sleep(0.2)
ch.queue_purge("n"+qt)
time.sleep(0.3)
print("after purge dead has", ch.queue_declare("d"+qt, passive=True).method.message_count)
for q in ["w","r","c","c1","c2","m","d","n"]: ch.queue_delete(q+qt)
