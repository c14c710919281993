package io.warren.raft.core;

import io.warren.proto.Reply;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The queue mechanics every command shares: handing ready messages to consumers with credit
 * (round-robin), settling and requeueing deliveries, and tearing down queues, consumers, channels and
 * connections with what follows from that (auto-delete, consumer cancel notifications).
 */
final class Dispatcher {
    private final BrokerState state;

    Dispatcher(BrokerState state) {
        this.state = state;
    }

    /**
     * Delivers ready messages to consumers with credit, round-robin from where the queue left off, then
     * applies the queue's length limits to what is left: consumers first, as RabbitMQ does, so a message a
     * waiting consumer takes is never dropped for the limit.
     */
    void dispatch(QueueState queue, ApplyContext ctx) {
        expireHead(queue, ctx);
        while (!queue.ready.isEmpty() && !queue.consumers.isEmpty()) {
            ConsumerState consumer = nextConsumerWithCredit(queue);
            if (consumer == null) {
                break;
            }
            QueueEntry entry = queue.ready.pollFirst();
            deliver(consumer, entry, ctx);
            expireHead(queue, ctx);
        }
        enforceLimits(queue, ctx);
        noteExpiries(queue);
    }

    /**
     * Drops the expired messages at the head of a queue, or of each of its priority levels. RabbitMQ looks at
     * the head only (probed on 3.10, both queue types): a message behind one that lives longer waits for it
     * and goes once it is the head.
     */
    void expireHead(QueueState queue, ApplyContext ctx) {
        while (MessageExpiry.expired(queue.ready.headExpiresAt(), state.clockMs)) {
            died(queue, queue.ready.pollSoonestExpiring(), DeadLetters.Reason.EXPIRED, ctx);
        }
    }

    /**
     * A message left {@code queue} for good other than by an ack, purge or delete: it goes to the queue's
     * dead-letter exchange when it has one (through {@link DeadLetters}, which takes over its reference),
     * else it is released.
     */
    void died(QueueState queue, QueueEntry entry, DeadLetters.Reason reason, ApplyContext ctx) {
        if (queue.deadLetters()) {
            state.deadLetters.add(queue, entry, reason, state.clockMs, ctx);
        } else {
            state.references.release(entry.key(), ctx);
        }
    }

    /** Keeps {@link BrokerState#earliestExpiryMs} at or before the queue's head's expiry and its own. */
    void noteExpiries(QueueState queue) {
        state.earliestExpiryMs = Math.min(state.earliestExpiryMs,
                Math.min(queue.ready.headExpiresAt(), queue.expiresAtMs()));
    }

    /**
     * The leader's tick: time has passed the earliest expiry the core knew of. A queue unused past its
     * x-expires is deleted; every other queue's expired head goes (so an idle queue's TTL is kept, as
     * RabbitMQ keeps it), and the earliest expiry is found again exactly.
     */
    void tick(ApplyContext ctx) {
        state.earliestExpiryMs = MessageExpiry.NEVER;
        for (VhostState vhost : state.vhosts.values()) {
            for (QueueState queue : new ArrayList<>(vhost.queues.values())) {
                if (MessageExpiry.expired(queue.expiresAtMs(), state.clockMs)) {
                    deleteQueue(vhost, queue, ctx);
                } else {
                    dispatch(queue, ctx);
                }
            }
        }
        for (ChannelState channel : state.channels.values()) {
            if (!channel.failed) {
                closeIfTimedOut(channel, ctx);
            }
        }
        state.deadLetters.retryDue(state.clockMs, ctx);
    }

    /**
     * The consumer timeout, as RabbitMQ's: a delivery (to a consumer or by basic.get) unacknowledged for longer
     * than its queue's x-consumer-timeout or else its channel's node's consumer_timeout closes the channel with
     * 406, and the channel's unacked messages go back when it closes. Otherwise notes the earliest deadline.
     */
    private void closeIfTimedOut(ChannelState channel, ApplyContext ctx) {
        for (ChannelState.Unacked delivery : channel.unacked.values()) {
            long timeout = consumerTimeoutMs(channel, delivery.queue());
            long deadline = delivery.deliveredAtMs() + timeout;
            if (MessageExpiry.expired(deadline, state.clockMs)) {
                channel.failed = true;
                ctx.emit(new Effect.CloseChannel(channel.ref, io.warren.proto.Refusal.newBuilder()
                        .setCode(ReplyCodes.PRECONDITION_FAILED).setText("delivery acknowledgement on channel "
                                + channel.ref.getNumber() + " timed out. Timeout value used: " + timeout
                                + " ms. This timeout value can be configured, see consumers doc guide to learn more")
                        .build()));
                return;
            }
            state.earliestExpiryMs = Math.min(state.earliestExpiryMs, deadline);
        }
    }

    private long consumerTimeoutMs(ChannelState channel, QueueState queue) {
        if (queue.consumerTimeoutMs > 0) {
            return queue.consumerTimeoutMs;
        }
        NodeRecord node = state.nodes.get(channel.connection.key.node());
        return node == null ? NodeRecord.DEFAULT_CONSUMER_TIMEOUT_MS : node.consumerTimeoutMs;
    }

    /** Keeps {@link BrokerState#earliestExpiryMs} at or before a delivery's consumer timeout. */
    void noteConsumerTimeout(ChannelState channel, QueueState queue) {
        state.earliestExpiryMs = Math.min(state.earliestExpiryMs, state.clockMs + consumerTimeoutMs(channel, queue));
    }

    /**
     * After any change to a queue's ready messages: drop-head drops the oldest until the queue is within its
     * limits; a quorum reject-publish queue starts refusing publishes once past them, and takes them again
     * at its soft limit (QueueLimits).
     */
    void enforceLimits(QueueState queue, ApplyContext ctx) {
        QueueLimits limits = queue.limits;
        if (!limits.limited()) {
            return;
        }
        if (!limits.rejectsPublishes()) {
            while (limits.exceeded(queue.ready)) {
                died(queue, queue.ready.pollFirst(), DeadLetters.Reason.MAXLEN, ctx);
            }
        } else if (limits.quorum()) {
            if (limits.exceeded(queue.ready)) {
                queue.rejectingPublishes = true;
            } else if (queue.rejectingPublishes && limits.belowSoftLimit(queue.ready)) {
                queue.rejectingPublishes = false;
            }
        }
    }

    void dispatchAll(Collection<QueueState> queues, ApplyContext ctx) {
        for (QueueState queue : queues) {
            dispatch(queue, ctx);
        }
    }

    /**
     * The consumer the next message goes to: of those with credit, the highest x-priority, and among equals
     * the next in round-robin order from where the queue left off (RabbitMQ's consumer priorities, probed on
     * 3.10 for both queue types: a higher one without credit lets the next lower one have the message).
     */
    private ConsumerState nextConsumerWithCredit(QueueState queue) {
        if (queue.singleActiveConsumer) {
            ConsumerState active = queue.consumers.get(0); // the first to subscribe; the next when it goes
            return active.hasCredit() ? active : null;
        }
        int count = queue.consumers.size();
        ConsumerState best = null;
        int bestIndex = -1;
        for (int i = 0; i < count; i++) {
            int index = (queue.nextConsumerIndex + i) % count;
            ConsumerState consumer = queue.consumers.get(index);
            if (consumer.hasCredit() && (best == null || consumer.priority > best.priority)) {
                best = consumer;
                bestIndex = index;
                if (consumer.priority == queue.topConsumerPriority) {
                    break; // none can be higher, and it is the first at this priority in turn
                }
            }
        }
        if (best != null) {
            queue.nextConsumerIndex = (bestIndex + 1) % count;
        }
        return best;
    }

    private void deliver(ConsumerState consumer, QueueEntry entry, ApplyContext ctx) {
        ChannelState channel = consumer.channel;
        long tag = channel.nextDeliveryTag++;
        if (consumer.creditLimited) {
            consumer.credit--;
        }
        boolean redelivered = entry.deliveryCount() > 0;
        consumer.queue.totals.delivered(consumer.noAck, redelivered);
        state.totals.delivered(consumer.noAck, redelivered);
        if (!consumer.noAck) {
            channel.unacked.put(tag, new ChannelState.Unacked(tag, consumer.queue, entry.delivered(), consumer,
                    state.clockMs));
            noteConsumerTimeout(channel, consumer.queue);
            consumer.unacked++;
            channel.consumerUnacked++;
            consumer.queue.unackedCount++;
        }
        ctx.emit(new Effect.Deliver(channel.ref, consumer.tag, tag, redelivered, entry.key(),
                consumer.queue.consumerDeliveryCountHeader(entry)));
        if (consumer.noAck) {
            state.references.release(entry.key(), ctx);
        }
    }

    /** An acked or dropped delivery: off its channel's books, and its message released. */
    QueueState settleAndRelease(ChannelState channel, ChannelState.Unacked delivery, ApplyContext ctx) {
        QueueState queue = settle(channel, delivery);
        state.references.release(delivery.entry().key(), ctx);
        return queue;
    }

    /** Takes one delivery off its channel's books; returns its queue so the caller can dispatch to it. */
    private QueueState settle(ChannelState channel, ChannelState.Unacked delivery) {
        channel.unacked.remove(delivery.deliveryTag());
        if (delivery.consumer() != null) {
            delivery.consumer().unacked--;
            channel.consumerUnacked--;
        }
        QueueState queue = delivery.queue();
        if (!queue.deleted) {
            queue.unackedCount--;
        }
        return queue;
    }

    /**
     * Settles deliveries and puts them back in their queues (marked redelivered), in tag order: one whose
     * queue was deleted meanwhile is released, one that came back more often than its queue's delivery limit
     * dies.
     */
    LinkedHashSet<QueueState> requeue(ChannelState channel, List<ChannelState.Unacked> deliveries, ApplyContext ctx) {
        LinkedHashSet<QueueState> touched = new LinkedHashSet<>();
        for (ChannelState.Unacked delivery : deliveries) {
            QueueState queue = settle(channel, delivery);
            if (queue.deleted) {
                state.references.release(delivery.entry().key(), ctx);
            } else if (queue.pastDeliveryLimit(delivery.entry())) {
                died(queue, delivery.entry(), DeadLetters.Reason.DELIVERY_LIMIT, ctx);
            } else {
                queue.ready.requeue(delivery.entry());
            }
            touched.add(queue);
        }
        return touched;
    }

    /** basic.nack or basic.reject without requeue: the delivery is settled and dies, as "rejected". */
    QueueState reject(ChannelState channel, ChannelState.Unacked delivery, ApplyContext ctx) {
        QueueState queue = settle(channel, delivery);
        died(queue, delivery.entry(), DeadLetters.Reason.REJECTED, ctx);
        return queue;
    }

    /**
     * Ends a channel: its transaction's staged work is dropped, its unacked deliveries go back to their
     * queues and its consumers end.
     */
    void closeChannel(ChannelState channel, ApplyContext ctx) {
        if (channel.tx != null) {
            channel.tx.dropAll(state.references, ctx); // its deliveries, settled in it or not, go back below
        }
        LinkedHashSet<QueueState> touched = requeue(channel, new ArrayList<>(channel.unacked.values()), ctx);
        for (ConsumerState consumer : new ArrayList<>(channel.consumers.values())) {
            touched.add(consumer.queue);
            removeConsumer(consumer, ctx);
        }
        state.channels.remove(channel.key);
        touched.removeIf(queue -> queue.deleted);
        dispatchAll(touched, ctx);
    }

    /** Ends a connection: all its channels, then the exclusive queues it owned. */
    void closeConnection(ConnectionState connection, ApplyContext ctx) {
        for (ChannelState channel : new ArrayList<>(state.channels.values())) {
            if (channel.connection == connection) {
                closeChannel(channel, ctx);
            }
        }
        for (VhostState vhost : state.vhosts.values()) {
            for (QueueState queue : new ArrayList<>(vhost.queues.values())) {
                if (connection.key.equals(queue.exclusiveOwner)) {
                    deleteQueue(vhost, queue, ctx);
                }
            }
        }
        state.connections.remove(connection.key);
    }

    /** Removes a consumer; an auto-delete queue that loses its last consumer is deleted. */
    void removeConsumer(ConsumerState consumer, ApplyContext ctx) {
        consumer.channel.consumers.remove(consumer.tag);
        QueueState queue = consumer.queue;
        int index = queue.consumers.indexOf(consumer);
        queue.consumers.remove(index);
        queue.refreshTopConsumerPriority();
        if (queue.nextConsumerIndex > index) {
            queue.nextConsumerIndex--;
        } else if (queue.nextConsumerIndex >= queue.consumers.size()) {
            // The last consumer was next: the turn goes round to the first (a snapshot checks the range).
            queue.nextConsumerIndex = 0;
        }
        if (queue.consumers.isEmpty()) {
            queue.nextConsumerIndex = 0;
            queue.lastUsedMs = state.clockMs; // unused from now: x-expires counts from here
            noteExpiries(queue);
            if (queue.autoDelete && queue.hadConsumers && !queue.deleted) {
                deleteQueue(state.vhosts.get(queue.vhost), queue, ctx);
            }
        }
    }

    /**
     * Deletes a queue: its consumers are cancelled (each told with basic.cancel), its bindings removed,
     * its ready messages dropped. Deliveries still unacked stay with their channels; settling them later
     * changes nothing. Returns how many ready messages were dropped.
     */
    int deleteQueue(VhostState vhost, QueueState queue, ApplyContext ctx) {
        int dropped = queue.ready.size();
        queue.deleted = true;
        vhost.queues.remove(queue.name);
        for (ConsumerState consumer : new ArrayList<>(queue.consumers)) {
            consumer.channel.consumers.remove(consumer.tag);
            ctx.emit(new Effect.CancelConsumer(consumer.channel.ref, consumer.tag));
        }
        queue.consumers.clear();
        dropReady(queue, ctx);
        removeBindingsTo(vhost, queue.name, true, ctx);
        // At-least-once dead letters still waiting for a queue go with their source, as in RabbitMQ, where
        // the source's worker keeps them; at-most-once ones count as sent already.
        for (DeadLetters.Pending lost : state.deadLetters.removeIf(pending -> pending.atLeastOnce
                && pending.incarnation == queue.incarnation, state.clockMs, ctx)) {
            state.references.release(lost.key, ctx);
        }
        return dropped;
    }

    /** Drops every ready message of a queue (purge, delete), releasing each. */
    void dropReady(QueueState queue, ApplyContext ctx) {
        queue.ready.forEach(entry -> state.references.release(entry.key(), ctx));
        queue.ready.clear();
        enforceLimits(queue, ctx);
    }

    /** Deletes an exchange with every binding from it and to it. */
    void deleteExchange(VhostState vhost, ExchangeState exchange, ApplyContext ctx) {
        vhost.exchanges.remove(exchange.name);
        exchange.bindings.clear();
        removeBindingsTo(vhost, exchange.name, false, ctx);
    }

    private void removeBindingsTo(VhostState vhost, String destination, boolean isQueue, ApplyContext ctx) {
        for (ExchangeState source : new ArrayList<>(vhost.exchanges.values())) {
            boolean removed = source.bindings.removeIf(
                    b -> b.destinationIsQueue() == isQueue && b.destination().equals(destination));
            if (removed) {
                autoDeleteIfUnbound(vhost, source, ctx);
            }
        }
    }

    /** Removes a binding if it exists; an auto-delete source that loses its last binding goes too. */
    void removeBinding(VhostState vhost, ExchangeState source, Binding binding, ApplyContext ctx) {
        if (source.bindings.remove(binding)) {
            autoDeleteIfUnbound(vhost, source, ctx);
        }
    }

    /** An auto-delete exchange goes when the last binding from it goes. */
    void autoDeleteIfUnbound(VhostState vhost, ExchangeState exchange, ApplyContext ctx) {
        if (exchange.autoDelete && exchange.bindings.isEmpty() && vhost.exchanges.get(exchange.name) == exchange) {
            deleteExchange(vhost, exchange, ctx);
        }
    }

    static Reply done() {
        return Reply.newBuilder().setDone(io.warren.proto.Done.getDefaultInstance()).build();
    }
}
