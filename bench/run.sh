#!/usr/bin/env bash
# bench/run.sh: the throughput and latency scenarios of issue 12, against Warren and then against
# RabbitMQ 3.10 quorum queues (Debian's rabbitmq-server, started here on ports 5701-5703), with the same
# PerfTest flags, on this machine; writes docs/benchmarks.md with medians, ranges, ratios and two charts.
#
#   bench/run.sh [--scenarios S0,S1,S2a,S2b,S4,S5,S6s,S6l,S7] [--repeats 3] [--duration 30]
#                [--warmup 20] [--only warren|rabbitmq] [--out FILE]
#
# Every scenario: persistent messages, confirms with 100 outstanding per producer, manual acks (multiple,
# every 50), prefetch 200, durable queues declared with x-queue-type=quorum before each run.
#   S0   one node; producer and consumer on it
#   S1   three nodes; producer and consumer on node 1
#   S2a  producer on node 1, consumer on node 2
#   S2b  2 producers on node 1, 2 consumers on node 2
#   S4   50 queues; 10 producer and 10 consumer connections spread over the three nodes, 5 channels each
#   S5   a fanout exchange on node 1 bound to 3 queues, one consumer each on node 2
#   S6s  S2a with 16-byte bodies;  S6l  S2a with 64 KiB bodies
#   S7   2,000 msg/s fixed rate, producer on node 1, consumer on node 2 (bench/LatencyProbe.java)
# Each cluster is warmed up (an S2a run of --warmup seconds, reported but not counted) before the
# scenarios run; the scenarios then run --repeats rounds, one of each per round. Around each run the
# script reads /proc for the CPU of the brokers, of the load generator and of everything else.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scenarios=S0,S1,S2a,S2b,S4,S5,S6s,S6l,S7 repeats=3 duration=30 warmup=20 only=""
out="$root/docs/benchmarks.md"
usage="usage: $0 [--scenarios S0,S1,...] [--repeats N] [--duration S] [--warmup S] [--only warren|rabbitmq] [--out FILE]"
while [ $# -gt 0 ]; do
  case "$1" in
    --scenarios) scenarios=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
for s in ${scenarios//,/ }; do
  case "$s" in S0|S1|S2a|S2b|S4|S5|S6s|S6l|S7) ;; *) echo "bench: unknown scenario $s; $usage" >&2; exit 2 ;; esac
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
runs="$work/runs"
clk_tck=$(getconf CLK_TCK)

# --- CPU accounting ---
busy_jiffies() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }
broker_jiffies() {
  local total=0 pid
  for pid in $broker_pids; do
    [ -r "/proc/$pid/stat" ] && total=$((total + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12+$13}')))
  done
  echo "$total"
}
# Runs a load-generator JVM and writes bash's times to $1 (its second line: the JVM's user and system CPU).
timed_java() { # cpu_file java-args...
  local cpu_file=$1; shift
  bash -c 'out=$1; shift; "$@"; rc=$?; times >"$out"; exit $rc' _ "$cpu_file" "$JAVA_HOME/bin/java" "$@"
}
perftest_timed() { # cpu_file perftest-args...
  local cpu_file=$1; shift
  timed_java "$cpu_file" -Xmx256m -XX:+UseSerialGC -cp "$work/lib/*" com.rabbitmq.perf.PerfTest "$@"
}

uri() { echo "amqp://guest:guest@127.0.0.1:$1"; }
common_flags() { # size
  echo "-f persistent -s $1 -c 100 -A 50 -q 200 -p -ms"
}

# One PerfTest run: consumers first (running 10 s longer, so that they take what the producers sent last),
# then producers; both outputs and the CPU figures go under $runs/<side>/<label>.
pair() { # label producer-flags -- consumer-flags
  local label=$1; shift
  local pflags=() cflags=()
  while [ "$1" != "--" ]; do pflags+=("$1"); shift; done
  shift
  cflags=("$@")
  local base="$runs/$side/$label" busy0 broker0
  busy0=$(busy_jiffies); broker0=$(broker_jiffies)
  perftest_timed "$base.consumer-cpu" -x 0 "${cflags[@]}" -z $((duration + 10)) >"$base.consumer.out" 2>&1 &
  local consumer=$!
  perftest_timed "$base.producer-cpu" -y 0 "${pflags[@]}" -z "$duration" >"$base.producer.out" 2>&1 || true
  wait "$consumer" || true
  echo "$(( $(busy_jiffies) - busy0 )) $(( $(broker_jiffies) - broker0 )) $clk_tck $((duration + 10))" >"$base.cpu"
}

# The ports of node I on this side.
port() { echo $((base_port + $1 - 1)); }

run_scenario() { # scenario label
  local s=$1 label=$2 p1 p2 p3 flags
  p1=$(port 1); p2=$(port 2); p3=$(port 3)
  flags=$(common_flags 1000)
  case "$s" in
    S0|S1)
      /usr/bin/python3 "$root/bench/lib/topology.py" "$p1" queues perf-q
      pair "$label" -h "$(uri "$p1")" -x 1 -u perf-q $flags -- -h "$(uri "$p1")" -y 1 -u perf-q $flags ;;
    S2a)
      /usr/bin/python3 "$root/bench/lib/topology.py" "$p1" queues perf-q
      pair "$label" -h "$(uri "$p1")" -x 1 -u perf-q $flags -- -h "$(uri "$p2")" -y 1 -u perf-q $flags ;;
    S2b)
      /usr/bin/python3 "$root/bench/lib/topology.py" "$p1" queues perf-q
      pair "$label" -h "$(uri "$p1")" -x 2 -u perf-q $flags -- -h "$(uri "$p2")" -y 2 -u perf-q $flags ;;
    S4)
      local names=() i all
      for i in $(seq 1 50); do names+=("perf-q-$i"); done
      /usr/bin/python3 "$root/bench/lib/topology.py" "$p1" queues "${names[@]}"
      all="$(uri "$p1"),$(uri "$p2"),$(uri "$p3")"
      pair "$label" -H "$all" -x 10 -X 5 -qp 'perf-q-%d' -qpf 1 -qpt 50 $flags -- \
        -H "$all" -y 10 -Y 5 -qp 'perf-q-%d' -qpf 1 -qpt 50 $flags ;;
    S5)
      /usr/bin/python3 "$root/bench/lib/topology.py" "$p1" fanout perf-fanout perf-fan-1 perf-fan-2 perf-fan-3
      pair "$label" -h "$(uri "$p1")" -x 1 -e perf-fanout -t fanout -k fan $flags -- \
        -h "$(uri "$p2")" -y 3 -qp 'perf-fan-%d' -qpf 1 -qpt 3 -sb $flags ;;
    S6s|S6l)
      local size=16
      [ "$s" = S6l ] && size=65536
      flags=$(common_flags "$size")
      /usr/bin/python3 "$root/bench/lib/topology.py" "$p1" queues perf-q
      pair "$label" -h "$(uri "$p1")" -x 1 -u perf-q $flags -- -h "$(uri "$p2")" -y 1 -u perf-q $flags ;;
    S7)
      /usr/bin/python3 "$root/bench/lib/topology.py" "$p1" queues perf-q
      local base="$runs/$side/$label" busy0 broker0
      busy0=$(busy_jiffies); broker0=$(broker_jiffies)
      timed_java "$base.producer-cpu" -Xmx256m -XX:+UseSerialGC -cp "$work/lib/*" \
        -Dlogback.configurationFile="$root/bench/lib/logback-quiet.xml" "$root/bench/LatencyProbe.java" \
        --publish-uri "$(uri "$p1")" --consume-uri "$(uri "$p2")" --queue perf-q --rate 2000 \
        --duration "$duration" --warmup 5 --size 1000 >"$base.probe.out" 2>&1 || true
      echo "$(( $(busy_jiffies) - busy0 )) $(( $(broker_jiffies) - broker0 )) $clk_tck $((duration + 5))" >"$base.cpu" ;;
  esac
}

# Warm-up, then the rounds; $1 is the node count of the cluster that runs now.
run_rounds() { # nodes scenario...
  local nodes=$1; shift
  [ $# -gt 0 ] || return 0
  echo "bench: $side, $nodes node(s): warm-up for ${warmup}s"
  local keep=$duration
  duration=$warmup
  if [ "$nodes" = 1 ]; then run_scenario S0 "warmup-1"; else run_scenario S2a "warmup-3"; fi
  duration=$keep
  local r s
  for r in $(seq 1 "$repeats"); do
    for s in "$@"; do
      echo "bench: $side, round $r of $repeats: $s"
      run_scenario "$s" "$s-$r"
    done
  done
}

# The chosen scenarios split by the cluster they need.
single=() three=()
for s in ${scenarios//,/ }; do
  if [ "$s" = S0 ]; then single+=("$s"); else three+=("$s"); fi
done

# RabbitMQ puts a quorum queue's leader on the node the queue was declared through (queue_leader_locator
# client-local), and the scenarios declare every queue through node 1. Warren's one Raft group leads every
# queue from wherever it was elected, so the leadership moves to node 1 too: both sides then forward the
# same clients' commands (those on nodes 2 and 3) to a leader on another node.
lead_from_node_1() {
  local i
  "$root/deploy/warrenctl" transfer_leadership n1 >/dev/null
  for i in $(seq 1 100); do
    if "$root/deploy/warrenctl" cluster_status | awk '$1 == "n1" && $3 == "true" {found=1} END {exit !found}'; then
      echo n1 >"$runs/$side/leader"
      return 0
    fi
    sleep 0.2
  done
  echo "bench: node 1 did not become the Raft leader" >&2
  return 1
}

run_warren() {
  side=warren base_port=5672
  rm -rf "${runs:?}/$side"; mkdir -p "$runs/$side"
  local home="$work/warren-data" nodes
  for nodes in 3 1; do
    if [ "$nodes" = 3 ] && [ ${#three[@]} -eq 0 ]; then continue; fi
    if [ "$nodes" = 1 ] && [ ${#single[@]} -eq 0 ]; then continue; fi
    WARREN_HOME="$home" "$root/deploy/local-cluster.sh" stop >/dev/null 2>&1 || true
    rm -rf "$home"
    echo "bench: starting Warren ($nodes node(s))"
    WARREN_HOME="$home" "$root/deploy/local-cluster.sh" start --nodes "$nodes"
    broker_pids=$(pgrep -f io.warren.node.Main | tr '\n' ' ')
    if [ "$nodes" = 3 ]; then lead_from_node_1; fi
    if [ "$nodes" = 3 ]; then run_rounds 3 "${three[@]}"; else run_rounds 1 "${single[@]}"; fi
    WARREN_HOME="$home" "$root/deploy/local-cluster.sh" stop >/dev/null
    # The nodes' logs outlive the data folder, which the next cluster starts without.
    local i
    for i in $(seq 1 "$nodes"); do
      mkdir -p "$runs/$side/logs-$nodes-node"
      cp "$home/n$i/warren.log" "$runs/$side/logs-$nodes-node/n$i.log" 2>/dev/null || true
    done
  done
  date -u '+%Y-%m-%d %H:%M UTC' >"$runs/$side/measured"
  git -C "$root" rev-parse --short HEAD >"$runs/$side/version" 2>/dev/null || echo unknown >"$runs/$side/version"
}

run_rabbitmq() {
  side=rabbitmq base_port=5701
  rm -rf "${runs:?}/$side"; mkdir -p "$runs/$side"
  local nodes
  for nodes in 3 1; do
    if [ "$nodes" = 3 ] && [ ${#three[@]} -eq 0 ]; then continue; fi
    if [ "$nodes" = 1 ] && [ ${#single[@]} -eq 0 ]; then continue; fi
    start_rabbit_cluster "$nodes"
    broker_pids=$(pgrep -u rabbitmq | tr '\n' ' ')
    if [ "$nodes" = 3 ]; then run_rounds 3 "${three[@]}"; else run_rounds 1 "${single[@]}"; fi
    stop_rabbits
  done
  date -u '+%Y-%m-%d %H:%M UTC' >"$runs/$side/measured"
  dpkg-query -W -f='${Version}' rabbitmq-server >"$runs/$side/version"
}

[ "$only" = rabbitmq ] || run_warren
[ "$only" = warren ] || run_rabbitmq

/usr/bin/python3 "$root/bench/report.py" --runs "$runs" --out "$out" --scenarios "$scenarios" \
  --repeats "$repeats" --duration "$duration" --warmup "$warmup" \
  --command "bench/run.sh --scenarios $scenarios --repeats $repeats --duration $duration --warmup $warmup"
echo "bench: wrote $out"
