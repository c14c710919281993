#!/usr/bin/env python3
"""Writes docs/backlog-benchmark.md from bench/backlog.sh's results (one TSV row per node and stage)."""
import argparse
import datetime
import os
import platform

parser = argparse.ArgumentParser()
for flag in ("--results", "--out", "--size", "--stages", "--warmup", "--producers", "--footprint", "--warren-commit",
             "--rabbitmq-version"):
    parser.add_argument(flag, required=True)
args = parser.parse_args()

rows = []
with open(args.results) as f:
    for line in f:
        system, stage, node, published, rate, heap, rss, disk = line.rstrip("\n").split("\t")
        rows.append(dict(system=system, stage=stage, node=node, published=int(published), rate=int(rate or 0),
                         heap=int(heap), rss=int(rss), disk=int(disk)))

systems = [s for s in ("warren", "rabbitmq") if any(r["system"] == s for r in rows)]
names = {"warren": "Warren", "rabbitmq": "RabbitMQ 3.10 quorum"}
stages = ["0"] + args.stages.split(",") + ["restarted", "drained", "idle"]
stage_names = {"idle": "drained, then 90 s idle"}


def per_node(system, stage, key):
    found = [r for r in rows if r["system"] == system and r["stage"] == stage and r["node"].startswith("n")]
    return [r[key] for r in sorted(found, key=lambda r: r["node"])]


def mib(kb):
    return "%.0f" % (kb / 1024)


def single(system, stage):
    found = [r for r in rows if r["system"] == system and r["stage"] == stage and r["node"] == "all"]
    return found[0] if found else None


lines = ["# Backlog benchmark", "",
         "Latest run of `bench/backlog.sh`: persistent messages of %s bytes into one quorum queue on three" % args.size,
         "nodes with no consumer, in stages; after each stage, per node, the heap in use after a full GC",
         "(Warren; `jcmd GC.run` then `GC.heap_info`), the resident set (VmRSS) and the disk used by the",
         "node's data directory. Then every node is restarted with the full backlog (time from the start",
         "command until the queue answers a passive declare with every message) and the queue is drained by",
         "one consumer. Warren and RabbitMQ run one after the other on the same machine with the same",
         "PerfTest flags (%s producers, each with 100 confirms outstanding; manual acks, prefetch 500)."
         % args.producers,
         "Each side's section says when it was measured (`--only` measures one side again and keeps the",
         "other's rows from the run before).", "",
         "- Date: %s UTC" % datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"),
         "- Machine: %d cores, Linux %s; the nodes and PerfTest share it" % (os.cpu_count(), platform.release()),
         "- Warren: commit %s, `deploy/local-cluster.sh start` defaults" % args.warren_commit,
         "- RabbitMQ: Debian's rabbitmq-server %s, 3 nodes, `x-queue-type=quorum`" % args.rabbitmq_version,
         "- Command: `bench/backlog.sh --stages %s --warmup %s --size %s --producers %s`"
         % (args.stages, args.warmup, args.size, args.producers),
         "- Before the first stage, %s messages warm each side up into another queue, deleted before the stages"
         % args.warmup, ""]

for system in systems:
    run = single(system, "run")
    measured = ["Measured %s UTC." % datetime.datetime.utcfromtimestamp(run["published"]).strftime("%Y-%m-%d %H:%M"),
                ""] if run else []
    lines += ["## " + names[system], ""] + measured + [
              "| stage (messages waiting) | publish rate (msg/s) | heap after GC, MiB (n1 / n2 / n3) |"
              " RSS, MiB (n1 / n2 / n3) | disk, MiB (n1 / n2 / n3) |", "|---|---|---|---|---|"]
    for stage in stages:
        heap = per_node(system, stage, "heap")
        if not heap:
            continue
        rate = per_node(system, stage, "rate")[0]
        heap_text = " / ".join(mib(h) for h in heap) if system == "warren" else "n/a"
        lines.append("| %s | %s | %s | %s | %s |" % (stage_names.get(stage, stage), rate or "", heap_text,
                                                     " / ".join(mib(r) for r in per_node(system, stage, "rss")),
                                                     " / ".join(mib(d) for d in per_node(system, stage, "disk"))))
    restart = single(system, "restart")
    drain = single(system, "drain")
    lines.append("")
    if restart:
        lines.append("- Restart of all three nodes with %d messages waiting, until every node serves: %.1f s"
                     % (restart["published"], restart["rate"] / 1000))
    if drain:
        lines.append("- Drain by one consumer: %d msg/s" % drain["rate"])
    snapshots = single(system, "snapshots")
    if snapshots:
        lines.append("- Snapshots taken on the three nodes during the run: %d; the longest pause of apply for one:"
                     " %d ms (`apply_paused_ms` in the `snapshot_taken` lines; target at most 50)"
                     % (snapshots["published"], snapshots["rate"]))
    bounds = [0] + [int(s) for s in args.stages.split(",")]
    last = args.stages.split(",")[-1]
    first_rate = per_node(system, args.stages.split(",")[0], "rate")
    last_rate = per_node(system, last, "rate")
    if first_rate and last_rate and first_rate[0]:
        lines.append("- Publish rate at the deepest backlog (%s to %s waiting) / on the empty queue (0 to %s): %.2f"
                     " (target for Warren: at least 0.80)"
                     % (f"{bounds[-2]:,}", f"{bounds[-1]:,}", f"{bounds[1]:,}", last_rate[0] / first_rate[0]))
    base_rss, top_rss = per_node(system, "0", "rss"), per_node(system, last, "rss")
    if base_rss and top_rss:
        grown = max(t - b for t, b in zip(top_rss, base_rss)) * 1024
        lines.append("- RSS growth per waiting message (largest node): %.0f bytes" % (grown / int(last)))
    top = max(max(per_node(system, stage, "rss") or [0]) for stage in stages)
    lines.append("- Largest RSS of any node at any point: %s MiB (target for Warren: at most 1024)" % mib(top))
    if system == "warren":
        base_heap, top_heap = per_node(system, "0", "heap"), per_node(system, last, "heap")
        if base_heap and top_heap:
            grown = max(t - b for t, b in zip(top_heap, base_heap)) * 1024
            lines.append("- Heap growth per waiting message after GC (largest node): %.0f bytes; this includes the"
                         " fixed budgets that fill as messages arrive (64 MiB body cache, 16 MiB of recent frames,"
                         " 16 MiB Ratis log cache): the index itself is measured below" % (grown / int(last)))
    lines.append("")

footprint = dict(line.rstrip("\n").split("\t", 1) for line in open(args.footprint) if "\t" in line)
lines += ["## Heap per waiting message (`bench/footprint.sh`)", "",
          "The real classes in one JVM: a core holding %s messages in one queue, and a message store indexing"
          % footprint.get("messages", "?"),
          "as many (its body cache, a fixed budget, is off), heap after GC before and after:", "",
          "| part | bytes per waiting message |", "|---|---|",
          "| replicated index (core) | %s |" % footprint.get("core_bytes_per_message", "?"),
          "| message store index | %s |" % footprint.get("store_bytes_per_message", "?"),
          "| total | %s |" % footprint.get("total_bytes_per_message", "?"), ""]
lines += ["Raw PerfTest output and `backlog-results.tsv` stay in `bench/target/`."]
with open(args.out, "w") as f:
    f.write("\n".join(lines) + "\n")
