import os, pika, time, sys
def chan():
    conn = pika.BlockingConnection(pika.ConnectionParameters(port=int(os.environ.get("PROBE_PORT", "5711"))))
    return conn.channel()
ch = chan()
def tryq(name, args):
    global ch
    try:
        ch.queue_delete(name)
        ch.queue_declare(name, durable=True, arguments=args)
        print(name, args, "-> ok")
    except Exception as e:
        print(name, args, "->", e)
        ch = chan()
tryq("v1", {"x-dead-letter-exchange": 5})
tryq("v2", {"x-dead-letter-routing-key": "k"})
tryq("v3", {"x-dead-letter-exchange": "dlx", "x-dead-letter-routing-key": 7})
tryq("v4", {"x-queue-type": "quorum", "x-dead-letter-strategy": "at-least-once", "x-dead-letter-exchange": "dlx"})
tryq("v5", {"x-queue-type": "quorum", "x-dead-letter-strategy": "bogus", "x-dead-letter-exchange": "dlx"})
tryq("v6", {"x-queue-type": "classic", "x-dead-letter-strategy": "at-least-once", "x-dead-letter-exchange": "dlx"})
tryq("v7", {"x-queue-type": "quorum", "x-dead-letter-strategy": 3})
tryq("v8", {"x-queue-type": "quorum", "x-dead-letter-exchange": "amq.nosuch"})
tryq("v9", {"x-queue-type": "quorum", "x-dead-letter-exchange": ""})
tryq("v10", {"x-queue-type": "quorum", "x-dead-letter-exchange": "dlx", "x-dead-letter-routing-key": ""})
tryq("v11", {"x-queue-type": "classic", "x-overflow": "reject-publish-dlx", "x-dead-letter-exchange": "dlx"})
tryq("v12", {"x-queue-type": "quorum", "x-overflow": "reject-publish-dlx", "x-dead-letter-exchange": "dlx"})
tryq("v13", {"x-queue-type": "quorum", "x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish", "x-dead-letter-exchange": "dlx"})
# redeclare compare
ch.queue_delete("v14"); ch.queue_declare("v14", durable=True, arguments={"x-dead-letter-exchange": "a"})
tryq2 = None
try:
    ch.queue_declare("v14", durable=True, arguments={"x-dead-letter-exchange": "b"})
    print("v14 redeclare ok")
except Exception as e:
    print("v14 redeclare", e); ch = chan()
try:
    ch.queue_declare("v14", durable=True, arguments={})
    print("v14 redeclare without ok")
except Exception as e:
    print("v14 redeclare without", e); ch = chan()
for q in ["v%d" % i for i in range(1, 15)]:
    try: ch.queue_delete(q)
    except Exception: ch = chan()
