#!/usr/bin/env bash
# local-cluster.sh: runs Warren nodes on this machine, data and logs under one folder.
#   start [--nodes N] [--tls]
#                       build what is missing, start nodes 1..N (default 3), return once they serve AMQP;
#                       --tls makes a throw-away CA and certificates under $WARREN_HOME/tls (once) and
#                       turns TLS on: AMQPS beside AMQP (SASL EXTERNAL for client certificates) and mutual
#                       TLS for the Raft traffic between nodes, HTTPS for the admin API (deploy/warrenctl
#                       then passes the authority and client certificate itself); remembered until the next
#                       'start' without it
#   start I             start node I again, with its data
#   stop                stop every node (SIGTERM: clients get 320 CONNECTION_FORCED)
#   status              which nodes run, their ports
#   kill I              kill -9 node I
# Node I: AMQP on 5671+I, AMQPS on 5672-I (5671 for node 1, counting down), Raft on 9870+I, admin API on
# 15671+I, data in $WARREN_HOME/nI
# (WARREN_HOME defaults to ./data in the repository; WARREN_PORT_OFFSET moves all ports). The cluster's size is remembered in
# $WARREN_HOME/nodes so that 'start I' knows the peers.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/deploy/lib/memory.sh"
home="${WARREN_HOME:-$root/data}"
mkdir -p "$home"

# WARREN_PORT_OFFSET (default 0) moves every port, so a second cluster (or a test) can run beside one.
# WARREN_HEAP sets each node's heap (default: a quarter of the machine's memory shared by the nodes, at
# most 768m); WARREN_JAVA_OPTS adds JVM options (see deploy/warren).
# WARREN_NODE_FLAGS adds settings to every node's command line (e.g. "--entries-in-flight-max 4").
offset=${WARREN_PORT_OFFSET:-0}
amqp_port() { echo $((5671 + offset + $1)); }
amqps_port() { echo $((5672 + offset - $1)); }
raft_port() { echo $((9870 + offset + $1)); }
admin_port() { echo $((15671 + offset + $1)); }
prometheus_port() { echo $((15691 + offset + $1)); }
pid_file() { echo "$home/n$1/warren.pid"; }

running() {
  local pid_path; pid_path=$(pid_file "$1")
  [ -f "$pid_path" ] && kill -0 "$(cat "$pid_path")" 2>/dev/null
}

# Builds when the node jar is missing or older than any source or pom (so a checkout never runs stale code).
build_if_missing() {
  # WARREN_NO_BUILD=1: a benchmark timing a restart must not time a build too.
  [ -n "${WARREN_NO_BUILD:-}" ] && return 0
  local jar="$root/node/target/warren-node-0.1.0-SNAPSHOT.jar"
  if [ ! -f "$jar" ] || [ ! -d "$root/node/target/lib" ] \
      || [ -n "$(find "$root" -path "$root/data" -prune -o \( -name pom.xml -o -path '*/src/main/*' \) -newer "$jar" -print -quit)" ]; then
    echo "warren: building ..."
    . "$root/deploy/lib/find-jdk.sh"
    (cd "$root" && MAVEN_OPTS="${MAVEN_OPTS:-} -XX:+IgnoreUnrecognizedVMOptions --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow" \
      mvn -B -q -ntp -DskipTests package) || { echo "warren: build failed" >&2; exit 1; }
  fi
}

tls_on() { [ -f "$home/tls/enabled" ]; }

# The throw-away authority and a certificate per node (SANs 127.0.0.1 and localhost), and "client"
# (CN=client,O=warren) for trying certificate logins; made once, kept with the data.
make_certs() {
  local count=$1 i
  [ -f "$home/tls/ca.pem" ] || "$root/deploy/lib/make-certs.sh" cluster "$home/tls" "$count"
  for i in $(seq 1 "$count"); do
    [ -f "$home/tls/n$i.pem" ] || "$root/deploy/lib/make-certs.sh" cert "$home/tls" "n$i" "/O=warren/CN=n$i"
  done
  touch "$home/tls/enabled"
}

tls_flags() {
  local i=$1
  tls_on || return 0
  echo "--amqps-port $(amqps_port "$i") --tls-cert $home/tls/n$i.pem --tls-key $home/tls/n$i.key" \
    "--tls-ca $home/tls/ca.pem --tls-verify verify_peer --raft-tls true --admin-tls true"
}

urls() {
  local i=$1
  echo -n "amqp://guest:guest@127.0.0.1:$(amqp_port "$i")/"
  tls_on && echo -n " amqps://guest:guest@localhost:$(amqps_port "$i")/ (CA $home/tls/ca.pem)"
  local scheme=http
  tls_on && scheme=https
  echo -n " management $scheme://127.0.0.1:$(admin_port "$i")/api/ metrics http://127.0.0.1:$(prometheus_port "$i")/metrics"
  echo
}

peers() {
  local count=$1 list="" i
  for i in $(seq 1 "$count"); do
    list="${list:+$list,}n$i=127.0.0.1:$(raft_port "$i")"
  done
  echo "$list"
}

start_node() {
  local i=$1 count=$2
  if running "$i"; then
    echo "warren: node $i already runs (pid $(cat "$(pid_file "$i")"))"
    return 0
  fi
  mkdir -p "$home/n$i"
  # Several nodes share this machine: each gets a quarter of its memory split between them, at most
  # 768 MiB (a ten-million-message backlog's index fits), unless WARREN_HEAP says otherwise.
  local mem_mib share
  mem_mib=$(machine_memory_mib)
  share=$(( mem_mib / 4 / count ))
  [ "$share" -le 768 ] || share=768
  [ "$share" -ge 256 ] || share=256
  WARREN_HEAP="${WARREN_HEAP:-${share}m}" nohup "$root/deploy/warren" --node-id "n$i" --data-dir "$home/n$i" \
    --amqp-port "$(amqp_port "$i")" --raft-address "127.0.0.1:$(raft_port "$i")" \
    --admin-port "$(admin_port "$i")" --prometheus-port "$(prometheus_port "$i")" --peers "$(peers "$count")" $(tls_flags "$i") ${WARREN_NODE_FLAGS:-} \
    >>"$home/n$i/warren.log" 2>&1 &
  echo $! >"$(pid_file "$i")"
}

# Waits until node I answers a real AMQP request (status through the admin API says it registered,
# then a TCP connect to its AMQP port succeeds).
wait_ready() {
  local i=$1 deadline=$((SECONDS + ${WARREN_START_TIMEOUT:-120}))
  while [ $SECONDS -lt $deadline ]; do
    if ! running "$i"; then
      echo "warren: node $i exited during start; last log lines:" >&2
      tail -n 5 "$home/n$i/warren.log" >&2
      return 1
    fi
    if "$root/deploy/warrenctl" -n "127.0.0.1:$(admin_port "$i")" status >/dev/null 2>&1 \
        && (exec 3<>"/dev/tcp/127.0.0.1/$(amqp_port "$i")") 2>/dev/null; then
      echo "warren: node $i ready: $(urls "$i") (log: $home/n$i/warren.log)"
      return 0
    fi
    sleep 0.5
  done
  echo "warren: node $i did not become ready in time; see $home/n$i/warren.log" >&2
  return 1
}

cmd="${1:-}"
shift || true
case "$cmd" in
  start)
    build_if_missing
    if [ "${1:-}" != "" ] && [ "${1:-}" != "--nodes" ] && [ "${1:-}" != "--tls" ]; then
      i=$1
      count=$(cat "$home/nodes" 2>/dev/null || echo "$i")
      start_node "$i" "$count"
      wait_ready "$i"
      exit $?
    fi
    count=3 tls=""
    while [ $# -gt 0 ]; do
      case "$1" in
        --nodes) count=${2:?start --nodes N}; shift 2 ;;
        --tls) tls=1; shift ;;
        *) echo "warren: unknown start option '$1' (start [--nodes N] [--tls] | start I)" >&2; exit 2 ;;
      esac
    done
    echo "$count" >"$home/nodes"
    if [ -n "$tls" ]; then make_certs "$count"; else rm -f "$home/tls/enabled"; fi
    for i in $(seq 1 "$count"); do start_node "$i" "$count"; done
    for i in $(seq 1 "$count"); do wait_ready "$i"; done
    ;;
  stop)
    for dir in "$home"/n*; do
      [ -f "$dir/warren.pid" ] || continue
      pid=$(cat "$dir/warren.pid")
      if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        echo "warren: stopped $(basename "$dir")"
      fi
      rm -f "$dir/warren.pid"
    done
    ;;
  status)
    count=$(cat "$home/nodes" 2>/dev/null || echo 0)
    for i in $(seq 1 "$count"); do
      if running "$i"; then
        echo "node $i: running (pid $(cat "$(pid_file "$i")"), admin $(admin_port "$i")): $(urls "$i")"
      else
        echo "node $i: stopped"
      fi
    done
    ;;
  kill)
    i=${1:?kill I}
    if running "$i"; then
      pid=$(cat "$(pid_file "$i")")
      kill -9 "$pid"
      # Return only once the process is gone, so 'start I' right after does not see it.
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      rm -f "$(pid_file "$i")"
      echo "warren: killed node $i (kill -9)"
    else
      echo "warren: node $i is not running"
    fi
    ;;
  *)
    echo "usage: $0 start [--nodes N] [--tls] | start I | stop | status | kill I" >&2
    exit 2
    ;;
esac
