package io.warren.raft.core;

import io.warren.proto.Table;
import java.util.ArrayList;
import java.util.List;

/** One exchange and the bindings that have it as their source, in the order they were made. */
final class ExchangeState {
    final String vhost;
    final String name;
    final ExchangeType type;
    /** How it matches bindings: its type, or a delayed exchange's x-delayed-type. */
    final ExchangeType routesAs;
    final boolean durable;
    final boolean autoDelete;
    final boolean internal;
    final Table arguments;
    /** The node whose restart deletes this exchange when it is not durable. */
    final String homeNode;
    final List<Binding> bindings = new ArrayList<>();
    /** The policy applied, or null, and the alternate exchange it names (null: none); see Policies. */
    String policy;
    String policyAlternateExchange;

    ExchangeState(String vhost, String name, ExchangeType type, boolean durable, boolean autoDelete,
            boolean internal, Table arguments, String homeNode) {
        this.vhost = vhost;
        this.name = name;
        this.type = type;
        this.routesAs = type == ExchangeType.DELAYED ? delayedType(arguments) : type;
        this.durable = durable;
        this.autoDelete = autoDelete;
        this.internal = internal;
        this.arguments = arguments;
        this.homeNode = homeNode;
    }

    /** Built-in exchanges (the default one and amq.*) can be neither deleted nor redeclared. */
    boolean isSystem() {
        return name.isEmpty() || name.startsWith("amq.");
    }

    /** A delayed exchange's x-delayed-type, checked at its declaration ({@link DelayedMessages#checkType}). */
    private static ExchangeType delayedType(Table arguments) {
        io.warren.proto.Value type = Tables.get(arguments, "x-delayed-type");
        return ExchangeType.fromWireName(type == null ? "" : Tables.text(type)).orElseThrow(
                () -> new IllegalArgumentException("a delayed exchange without a valid x-delayed-type"));
    }

    boolean matches(Binding binding, String routingKey, Table headers) {
        return switch (routesAs) {
            case DIRECT -> binding.routingKey().equals(routingKey);
            case FANOUT -> true;
            case TOPIC -> TopicMatcher.matches(binding.routingKey(), routingKey);
            case HEADERS -> HeadersMatcher.matches(binding.arguments(), headers);
            case DELAYED -> throw new IllegalStateException("a delayed exchange routes as its x-delayed-type");
        };
    }
}
