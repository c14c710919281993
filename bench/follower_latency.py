#!/usr/bin/python3
"""Publish-with-confirm and basic.get latency on each node of a running cluster, one operation at a time.

A follower serves a get or a confirm only once it has applied the entry, so this shows how soon followers
hear of a commit (docs/performance.md, "Followers hear of a commit at once"). Usage, against
`deploy/local-cluster.sh start`:  bench/follower_latency.py 5672 5673 5674
"""
import statistics
import sys
import time

import pika

ROUNDS = 60
SLOW_S = 0.1


def probe(port):
    connection = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1', port))
    channel = connection.channel()
    channel.queue_declare('follower-latency', durable=True, arguments={'x-queue-type': 'quorum'})
    channel.confirm_delivery()
    publishes, gets = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        channel.basic_publish('', 'follower-latency', b'x', pika.BasicProperties(delivery_mode=2))
        publishes.append(time.perf_counter() - started)
        started = time.perf_counter()
        method, _, _ = channel.basic_get('follower-latency', auto_ack=True)
        gets.append(time.perf_counter() - started)
        if method is None:
            sys.exit(f"port {port}: the confirmed message was not there to get")
        time.sleep(0.05)
    connection.close()
    slow = sum(1 for p, g in zip(publishes, gets) if p > SLOW_S or g > SLOW_S)
    print(f"port {port}: publish+confirm median {statistics.median(publishes) * 1000:.1f} ms"
          f" max {max(publishes) * 1000:.1f} ms; get median {statistics.median(gets) * 1000:.1f} ms"
          f" max {max(gets) * 1000:.1f} ms; {slow} of {ROUNDS} pairs over {SLOW_S * 1000:.0f} ms")


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for argument in sys.argv[1:]:
        probe(int(argument))
