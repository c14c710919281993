package io.warren.raft.core;

import io.warren.proto.DeadLetter;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The DeadLetter command: the leader's copy of a dead message enters the queues its dead-letter exchange
 * routes it to, and the pending record (with the original's reference) goes, in the same entry, so a leader
 * change can neither lose the message nor deliver it twice (docs/dead-lettering.md, "Design").
 */
final class DeadLetterCommands {
    private final BrokerState state;
    private final Dispatcher dispatcher;

    DeadLetterCommands(BrokerState state, Dispatcher dispatcher) {
        this.state = state;
        this.dispatcher = dispatcher;
    }

    /**
     * Routes the copy (stored under this command's key) through the exchange the source queue named at the
     * death, with the copy's routing key, CC keys and headers, leaving out the queues that would close a cycle.
     * At-most-once: a missing exchange or no queue drops it, as RabbitMQ does. At-least-once: it stays pending,
     * asked for again at its deadline, until every queue found takes it (a reject-publish queue past its limit
     * does not), so it is never in some of them twice. An id already settled changes nothing.
     */
    void deadLetter(DeadLetter cmd, ApplyContext ctx) {
        DeadLetters.Pending pending = state.deadLetters.inFlight(cmd.getId());
        if (pending == null) {
            ctx.published(0); // a second copy of one already placed (two leaders asked, or a retry raced)
            return;
        }
        VhostState vhost = state.vhosts.get(pending.vhost);
        ExchangeState exchange = vhost == null ? null : vhost.exchanges.get(pending.exchange);
        LinkedHashSet<QueueState> targets = exchange == null ? new LinkedHashSet<>()
                : Router.routeAll(vhost, exchange, cmd.getRoutingKey(), cmd.getHeaders());
        Set<String> cycle = new TreeSet<>(cmd.getCycleQueuesList());
        boolean routed = !targets.isEmpty();
        targets.removeIf(queue -> cycle.contains(queue.name));
        boolean allTake = targets.stream().allMatch(queue -> queue.accepts(pending.bodySize));
        // a copy routed only into its cycle is dropped by either strategy, as RabbitMQ drops it
        if (pending.atLeastOnce && (!routed || !allTake)) {
            ctx.published(0); // kept: asked for again at its deadline
            return;
        }
        long key = ctx.messageKey();
        int holders = 0;
        for (QueueState queue : targets) {
            if (queue.accepts(pending.bodySize)) {
                queue.enqueue(key, pending.bodySize, pending.persistent, state.clockMs, -1, cmd.getPriority());
                holders++;
            }
        }
        ctx.published(holders);
        state.references.release(pending.key, ctx);
        state.deadLetters.settle(pending, state.clockMs, ctx);
        dispatcher.dispatchAll(targets, ctx);
    }
}
