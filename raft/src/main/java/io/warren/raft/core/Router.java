package io.warren.raft.core;

import io.warren.proto.Table;
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
