"""Declares a scenario's queues afresh for bench/run.sh, the same way on Warren and on RabbitMQ.

  topology.py PORT queues NAME...            durable quorum queues, deleted first
  topology.py PORT fanout EXCHANGE NAME...   those queues, bound to a fanout exchange
"""
import sys
import time

import pika

# RabbitMQ 3.10 may refuse to declare a quorum queue just deleted under the same name, while the old
# queue's Ra members are still stopping: 541 INTERNAL_ERROR "cluster_not_formed" (seen in S4's ten
# queues). The declaration is retried on a new connection until this deadline.
RETRY_SECONDS = 60


def connect(port):
    return pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", port))


def declare(port, name, exchange):
    deadline = time.monotonic() + RETRY_SECONDS
    while True:
        connection = connect(port)
        try:
            channel = connection.channel()
            channel.queue_delete(name)
            channel.queue_declare(name, durable=True, arguments={"x-queue-type": "quorum"})
            if exchange:
                channel.queue_bind(name, exchange)
            connection.close()
            return
        except pika.exceptions.ConnectionClosedByBroker as refused:
            if "cluster_not_formed" not in str(refused) or time.monotonic() > deadline:
                raise
            print(f"topology.py: {name}: {refused}; declaring again", file=sys.stderr)
            time.sleep(1)


def main():
    port, kind, *names = sys.argv[1:]
    port = int(port)
    exchange = None
    if kind == "fanout":
        exchange, *names = names
        connection = connect(port)
        # As PerfTest declares it (not durable), so that its own declare finds the same exchange.
        connection.channel().exchange_declare(exchange, exchange_type="fanout", durable=False)
        connection.close()
    elif kind != "queues":
        raise SystemExit(f"topology.py: unknown kind {kind}")
    for name in names:
        declare(port, name, exchange)


main()
