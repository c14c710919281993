package io.warren.raft.core;

import io.warren.proto.Table;
import java.util.TreeMap;

/** One virtual host: its exchanges, queues and policies by name. */
final class VhostState {
    final String name;
    final TreeMap<String, ExchangeState> exchanges = new TreeMap<>();
    final TreeMap<String, QueueState> queues = new TreeMap<>();
    /** Its policies and operator policies by name. */
    final TreeMap<String, Policy> policies = new TreeMap<>();
    final TreeMap<String, Policy> operatorPolicies = new TreeMap<>();

    VhostState(String name) {
        this.name = name;
    }

    /** A new vhost with the exchanges every RabbitMQ vhost has. */
    static VhostState withStandardExchanges(String name) {
        VhostState vhost = new VhostState(name);
        vhost.addSystemExchange("", ExchangeType.DIRECT);
        vhost.addSystemExchange("amq.direct", ExchangeType.DIRECT);
        vhost.addSystemExchange("amq.fanout", ExchangeType.FANOUT);
        vhost.addSystemExchange("amq.topic", ExchangeType.TOPIC);
        vhost.addSystemExchange("amq.headers", ExchangeType.HEADERS);
        vhost.addSystemExchange("amq.match", ExchangeType.HEADERS);
        return vhost;
    }

    private void addSystemExchange(String exchange, ExchangeType type) {
        exchanges.put(exchange, new ExchangeState(name, exchange, type, true, false, false,
                Table.getDefaultInstance(), ""));
    }

    String describe() {
        return "vhost '" + name + "'";
    }
}
