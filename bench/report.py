"""Reads PerfTest's outputs from bench/run.sh and writes docs/benchmarks.md: each side's publish,
confirm and consume rates and confirm-latency percentiles, and the Warren / RabbitMQ ratio."""
import argparse
import datetime
import os
import platform
import re

SUMMARY_RATE = re.compile(r"(sending|receiving) rate avg: (\d+) msg/s")
SUMMARY_LATENCY = re.compile(r"confirm latency min/median/75th/95th/99th (\d+)/(\d+)/(\d+)/(\d+)/(\d+) (ms|µs)")
RECEIVED = re.compile(r"time:? [\d.]+ s, received: (\d+) msg/s")
INTERVAL = re.compile(r"time:? ([\d.]+) s, sent: (\d+) msg/s, confirmed: (\d+) msg/s, nacked: (\d+) msg/s")


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def side(work, name, duration):
    producer = read(os.path.join(work, f"{name}-producer.out"))
    consumer = read(os.path.join(work, f"{name}-consumer.out"))
    sent = [int(m.group(2)) for m in SUMMARY_RATE.finditer(producer) if m.group(1) == "sending"]
    received = [int(m.group(1)) for m in RECEIVED.finditer(consumer)]
    latency = SUMMARY_LATENCY.search(producer)
    intervals = [tuple(int(x) for x in m.groups()[1:]) for m in INTERVAL.finditer(producer)]
    if not sent or not received or latency is None or not intervals:
        raise SystemExit(f"bench: could not read PerfTest's results for {name}; see {work}/{name}-*.out")
    confirmed = sum(i[1] for i in intervals) / len(intervals)
    nacked = sum(i[2] for i in intervals)
    scale = 1 if latency.group(6) == "ms" else 0.001
    return {
        "sent": sent[0],
        "confirmed": round(confirmed),
        "nacked_total_per_s": nacked,
        # 1 s intervals summed: the messages consumed, over the time the producers ran
        "received": round(sum(received) / duration),
        "latency": [round(int(latency.group(i)) * scale, 1) for i in range(1, 6)],
    }


def ratio(a, b):
    return f"{a / b:.2f}" if b else "n/a"


def main():
    p = argparse.ArgumentParser()
    for name in ["work", "out", "duration", "size", "confirm", "producers", "consumers", "prefetch",
                 "rabbitmq-version", "warren-commit"]:
        p.add_argument("--" + name, required=True)
    a = p.parse_args()
    warren = side(a.work, "warren", int(a.duration))
    rabbit = side(a.work, "rabbitmq", int(a.duration))
    command = (f"bench/run.sh --duration {a.duration} --size {a.size} --confirm {a.confirm} "
               f"--producers {a.producers} --consumers {a.consumers} --prefetch {a.prefetch}")
    flags = (f"-f persistent -s {a.size} -c {a.confirm} -x {a.producers} (producers, node 1) / "
             f"-y {a.consumers} -q {a.prefetch} (consumers, node 2) -u perf-q -p -ms -z {a.duration}")
    rows = [
        ("published (msg/s, avg)", warren["sent"], rabbit["sent"]),
        ("confirmed (msg/s, avg of 1 s intervals)", warren["confirmed"], rabbit["confirmed"]),
        ("consumed (msg/s: messages received / publishing time)", warren["received"], rabbit["received"]),
        ("nacked (messages)", warren["nacked_total_per_s"], rabbit["nacked_total_per_s"]),
    ]
    names = ["min", "median", "75th", "95th", "99th"]
    lines = [
        "# Benchmarks",
        "",
        "Latest run of `bench/run.sh`: RabbitMQ PerfTest with the same flags against a three-node Warren",
        "cluster and a three-node RabbitMQ cluster with a quorum queue, one after the other on the same",
        "machine. Producers connect to node 1, consumers to node 2.",
        "",
        f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {os.cpu_count()} cores, {platform.system()} {platform.release()}; all nodes and PerfTest share it",
        f"- Warren: commit {a.warren_commit}, `deploy/local-cluster.sh start` (3 JVMs, default settings)",
        f"- RabbitMQ: Debian's rabbitmq-server {a.rabbitmq_version}, 3 nodes, `x-queue-type=quorum`",
        f"- Command: `{command}`",
        f"- PerfTest 2.22.1 flags: `{flags}`; the queue `perf-q` is declared durable with",
        "  `x-queue-type=quorum` on both sides before each run",
        "",
        "| measure | Warren | RabbitMQ 3.10 quorum | Warren / RabbitMQ |",
        "|---|---|---|---|",
    ]
    for label, w, r in rows:
        lines.append(f"| {label} | {w} | {r} | {ratio(w, r)} |")
    for i, n in enumerate(names):
        w = warren["latency"][i]
        r = rabbit["latency"][i]
        lines.append(f"| confirm latency {n} (ms) | {w} | {r} | {ratio(w, r)} |")
    lines += [
        "",
        "For rates a ratio above 1 means Warren is faster; for latencies a ratio below 1 does. Targets",
        "come later; this page reports where Warren stands. Raw PerfTest output stays in `bench/target/`.",
        "",
    ]
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


main()
