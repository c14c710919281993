#!/usr/bin/env bash
# bench/tls.sh: what AMQPS costs, and which of Warren's TLS engines to default to. One node of each
# broker on this machine, one PerfTest process (1 producer, 1 consumer, the S0 flags of bench/run.sh:
# persistent, confirms 100 outstanding, multi-ack every 50, prefetch 200, a quorum queue), run over plain
# AMQP and over AMQPS: Warren with tls.engine=jdk and tls.engine=openssl (BoringSSL), RabbitMQ 3.10 with
# its (Erlang) TLS. Body sizes 1 KB and 64 KiB (where the cipher's cost shows). Writes docs/benchmarks-tls.md.
#   bench/tls.sh [--duration 20] [--repeats 2] [--out FILE]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration=20 repeats=2 out="$root/docs/benchmarks-tls.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--duration S] [--repeats N] [--out FILE]" >&2; exit 2 ;;
  esac
done
. "$root/deploy/lib/find-jdk.sh"
. "$root/deploy/lib/install-packages.sh"
warren_install_packages rabbitmq-server python3-pika openssl
export MAVEN_OPTS="${MAVEN_OPTS:-} -XX:+IgnoreUnrecognizedVMOptions --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
work="$root/bench/target"
mkdir -p "$work"
if [ ! -d "$work/lib" ]; then
  (cd "$root/bench" && mvn -B -q -ntp package)
fi
. "$root/bench/lib/common.sh"
results="$work/tls-results.tsv"
: >"$results"
warren_home="$work/tls-warren"

measure() { # broker transport size uri plain_port
  local broker=$1 transport=$2 size=$3 uri=$4 plain=$5 r rate
  for r in $(seq 1 "$repeats"); do
    declare_queue "$plain"
    rate=$(perftest -h "$uri" -x 1 -y 1 -u perf-q -p -f persistent -s "$size" -c 100 -A 50 -q 200 -z "$duration" 2>&1 \
      | sed -n 's/.*receiving rate avg: \([0-9]*\) msg\/s.*/\1/p' | tail -n 1)
    echo "bench: $broker $transport ${size}B round $r: ${rate:-0} msg/s"
    printf '%s\t%s\t%s\t%s\n' "$broker" "$transport" "$size" "${rate:-0}" >>"$results"
  done
}

warren_round() { # engine
  WARREN_HOME="$warren_home" "$root/deploy/local-cluster.sh" stop >/dev/null 2>&1 || true
  rm -rf "$warren_home"
  WARREN_HOME="$warren_home" WARREN_NODE_FLAGS="--tls-engine $1" "$root/deploy/local-cluster.sh" start --nodes 1 --tls
  for size in 1000 65536; do
    [ "$1" = jdk ] && measure Warren plain "$size" "amqp://guest:guest@127.0.0.1:5672" 5672
    measure Warren "TLS ($1)" "$size" "amqps://guest:guest@localhost:5671" 5672
  done
  WARREN_HOME="$warren_home" "$root/deploy/local-cluster.sh" stop >/dev/null
}
warren_round jdk
warren_round openssl

# RabbitMQ: one node with a TLS listener on 5711 beside 5701, the certificates local-cluster.sh made.
stop_rabbits
rm -rf "$rabbit_home"
mkdir -p "$rabbit_home/n1" "$rabbit_home/conf.d"
cp "$warren_home/tls/ca.pem" "$warren_home/tls/n1.pem" "$warren_home/tls/n1.key" "$rabbit_home/"
cat >"$rabbit_home/conf.d/10-tls.conf" <<CONF
listeners.ssl.default = 5711
ssl_options.cacertfile = $rabbit_home/ca.pem
ssl_options.certfile = $rabbit_home/n1.pem
ssl_options.keyfile = $rabbit_home/n1.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = false
CONF
chown -R rabbitmq: "$rabbit_home"
su rabbitmq -s /bin/sh -c "cd $rabbit_home && env HOME=/var/lib/rabbitmq RABBITMQ_NODENAME=bench1@localhost \
  RABBITMQ_NODE_PORT=5701 RABBITMQ_DIST_PORT=25701 RABBITMQ_MNESIA_BASE=$rabbit_home/n1/mnesia \
  RABBITMQ_LOG_BASE=$rabbit_home/n1/log RABBITMQ_PID_FILE=$rabbit_home/n1/pid \
  RABBITMQ_ENABLED_PLUGINS_FILE=$rabbit_home/n1/enabled_plugins RABBITMQ_CONFIG_FILES=$rabbit_home/conf.d \
  nohup /usr/lib/rabbitmq/bin/rabbitmq-server >>$rabbit_home/n1/out.log 2>&1 &"
deadline=$((SECONDS + 300))
until rabbitctl -n bench1@localhost await_startup --timeout 60 >/dev/null 2>&1; do
  [ $SECONDS -lt $deadline ] || { echo "bench: RabbitMQ did not start; see $rabbit_home/n1" >&2; exit 1; }
  sleep 1
done
for size in 1000 65536; do
  measure RabbitMQ plain "$size" "amqp://guest:guest@127.0.0.1:5701" 5701
  measure RabbitMQ TLS "$size" "amqps://guest:guest@localhost:5711" 5701
done
stop_rabbits

/usr/bin/python3 - "$results" "$out" "$duration" "$repeats" "$(dpkg-query -W -f='${Version}' rabbitmq-server)" <<'PY'
import collections, statistics, sys, datetime
results, out, duration, repeats, rabbit = sys.argv[1:6]
rates = collections.OrderedDict()
for line in open(results):
    broker, transport, size, rate = line.rstrip("\n").split("\t")
    rates.setdefault((broker, transport, int(size)), []).append(int(rate))
def median(key):
    return statistics.median(rates[key]) if key in rates else None
lines = ["# AMQPS: TLS engines, side by side with RabbitMQ", "",
         "Written by `bench/tls.sh --duration %s --repeats %s` on %s (RabbitMQ %s). One node of each broker, one"
         % (duration, repeats, datetime.date.today().isoformat(), rabbit),
         "PerfTest process (1 producer, 1 consumer; persistent, confirms 100 outstanding, multi-ack every 50,",
         "prefetch 200, a quorum queue): received msg/s, median of the rounds (all rounds in brackets); the share",
         "is the rate over TLS as a fraction of the same broker's plain rate in the same run.", "",
         "| body | broker | transport | msg/s | rounds | of plain |", "|---|---|---|---|---|---|"]
for (broker, transport, size), values in rates.items():
    plain = median((broker, "plain", size))
    share = "" if transport == "plain" or not plain else "%.2f" % (statistics.median(values) / plain)
    lines.append("| %s | %s | %s | %d | %s | %s |" % ("1 KB" if size == 1000 else "64 KiB", broker, transport,
                 statistics.median(values), ", ".join(map(str, values)), share))
open(out, "w").write("\n".join(lines) + "\n")
print("bench: wrote " + out)
PY
