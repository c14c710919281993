#!/usr/bin/env bash
# bench/run.sh: RabbitMQ PerfTest with the same flags against a three-node Warren cluster and a
# three-node RabbitMQ 3.10 cluster with a quorum queue (Debian's rabbitmq-server, started here on
# ports 5701-5703), one after the other on this machine, and writes both sides and their ratio to
# docs/benchmarks.md.
#
#   bench/run.sh [--duration SECONDS] [--size BYTES] [--confirm MAX_UNCONFIRMED] [--producers N]
#                [--consumers N] [--prefetch N] [--out FILE]
#
# Workload (both sides): persistent messages of --size bytes, publisher confirms with at most
# --confirm unconfirmed per producer, manual acks with prefetch --prefetch, one durable queue declared
# with x-queue-type=quorum; producers connect to node 1, consumers to node 2.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration=60 size=1000 confirm=100 producers=1 consumers=1 prefetch=200
out="$root/docs/benchmarks.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --confirm) confirm=$2; shift 2 ;;
    --producers) producers=$2; shift 2 ;;
    --consumers) consumers=$2; shift 2 ;;
    --prefetch) prefetch=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--duration S] [--size B] [--confirm N] [--producers N] [--consumers N] [--prefetch N] [--out FILE]" >&2; exit 2 ;;
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

# One side: consumers on node 2 (started first, running a little longer), producers on node 1.
run_side() { # name producer_port consumer_port
  local name=$1 pport=$2 cport=$3
  declare_queue "$pport"
  perftest -h "amqp://guest:guest@127.0.0.1:$cport" -x 0 -y "$consumers" -u perf-q -p -q "$prefetch" -ms \
    -z $((duration + 10)) >"$work/$name-consumer.out" 2>&1 &
  local consumer=$!
  perftest -h "amqp://guest:guest@127.0.0.1:$pport" -x "$producers" -y 0 -u perf-q -p -f persistent \
    -s "$size" -c "$confirm" -ms -z "$duration" >"$work/$name-producer.out" 2>&1
  wait "$consumer" || true
}

# --- Warren ---
warren_home="$work/warren-data"
WARREN_HOME="$warren_home" "$root/deploy/local-cluster.sh" stop >/dev/null 2>&1 || true
rm -rf "$warren_home"
echo "bench: starting Warren (3 nodes)"
WARREN_HOME="$warren_home" "$root/deploy/local-cluster.sh" start
echo "bench: PerfTest against Warren for ${duration}s"
run_side warren 5672 5673
WARREN_HOME="$warren_home" "$root/deploy/local-cluster.sh" stop >/dev/null

# --- RabbitMQ 3.10, three nodes, quorum queue ---
start_rabbit_cluster
echo "bench: PerfTest against RabbitMQ for ${duration}s"
run_side rabbitmq 5701 5702
stop_rabbits

# --- report ---
/usr/bin/python3 "$root/bench/report.py" --work "$work" --out "$out" --duration "$duration" --size "$size" \
  --confirm "$confirm" --producers "$producers" --consumers "$consumers" --prefetch "$prefetch" \
  --rabbitmq-version "$(dpkg-query -W -f='${Version}' rabbitmq-server)" \
  --warren-commit "$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "bench: wrote $out"
