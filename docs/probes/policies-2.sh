#!/bin/bash
# rabbitmqctl's policy validation texts (run against the probe node: rabbit-node.sh start)
rctl() { su rabbitmq -s /bin/sh -c "HOME=/var/lib/rabbitmq /usr/lib/rabbitmq/bin/rabbitmqctl -q -n probe@localhost $(printf "'%s' " "$@")" 2>&1; echo "exit=$?"; }
for d in '{"max-length":-1}' '{"max-length":"ten"}' '{"max-length":1.5}' '{"foo":"bar"}' '{"overflow":"drop-tail"}' \
    '{}' 'not json' '{"message-ttl":-1}' '{"expires":0}' '{"max-length-bytes":-1}' '{"dead-letter-exchange":5}' \
    '{"dead-letter-routing-key":5}' '{"delivery-limit":"x"}' '{"dead-letter-strategy":"bogus"}' \
    '{"alternate-exchange":5}' '{"message-ttl":true}' '{"a":1,"b":"x","max-length":1}'; do
  echo "== $d"; rctl set_policy p '^zz' "$d"
done
rctl set_policy p '^x' '{"message-ttl":1}' --apply-to bogus
rctl set_policy p '(' '{"message-ttl":1}'
rctl set_operator_policy o '^x' '{"overflow":"drop-head"}'
rctl clear_policy nosuch
