#!/bin/bash
# single RabbitMQ node "probe" on port 5711, data under /tmp/probe-rabbit
home=/tmp/probe-rabbit
ctl() { su rabbitmq -s /bin/sh -c "HOME=/var/lib/rabbitmq /usr/lib/rabbitmq/bin/rabbitmqctl $*"; }
case "$1" in
start)
  mkdir -p $home/n; chown -R rabbitmq: $home
  su rabbitmq -s /bin/sh -c "cd $home && env HOME=/var/lib/rabbitmq RABBITMQ_NODENAME=probe@localhost \
      RABBITMQ_NODE_PORT=5711 RABBITMQ_DIST_PORT=25711 RABBITMQ_MNESIA_BASE=$home/n/mnesia \
      RABBITMQ_LOG_BASE=$home/n/log RABBITMQ_PID_FILE=$home/n/pid \
      RABBITMQ_ENABLED_PLUGINS_FILE=$home/n/enabled_plugins RABBITMQ_CONFIG_FILES=$home/none \
      nohup /usr/lib/rabbitmq/bin/rabbitmq-server >>$home/n/out.log 2>&1 &"
  for i in $(seq 1 120); do ctl -n probe@localhost await_startup --timeout 60 >/dev/null 2>&1 && break; sleep 1; done
  echo started ;;
stop) ctl -n probe@localhost stop ;;
esac
