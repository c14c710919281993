# Shared by bench/run.sh and bench/backlog.sh: PerfTest, the perf-q quorum queue, and a three-node
# RabbitMQ 3.10 cluster on ports 5701-5703 with its data under /tmp/warren-bench-rabbitmq.
# Sourced with $root, $work and $JAVA_HOME set.
perftest() { "$JAVA_HOME/bin/java" -Xmx256m -XX:+UseSerialGC -cp "$work/lib/*" com.rabbitmq.perf.PerfTest "$@"; }

# Debian's own rabbitmq-server service listens on 5672, which Warren's node 1 needs.
if command -v service >/dev/null && service rabbitmq-server status >/dev/null 2>&1; then
  echo "bench: stopping the rabbitmq-server service (port 5672)"
  service rabbitmq-server stop >/dev/null
fi

declare_queue() { # port [queue, default perf-q]
  /usr/bin/python3 - "$1" "${2:-perf-q}" <<'EOF'
import sys, pika
connection = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1', int(sys.argv[1])))
channel = connection.channel()
channel.queue_delete(sys.argv[2])
channel.queue_declare(sys.argv[2], durable=True, arguments={'x-queue-type': 'quorum'})
connection.close()
EOF
}

delete_queue() { # port queue
  /usr/bin/python3 - "$1" "$2" <<'EOF'
import sys, pika
connection = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1', int(sys.argv[1])))
connection.channel().queue_delete(sys.argv[2])
connection.close()
EOF
}

rabbit_home=/tmp/warren-bench-rabbitmq
rabbitctl() { su rabbitmq -s /bin/sh -c "HOME=/var/lib/rabbitmq /usr/lib/rabbitmq/bin/rabbitmqctl $*"; }
stop_rabbits() {
  for i in 1 2 3; do rabbitctl -n "bench$i@localhost" stop >/dev/null 2>&1 || true; done
}
# Starts nodes 1..N (default 3) on the data they have (a first start makes it) and waits for each.
start_rabbit_nodes() {
  local count=${1:-3} i
  for i in $(seq 1 "$count"); do
    mkdir -p "$rabbit_home/n$i"
  done
  chown -R rabbitmq: "$rabbit_home"
  for i in $(seq 1 "$count"); do
    su rabbitmq -s /bin/sh -c "cd $rabbit_home && env HOME=/var/lib/rabbitmq RABBITMQ_NODENAME=bench$i@localhost \
      RABBITMQ_NODE_PORT=570$i RABBITMQ_DIST_PORT=2570$i RABBITMQ_MNESIA_BASE=$rabbit_home/n$i/mnesia \
      RABBITMQ_LOG_BASE=$rabbit_home/n$i/log RABBITMQ_PID_FILE=$rabbit_home/n$i/pid \
      RABBITMQ_ENABLED_PLUGINS_FILE=$rabbit_home/n$i/enabled_plugins RABBITMQ_CONFIG_FILES=$rabbit_home/none \
      nohup /usr/lib/rabbitmq/bin/rabbitmq-server >>$rabbit_home/n$i/out.log 2>&1 &"
  done
  # await_startup fails at once while the node is not yet registered with epmd: poll, with a deadline.
  for i in $(seq 1 "$count"); do
    local deadline=$((SECONDS + 300))
    until rabbitctl -n "bench$i@localhost" await_startup --timeout 60 >/dev/null 2>&1; do
      if [ $SECONDS -gt $deadline ]; then
        echo "bench: RabbitMQ node bench$i did not start; see $rabbit_home/n$i" >&2
        exit 1
      fi
      sleep 1
    done
  done
}
# A fresh cluster of N nodes (default 3).
start_rabbit_cluster() {
  local count=${1:-3} i
  stop_rabbits
  rm -rf "$rabbit_home"
  echo "bench: starting RabbitMQ $(dpkg-query -W -f='${Version}' rabbitmq-server) ($count nodes)"
  start_rabbit_nodes "$count"
  for i in $(seq 2 "$count"); do
    rabbitctl -n "bench$i@localhost" stop_app >/dev/null
    rabbitctl -n "bench$i@localhost" join_cluster bench1@localhost >/dev/null
    rabbitctl -n "bench$i@localhost" start_app >/dev/null
  done
  rabbitctl -n bench1@localhost cluster_status --formatter json >"$work/rabbitmq-cluster.json"
}
