#!/usr/bin/env bash
# bench/backlog.sh: a standing backlog in one quorum queue on three nodes, Warren and RabbitMQ 3.10 one
# after the other (issue 11, point 6). Publishes persistent messages with no consumer in stages, and
# after each stage records per node: heap in use after a full GC (Warren), resident memory, disk use,
# and the stage's publish rate; then restarts every node with the full backlog and times until the
# queue serves again, drains it and records the drain rate. Writes docs/backlog-benchmark.md.
#
#   bench/backlog.sh [--stages 1000000,5000000,9000000,10000000] [--warmup N] [--size BYTES] [--producers N]
#                    [--only warren|rabbitmq]
# The target of point 6 compares the rate at 10 M with the empty queue's: the first and the last stage are
# both a million messages wide by default (0 to 1 M, 9 M to 10 M), and before the first a warm-up of
# --warmup messages (default 300,000) goes to another queue that is then deleted, so that the first stage
# does not also measure the JIT's compiling and the first snapshots.
# Two producers by default: one confirming producer is bound by the round trip, and ten million messages
# would take an hour a side.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stages=1000000,5000000,9000000,10000000 warmup=300000 size=1024 producers=2 only=""
out="$root/docs/backlog-benchmark.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --stages) stages=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --producers) producers=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--stages N,N,...] [--warmup N] [--size BYTES] [--producers N] [--only warren|rabbitmq] [--out FILE]" >&2; exit 2 ;;
  esac
done
. "$root/deploy/lib/find-jdk.sh"
. "$root/deploy/lib/install-packages.sh"
warren_install_packages rabbitmq-server python3-pika
export MAVEN_OPTS="${MAVEN_OPTS:-} -XX:+IgnoreUnrecognizedVMOptions --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
work="$root/bench/target"
mkdir -p "$work"
if [ ! -d "$work/lib" ]; then
  echo "bench: fetching PerfTest ..."
  (cd "$root/bench" && mvn -B -q -ntp package)
fi
. "$root/bench/lib/common.sh"
results="$work/backlog-results.tsv"
if [ -n "$only" ] && [ -f "$results" ]; then
  # One side again: the other side's rows of the last run stay in the report.
  grep -v "^$only	" "$results" >"$results.kept" || true
  mv "$results.kept" "$results"
else
  : >"$results"
fi
record() { printf '%s\n' "$*" | tr ' ' '\t' >>"$results"; }

# Publishes COUNT messages with $producers confirming producers on node 1's port; prints msg/s (all of them).
publish() { # port count label [queue, default perf-q]
  perftest -h "amqp://guest:guest@127.0.0.1:$1" -x "$producers" -y 0 -u "${4:-perf-q}" -p -f persistent -s "$size" -c 100 \
    -C "$(($2 / producers))" -ms >"$work/backlog-$3.out" 2>&1
  sed -n 's/.*sending rate avg: \([0-9]*\) msg\/s.*/\1/p' "$work/backlog-$3.out" | tail -n 1
}

# Drains COUNT messages with one consumer (manual acks, prefetch 500) on node 2's port; prints msg/s.
drain() { # port count label
  local started=$SECONDS
  perftest -h "amqp://guest:guest@127.0.0.1:$1" -x 0 -y 1 -u perf-q -p -q 500 -D "$2" -ms \
    >"$work/backlog-$3.out" 2>&1
  echo $(( $2 / (SECONDS - started > 0 ? SECONDS - started : 1) ))
}

# Serving again: the queue answers a passive declare on PORT with every message.
wait_serving() { # port count
  until /usr/bin/python3 -c "
import pika, sys
c = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1', $1))
n = c.channel().queue_declare('perf-q', passive=True).method.message_count
sys.exit(0 if n == $2 else 1)" >/dev/null 2>&1; do sleep 0.5; done
}

# After the drain, nothing more is sent for 90 s: longer than the 60 s for which Warren keeps a superseded
# snapshot (and the hard links it holds) for a follower that may be receiving it.
idle() { echo "bench: idle for 90 s"; sleep 90; }

# The warm-up before the first stage: WARMUP messages into perf-warm, which is then deleted.
warm_up() { # port label
  [ "$warmup" -gt 0 ] || return 0
  echo "bench: $2, warming up with $warmup messages to another queue"
  declare_queue "$1" perf-warm
  publish "$1" "$warmup" "$2-warmup" perf-warm >/dev/null
  delete_queue "$1" perf-warm
}

# When this side was measured: a run with --only keeps the other side's rows of an earlier run.
record_run() { record "$1" run all "$(date -u +%s)" 0 0 0 0; }

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

warren_pid() { cat "$warren_home/n$1/warren.pid"; }
warren_heap_kb() { # pid: heap in use after a full collection
  "$JAVA_HOME/bin/jcmd" "$1" GC.run >/dev/null 2>&1 || true
  "$JAVA_HOME/bin/jcmd" "$1" GC.heap_info 2>/dev/null | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?/, "", v); sum += v; break }} END {print sum + 0}'
}

warren_snapshot() { # stage published rate
  for i in 1 2 3; do
    local pid; pid=$(warren_pid "$i")
    record warren "$1" "n$i" "$2" "$3" "$(warren_heap_kb "$pid")" "$(rss_kb "$pid")" \
      "$(du -sk "$warren_home/n$i" | cut -f1)"
  done
}

rabbit_pid() { cat "$rabbit_home/n$1/pid" 2>/dev/null || echo 0; }
rabbit_snapshot() { # stage published rate
  for i in 1 2 3; do
    record rabbitmq "$1" "n$i" "$2" "$3" 0 "$(rss_kb "$(rabbit_pid "$i")")" "$(du -sk "$rabbit_home/n$i" 2>/dev/null | cut -f1)"
  done
}

run_warren() {
  warren_home="$work/backlog-warren-data"
  WARREN_HOME="$warren_home" "$root/deploy/local-cluster.sh" stop >/dev/null 2>&1 || true
  rm -rf "$warren_home"
  WARREN_HOME="$warren_home" "$root/deploy/local-cluster.sh" start
  warm_up 5672 warren
  declare_queue 5672
  record_run warren
  warren_snapshot 0 0 0
  local done=0 stage
  for stage in ${stages//,/ }; do
    echo "bench: Warren, publishing to $stage"
    local rate; rate=$(publish 5672 $((stage - done)) "warren-$stage")
    done=$stage
    warren_snapshot "$stage" "$stage" "$rate"
  done
  echo "bench: Warren, restart with $done waiting"
  WARREN_HOME="$warren_home" "$root/deploy/local-cluster.sh" stop >/dev/null
  local started; started=$(date +%s%N)
  WARREN_NO_BUILD=1 WARREN_HOME="$warren_home" "$root/deploy/local-cluster.sh" start >/dev/null
  wait_serving 5672 "$done"
  record warren restart all "$done" "$(( ($(date +%s%N) - started) / 1000000 ))" 0 0 0
  warren_snapshot restarted "$done" 0
  echo "bench: Warren, draining"
  record warren drain all "$done" "$(drain 5673 "$done" warren-drain)" 0 0 0
  warren_snapshot drained 0 0
  idle
  warren_snapshot idle 0 0
  WARREN_HOME="$warren_home" "$root/deploy/local-cluster.sh" stop >/dev/null
  # Issue 11, point 3: how long each snapshot held apply up (the snapshot_taken lines of every node).
  local pauses
  pauses=$(cat "$warren_home"/n*/warren.log | grep -a 'event=snapshot_taken' | sed -n 's/.*apply_paused_ms=\([0-9]*\).*/\1/p' | sort -n)
  record warren snapshots all "$(echo "$pauses" | grep -c . || true)" "$(echo "$pauses" | tail -n 1)" 0 0 0
}

run_rabbitmq() {
  start_rabbit_cluster
  warm_up 5701 rabbitmq
  declare_queue 5701
  record_run rabbitmq
  rabbit_snapshot 0 0 0
  local done=0 stage
  for stage in ${stages//,/ }; do
    echo "bench: RabbitMQ, publishing to $stage"
    local rate; rate=$(publish 5701 $((stage - done)) "rabbitmq-$stage")
    done=$stage
    rabbit_snapshot "$stage" "$stage" "$rate"
  done
  echo "bench: RabbitMQ, restart with $done waiting"
  stop_rabbits
  local started; started=$(date +%s%N)
  start_rabbit_nodes
  # Serving again: the quorum queue answers a passive declare with every message.
  wait_serving 5701 "$done"
  record rabbitmq restart all "$done" "$(( ($(date +%s%N) - started) / 1000000 ))" 0 0 0
  rabbit_snapshot restarted "$done" 0
  echo "bench: RabbitMQ, draining"
  record rabbitmq drain all "$done" "$(drain 5702 "$done" rabbitmq-drain)" 0 0 0
  rabbit_snapshot drained 0 0
  idle
  rabbit_snapshot idle 0 0
  stop_rabbits
}

echo "bench: the index's heap per waiting message (bench/footprint.sh)"
"$root/bench/footprint.sh" 1000000 >"$work/footprint.tsv"
[ "$only" = rabbitmq ] || run_warren
[ "$only" = warren ] || run_rabbitmq
/usr/bin/python3 "$root/bench/backlog_report.py" --results "$results" --out "$out" --size "$size" \
  --stages "$stages" --warmup "$warmup" --producers "$producers" --footprint "$work/footprint.tsv" --warren-commit "$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --rabbitmq-version "$(dpkg-query -W -f='${Version}' rabbitmq-server)"
echo "bench: wrote $out"
