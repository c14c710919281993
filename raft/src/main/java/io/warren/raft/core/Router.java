package io.warren.raft.core;

import io.warren.proto.Table;
import io.warren.proto.Value;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Finds the queues a message goes to: through the exchange's bindings, following exchange-to-exchange
 * bindings (each exchange visited once, so cycles end), each queue once. The default exchange routes to
 * the queue named by the routing key. The result's order is the bindings' order, hence deterministic.
 */
final class Router {
    private Router() {}

    /**
     * The queues for a message published with {@code routingKey} and the sender-selected keys of its CC and
     * BCC headers (arrays of long strings, checked by {@link #checkSenderSelected}): each queue once, in the
     * order the keys find them, as RabbitMQ routes them; through the alternate exchanges when that is none.
     */
    static LinkedHashSet<QueueState> routeAll(VhostState vhost, ExchangeState exchange, String routingKey,
            Table headers) {
        LinkedHashSet<QueueState> queues = routeSelected(vhost, exchange, routingKey, headers);
        // Unroutable: the exchange's alternate exchange, and its own, each once (a cycle ends unroutable), as
        // RabbitMQ follows them; a missing one ends the chain.
        Set<String> tried = new HashSet<>();
        tried.add(exchange.name);
        ExchangeState current = exchange;
        while (queues.isEmpty()) {
            Value argument = Tables.get(current.arguments, "alternate-exchange");
            // the argument wins over a policy's, as in RabbitMQ
            String alternate = argument == null ? current.policyAlternateExchange : Tables.text(argument);
            current = alternate == null || !tried.add(alternate) ? null : vhost.exchanges.get(alternate);
            if (current == null) {
                break;
            }
            queues = routeSelected(vhost, current, routingKey, headers);
        }
        return queues;
    }

    private static LinkedHashSet<QueueState> routeSelected(VhostState vhost, ExchangeState exchange, String routingKey,
            Table headers) {
        LinkedHashSet<QueueState> queues = route(vhost, exchange, routingKey, headers);
        for (String header : SENDER_SELECTED) {
            Value keys = Tables.get(headers, header);
            if (keys != null) {
                for (Value key : keys.getArray().getValuesList()) {
                    String text = Tables.text(key);
                    if (text != null) {
                        queues.addAll(route(vhost, exchange, text, headers));
                    }
                }
            }
        }
        return queues;
    }

    /** The headers that name more routing keys; the node strips BCC from the stored message. */
    static final java.util.List<String> SENDER_SELECTED = java.util.List.of("CC", "BCC");

    /** CC and BCC must be arrays, else 406 with RabbitMQ's text. */
    static void checkSenderSelected(Table headers, AmqpMethod method) {
        for (String header : SENDER_SELECTED) {
            Value keys = Tables.get(headers, header);
            if (keys != null && keys.getKindCase() != Value.KindCase.ARRAY) {
                throw method.refuse(ReplyCodes.PRECONDITION_FAILED, "invalid message: {unacceptable_type_in_header,\""
                        + header + "\"," + Tables.rabbitTypeName(keys) + "}");
            }
        }
    }

    static LinkedHashSet<QueueState> route(VhostState vhost, ExchangeState exchange, String routingKey,
            Table headers) {
        LinkedHashSet<QueueState> queues = new LinkedHashSet<>();
        if (exchange.name.isEmpty()) {
            QueueState queue = vhost.queues.get(routingKey);
            if (queue != null) {
                queues.add(queue);
            }
            return queues;
        }
        Set<String> visited = new HashSet<>();
        ArrayDeque<ExchangeState> pending = new ArrayDeque<>();
        pending.add(exchange);
        visited.add(exchange.name);
        while (!pending.isEmpty()) {
            ExchangeState current = pending.poll();
            for (Binding binding : current.bindings) {
                if (!current.matches(binding, routingKey, headers)) {
                    continue;
                }
                if (binding.destinationIsQueue()) {
                    QueueState queue = vhost.queues.get(binding.destination());
                    if (queue != null) {
                        queues.add(queue);
                    }
                } else if (visited.add(binding.destination())) {
                    ExchangeState next = vhost.exchanges.get(binding.destination());
                    if (next != null) {
                        pending.add(next);
                    }
                }
            }
        }
        return queues;
    }
}
