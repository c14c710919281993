"""Reads what bench/run.sh left under bench/target/runs and writes docs/benchmarks.md: per scenario and
side the median and range over the rounds, the Warren / RabbitMQ ratio of the medians, the issue 12
targets met or missed, the warm-up runs, the CPU taken by other processes, and two SVG charts."""
import argparse
import datetime
import glob
import os
import platform
import re
import statistics

SIDES = ["warren", "rabbitmq"]
TITLES = {"warren": "Warren", "rabbitmq": "RabbitMQ 3.10 quorum"}
DESCRIPTIONS = {
    "S0": "one node; producer and consumer on it",
    "S1": "3 nodes; producer and consumer on node 1",
    "S2a": "producer on node 1, consumer on node 2",
    "S2b": "2 producers on node 1, 2 consumers on node 2",
    "S4": "50 queues; 10 producer and 10 consumer connections (5 channels each) over the 3 nodes",
    "S5": "fanout exchange to 3 queues; producer on node 1, a consumer per queue on node 2",
    "S6s": "S2a with 16-byte bodies",
    "S6l": "S2a with 64 KiB bodies",
    "S7": "fixed 2,000 msg/s; producer on node 1, consumer on node 2 (bench/LatencyProbe.java)",
}
RATE_TARGET = {"S0", "S1", "S2a", "S2b", "S4"}
OTHER_NODE = {"S2a", "S2b", "S4", "S5", "S6s", "S6l", "S7"}

SENDING = re.compile(r"sending rate avg: (\d+) msg/s")
CONFIRM = re.compile(r"confirm latency min/median/75th/95th/99th ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) (ms|µs)")
CONSUMER = re.compile(r"consumer latency min/median/75th/95th/99th ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) (ms|µs)")
RECEIVED = re.compile(r"time:? [\d.]+ s, received: (\d+) msg/s")
TIMES = re.compile(r"(\d+)m([\d.]+)s (\d+)m([\d.]+)s")


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def cpu_seconds(path):
    """The children's line of bash's `times` (its last): the load generator's user and system CPU."""
    found = TIMES.findall(read(path))
    if not found:
        return 0.0
    um, us, sm, ss = found[-1]
    return int(um) * 60 + float(us) + int(sm) * 60 + float(ss)


def percentiles(match):
    scale = 1 if match.group(6) == "ms" else 0.001
    return [float(match.group(i)) * scale for i in range(1, 6)]


def one_run(base, duration):
    """The figures of one run, or None when its output is missing or incomplete."""
    cpu = read(base + ".cpu").split()
    result = {}
    if cpu:
        busy, broker, tck, wall = (int(x) for x in cpu)
        load = cpu_seconds(base + ".producer-cpu") + cpu_seconds(base + ".consumer-cpu")
        result["other_cpu"] = max(0.0, (busy - broker) / tck - load) / wall * 100
        result["broker_cpu"] = broker / tck / wall * 100
    probe = read(base + ".probe.out")
    if probe:
        kv = dict(re.findall(r"(\w+)=(-?[\d.]+)", probe))
        if "confirm_p99_ms" not in kv:
            return None
        result.update({k: float(v) for k, v in kv.items()})
        result["published"] = float(kv["confirmed"]) / float(kv.get("seconds", duration))
        result["confirm_p99"] = float(kv["confirm_p99_ms"])
        result["delivery_p99"] = float(kv["delivery_p99_ms"])
        return result
    producer = read(base + ".producer.out")
    consumer = read(base + ".consumer.out")
    sent = SENDING.search(producer)
    confirm = CONFIRM.search(producer)
    received = [int(m.group(1)) for m in RECEIVED.finditer(consumer)]
    if sent is None or confirm is None or not received:
        return None
    result["published"] = float(sent.group(1))
    result["consumed"] = sum(received) / duration
    result["confirm_p50"], result["confirm_p99"] = percentiles(confirm)[1], percentiles(confirm)[4]
    delivery = CONSUMER.search(consumer)
    # PerfTest's consumer latency needs the producer's timestamps; across two of its processes it often
    # reads 0 throughout, which is no measurement: then S7's probe is the delivery figure.
    if delivery is not None and percentiles(delivery)[4] > 0:
        result["delivery_p99"] = percentiles(delivery)[4]
    return result


def summary(values):
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


def fmt(s, digits=0):
    if s is None:
        return "n/a"
    med, lo, hi = s
    f = f"{{:.{digits}f}}"
    return f"{f.format(med)} ({f.format(lo)}-{f.format(hi)})"


def ratio(w, r):
    return f"{w[0] / r[0]:.2f}" if w and r and r[0] else "n/a"


def collect(runs, scenarios, repeats, duration):
    table = {}
    failed = []
    for side in SIDES:
        for s in scenarios:
            rows = []
            for r in range(1, repeats + 1):
                base = os.path.join(runs, side, f"{s}-{r}")
                if not glob.glob(base + ".*"):
                    continue
                run = one_run(base, duration)
                if run is None:
                    failed.append(f"{side} {s} round {r}")
                else:
                    rows.append(run)
            table[(side, s)] = rows
    return table, failed


def metric(table, side, s, key):
    return summary([run[key] for run in table.get((side, s), []) if key in run and run[key] >= 0])


def bar_chart(path, title, unit, scenarios, values):
    """Grouped bars, one group per scenario, Warren and RabbitMQ side by side, medians with range whiskers."""
    width, height, left, bottom, top = 760, 320, 60, 40, 40
    plot_w, plot_h = width - left - 20, height - top - bottom
    peak = max([v[2] for v in values.values() if v] + [1])
    colors = {"warren": "#2a7ab9", "rabbitmq": "#f28c28"}
    group = plot_w / max(1, len(scenarios))
    bar = group * 0.35
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
             f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="13">{title}</text>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>',
             f'<text x="12" y="{top + plot_h / 2}" transform="rotate(-90 12 {top + plot_h / 2})" text-anchor="middle">{unit}</text>']
    for tick in range(0, 5):
        v = peak * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{v:.0f}</text>')
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>')
    for i, s in enumerate(scenarios):
        x0 = left + i * group + group * 0.15
        for j, side in enumerate(SIDES):
            v = values.get((side, s))
            if not v:
                continue
            med, lo, hi = v
            x = x0 + j * bar
            h = plot_h * med / peak
            parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colors[side]}"/>')
            cx = x + bar / 2
            parts.append(f'<line x1="{cx:.1f}" y1="{top + plot_h - plot_h * hi / peak:.1f}" x2="{cx:.1f}" '
                         f'y2="{top + plot_h - plot_h * lo / peak:.1f}" stroke="#000"/>')
        parts.append(f'<text x="{x0 + bar:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{s}</text>')
    for j, side in enumerate(SIDES):
        parts.append(f'<rect x="{left + 10 + j * 170}" y="{height - 14}" width="10" height="10" fill="{colors[side]}"/>')
        parts.append(f'<text x="{left + 24 + j * 170}" y="{height - 5}">{TITLES[side]}</text>')
    parts.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(parts) + "\n")


def main():
    p = argparse.ArgumentParser()
    for name in ["runs", "out", "scenarios", "repeats", "duration", "warmup", "command"]:
        p.add_argument("--" + name, required=True)
    a = p.parse_args()
    scenarios = a.scenarios.split(",")
    repeats, duration = int(a.repeats), int(a.duration)
    table, failed = collect(a.runs, scenarios, repeats, duration)
    measured = {side: read(os.path.join(a.runs, side, "measured")).strip() or "not run" for side in SIDES}
    version = {side: read(os.path.join(a.runs, side, "version")).strip() or "unknown" for side in SIDES}
    leader = read(os.path.join(a.runs, "warren", "leader")).strip() or "no node (not moved)"

    lines = [
        "# Benchmarks",
        "",
        "Latest run of `bench/run.sh` (issue 12): RabbitMQ PerfTest 2.22.1 with the same flags against Warren",
        "and against RabbitMQ quorum queues, one after the other on this machine. Every scenario publishes",
        "persistent messages with confirms (100 outstanding per producer) and consumes with manual acks",
        "(multiple, every 50) and prefetch 200, into durable queues declared with `x-queue-type=quorum`.",
        f"Each figure is the median of {repeats} rounds, with the range in brackets; each round runs every",
        f"scenario once for {duration} s. Each cluster first ran a {a.warmup} s warm-up, shown below, not counted.",
        "",
        f"- Command: `{a.command}`",
        f"- Machine: {os.cpu_count()} cores, {platform.system()} {platform.release()}; the nodes and the load generator share it",
        f"- Warren: commit {version['warren']}, `deploy/local-cluster.sh start` defaults; measured {measured['warren']}",
        f"- Leaders: Warren's Raft leader moved to {leader} before the three-node rounds (`warrenctl transfer_leadership`);"
        " RabbitMQ's quorum queues lead from n1, the node they were declared through (its client-local default)",
        f"- RabbitMQ: Debian's rabbitmq-server {version['rabbitmq']}; measured {measured['rabbitmq']}",
        "- Written: " + datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "",
        "| scenario | | Warren | RabbitMQ 3.10 quorum | Warren / RabbitMQ |",
        "|---|---|---|---|---|",
    ]
    rates, p99s = {}, {}
    for s in scenarios:
        rows = [("published msg/s", "published", 0), ("consumed msg/s", "consumed", 0),
                ("confirm p50 ms", "confirm_p50", 1), ("confirm p99 ms", "confirm_p99", 1),
                ("delivery p99 ms", "delivery_p99", 1)]
        if s == "S7":
            rows = [("confirmed msg/s", "published", 0), ("confirm p50 ms", "confirm_p50_ms", 2),
                    ("confirm p99 ms", "confirm_p99", 2), ("confirm p99.9 ms", "confirm_p999_ms", 2),
                    ("delivery p50 ms", "delivery_p50_ms", 2), ("delivery p99 ms", "delivery_p99", 2),
                    ("delivery p99.9 ms", "delivery_p999_ms", 2)]
        rows.append(("CPU of other processes, % of a core", "other_cpu", 0))
        first = True
        for label, key, digits in rows:
            w, r = metric(table, "warren", s, key), metric(table, "rabbitmq", s, key)
            if w is None and r is None:
                continue
            name = f"**{s}** {DESCRIPTIONS[s]}" if first else ""
            first = False
            lines.append(f"| {name} | {label} | {fmt(w, digits)} | {fmt(r, digits)} | {ratio(w, r)} |")
        for side in SIDES:
            rates[(side, s)] = metric(table, side, s, "published")
            p99s[(side, s)] = metric(table, side, s, "confirm_p99")

    lines += ["", "For rates a ratio above 1 means Warren is faster; for latencies a ratio below 1 does.", "",
              "## Issue 12 targets", "", "| target | figure | met |", "|---|---|---|"]

    def target(text, figure, ok):
        lines.append(f"| {text} | {figure} | {'yes' if ok else ('n/a' if ok is None else '**no**')} |")

    for s in scenarios:
        w, r = rates[("warren", s)], rates[("rabbitmq", s)]
        if s in RATE_TARGET:
            target(f"{s}: at least 2.0x RabbitMQ's msg/s", f"{ratio(w, r)}x", None if not (w and r) else w[0] >= 2 * r[0])
        pw, pr = p99s[("warren", s)], p99s[("rabbitmq", s)]
        target(f"{s}: confirm p99 at most RabbitMQ's", f"{fmt(pw, 1)} against {fmt(pr, 1)} ms",
               None if not (pw and pr) else pw[0] <= pr[0])
        d = metric(table, "warren", s, "delivery_p99")
        if s in OTHER_NODE and d:
            target(f"{s}: delivery p99 to a consumer on another node at most 50 ms", f"{fmt(d, 1)} ms", d[0] <= 50)
        if s == "S7" and pw:
            target("S7: confirm p99 at most 10 ms", f"{fmt(pw, 2)} ms", pw[0] <= 10)

    lines += ["", "## Warm-up runs (not counted)", "",
              "| cluster | | Warren | RabbitMQ 3.10 quorum |", "|---|---|---|---|"]
    for label, name in [("warmup-3", "3 nodes, S2a"), ("warmup-1", "1 node, S0")]:
        runs = {side: one_run(os.path.join(a.runs, side, label), int(a.warmup)) for side in SIDES}
        if all(v is None for v in runs.values()):
            continue
        for key, text in [("published", "published msg/s"), ("confirm_p99", "confirm p99 ms")]:
            cells = [f"{runs[side][key]:.0f}" if runs[side] and key in runs[side] else "n/a" for side in SIDES]
            lines.append(f"| {name} | {text} | {cells[0]} | {cells[1]} |")
    if failed:
        lines += ["", "Runs whose output could not be read (left out above; see `bench/target/runs/`): "
                  + ", ".join(failed) + "."]
    out_dir = os.path.dirname(os.path.abspath(a.out))
    bar_chart(os.path.join(out_dir, "benchmarks-throughput.svg"), "Published msg/s (median, range)", "msg/s",
              scenarios, rates)
    bar_chart(os.path.join(out_dir, "benchmarks-latency.svg"), "Confirm p99, ms (median, range)", "ms",
              scenarios, p99s)
    lines += ["", "![throughput](benchmarks-throughput.svg)", "", "![confirm p99](benchmarks-latency.svg)", "",
              "Raw PerfTest and probe output stays in `bench/target/runs/`.", ""]
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


main()
