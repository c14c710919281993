import os, pika, time, sys
conn = pika.BlockingConnection(pika.ConnectionParameters(port=int(os.environ.get("PROBE_PORT", "5711"))))
ch = conn.channel()
def fresh(name, args):
    ch.queue_delete(name)
    ch.queue_declare(name, durable=True, arguments=args)
def get(q, n=50):
    for i in range(n):
        m, p, b = ch.basic_get(q, auto_ack=False)
        if m: return m, p, b
        time.sleep(0.05)
    return None, None, None
ch.exchange_delete("alx")
fresh("al", {"x-queue-type": "quorum", "x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish", "x-dead-letter-exchange": "alx"})
ch.basic_publish("", "al", b"a1", pika.BasicProperties(headers={"z": 1, "a": 2}))
m, p, b = get("al"); ch.basic_reject(m.delivery_tag, requeue=False)
time.sleep(0.5)
print("al count after reject, no dlx", ch.queue_declare("al", passive=True).method.message_count)
ch.exchange_declare("alx", "fanout")
fresh("aldead", {"x-queue-type": "quorum"})
ch.queue_bind("aldead", "alx")
t0 = time.time()
m, p, b = get("aldead", 2000)
print("after dlx declared: got", b, "after", round(time.time()-t0,1), "s", p and p.headers)
# at-least-once without reject-publish
fresh("al2", {"x-queue-type": "quorum", "x-dead-letter-strategy": "at-least-once", "x-dead-letter-exchange": "nosuchx"})
ch.basic_publish("", "al2", b"a2")
m, p, b = get("al2"); ch.basic_reject(m.delivery_tag, requeue=False)
time.sleep(0.5)
print("al2 count", ch.queue_declare("al2", passive=True).method.message_count)
# delivery limit reason
fresh("dlq", {"x-queue-type": "quorum"})
fresh("lim", {"x-queue-type": "quorum", "x-delivery-limit": 1, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "dlq"})
ch.basic_publish("", "lim", b"L")
for i in range(2):
    m, p, b = get("lim"); ch.basic_nack(m.delivery_tag, requeue=True)
m, p, b = get("dlq")
print("delivery_limit:", b, p and p.headers)
# reject-publish-dlx classic
fresh("rpd", {"x-max-length": 1, "x-overflow": "reject-publish-dlx", "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "dlq"})
ch.confirm_delivery()
ch.basic_publish("", "rpd", b"R1")
try:
    ch.basic_publish("", "rpd", b"R2")
    print("R2 confirmed?!")
except Exception as e:
    print("R2:", type(e).__name__)
m, p, b = get("dlq")
print("reject-publish-dlx:", b, m and (m.exchange, m.routing_key), p and p.headers)
for q in ["al", "aldead", "al2", "dlq", "lim", "rpd"]: ch.queue_delete(q)
