"""Writes docs/chaos.md from a chaos run's summary.json: chaos-tests/record.py RUN_DIR COMMAND.
The page records the latest long run: duration, faults, operations, lost / duplicated / unexpected,
availability per fault window and the time to recover after losing the leader."""
import json
import os
import sys
from collections import defaultdict


def store_activity(run_dir):
    """Snapshots and store reclaim seen in the node logs: they must have carried bodies under the faults."""
    nodes = os.path.join(run_dir, "nodes")
    if not os.path.isdir(nodes):
        return []
    counts = defaultdict(int)
    pauses = []
    for name in sorted(os.listdir(nodes)):
        with open(os.path.join(nodes, name), encoding="utf-8", errors="replace") as f:
            for line in f:
                for event in ("snapshot_taken", "snapshot_loaded", "store_reclaimed", "store_compacted",
                              "store_tail_repaired"):
                    if "event=" + event + " " in line:
                        counts[event] += 1
                if "event=snapshot_taken " in line and "apply_paused_ms=" in line:
                    pauses.append(int(line.split("apply_paused_ms=")[1].split()[0]))
    pauses.sort()
    text = ", ".join(f"{event} {counts[event]}" for event in sorted(counts))
    lines = [f"Store and snapshots in the node logs (all nodes): {text or 'none'}."]
    if pauses:
        lines.append(f"Apply paused by a snapshot: median {pauses[len(pauses) // 2]} ms, longest {pauses[-1]} ms"
                     f" ({len(pauses)} snapshots).")
    return lines + [""]


def main():
    run_dir, command = sys.argv[1], sys.argv[2]
    with open(os.path.join(run_dir, "summary.json"), encoding="utf-8") as f:
        s = json.load(f)
    per_kind = defaultdict(list)
    for w in s["fault_windows"]:
        per_kind[w["kind"]].append(w)
    lines = [
        "# Chaos results",
        "",
        "The latest long run of the chaos harness (`chaos-tests/`): three real Warren node processes, each in",
        "its own network namespace, four publishers (confirm mode, persistent messages with unique ids) and",
        "four consumers (manual acks) with the RabbitMQ Java client, nemeses on a schedule (every kind at least",
        "once, then random picks; each fault lasts 8 s, then 6 s of calm), a final heal, a drain of every queue",
        "and Jepsen's total-queue check.",
        "",
        f"- Command: `{command}`",
        f"- Run folder (not committed): `{os.path.relpath(run_dir)}` with history.jsonl, summary.json, report.html",
        f"- Mode: {s['mode']}; seed {s['seed']}; wall time {s['duration_s']} s",
        f"- Standing backlog: {s.get('standing_backlog', 0)} messages published before the first fault, drained"
        f" and checked with the rest; node flags: {' '.join(s.get('node_flags', [])) or 'none'}",
        f"- Node events: " + ", ".join(f"{k} {v}" for k, v in sorted(s.get('node_events', {}).items())),
        f"- Verdict: **{'valid' if s['valid'] else 'INVALID'}**",
        "",
        "| operations | count |",
        "|---|---|",
    ]
    for key in ["published", "confirmed", "nacked", "unknown", "unknown_delivered", "unknown_not_delivered",
                "delivered", "deliveries", "lost", "unexpected", "duplicated", "duplicated_unflagged",
                "duplicated_after_ack", "drained_at_end"]:
        lines.append(f"| {key.replace('_', ' ')} | {s.get(key, 'not recorded')} |")
    lines += [
        "",
        f"Queues after the drain, per node (name, messages): "
        + ", ".join(f"{k}: `{v.replace(chr(9), ' ')}`" for k, v in s["queues_after_drain"].items() if k != "agree")
        + f"; agree: {s['queues_after_drain']['agree']}.",
        f"All nodes served again {s['ms_to_all_serving_after_heal']} ms after the final heal.",
        "",
        "| fault | times | availability (ok / attempted publishes in the window), min and mean | first confirm after the fault began (ms), max |",
        "|---|---|---|---|",
    ]
    for kind in sorted(per_kind):
        ws = per_kind[kind]
        avail = [w["availability"] for w in ws]
        first = [w["ms_to_first_confirm"] for w in ws if w["ms_to_first_confirm"] >= 0]
        lines.append(f"| {kind} | {len(ws)} | {min(avail):.3f} / {sum(avail) / len(avail):.3f} | "
                     f"{max(first) if first else 'none'} |")
    recover = s["ms_to_first_confirm_after_losing_leader"]
    lines += [
        "",
        f"Time to the first confirm after losing the leader (kill, pause or partition of the leader), ms: "
        f"{', '.join(str(r) for r in recover) if recover else 'none'}.",
        "",
        "Duplicated unflagged: a message delivered again without the redelivered flag (fatal: the consumer",
        "is not told it may have seen it). Duplicated after ack: delivered again after its consumer acked it",
        "(legitimate when the ack was lost with its connection, as in RabbitMQ).",
        "",
        "Availability counts every publish attempted in the window, including those of clients connected",
        "to the node under fault, which cannot be confirmed until they reconnect elsewhere; so a window",
        "shorter than the reconnect (or, for a cut-off leader, the election plus the quorum-loss time)",
        "shows less than 1.0 even when the majority side served throughout.",
        "",
    ]
    failures = s.get("heal_failures", [])
    lines.append("Heal failures (a node that did not come back when its window ended; the run goes on and the final "
                 "phase starts it again): " + ("; ".join(f"`{f}`" for f in failures) if failures else "none") + ".")
    events = s.get("node_events", {})
    if events:
        lines += [
            "",
            "Node log events over the run (all nodes): "
            + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in events.items()) + ".",
        ]
    kinds = sorted(per_kind)
    lines += ["", f"Nemeses that struck: {', '.join(kinds)} ({len(s['fault_windows'])} fault windows, mixes included).", ""]
    lines += store_activity(run_dir)
    out = sys.argv[3] if len(sys.argv) > 3 else "docs/chaos.md"
    # The hand-written findings at the end of the page outlive the numbers above.
    kept = ""
    if os.path.exists(out):
        with open(out, encoding="utf-8") as f:
            old = f.read()
        at = old.find(FINDINGS)
        if at >= 0:
            kept = old[at:]
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + ("\n" + kept if kept else ""))


FINDINGS = "## What the runs found"


main()
