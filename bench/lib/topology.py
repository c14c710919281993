"""Declares a scenario's queues afresh for bench/run.sh, the same way on Warren and on RabbitMQ.

  topology.py PORT queues NAME...            durable quorum queues, deleted first
  topology.py PORT fanout EXCHANGE NAME...   those queues, bound to a fanout exchange
"""
import sys

import pika


def main():
    port, kind, *names = sys.argv[1:]
    connection = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", int(port)))
    channel = connection.channel()
    exchange = None
    if kind == "fanout":
        exchange, *names = names
        # As PerfTest declares it (not durable), so that its own declare finds the same exchange.
        channel.exchange_declare(exchange, exchange_type="fanout", durable=False)
    elif kind != "queues":
        raise SystemExit(f"topology.py: unknown kind {kind}")
    for name in names:
        channel.queue_delete(name)
        channel.queue_declare(name, durable=True, arguments={"x-queue-type": "quorum"})
        if exchange:
            channel.queue_bind(name, exchange)
    connection.close()


main()
