package io.warren.raft.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Messages that died in a queue with a dead-letter exchange and wait for the leader's node to send their
 * rewritten copy (a DeadLetter command; docs/dead-lettering.md, "Design"). The core holds no headers, so it
 * cannot write the copy itself: it keeps the dead message's store reference here and asks, through
 * {@link Effect.DeadLetter}, for at most {@value #IN_FLIGHT_MAX} at a time; the rest wait their turn in
 * the order they died. A request not answered by its deadline (its effect was lost with a leader change, or
 * an at-least-once copy found no queue) is made again on the next Tick.
 *
 * <p>These are not in any queue: RabbitMQ does not count a dead-lettered message in its source's messages
 * either. Pure state, changed only by the apply thread.
 */
final class DeadLetters {
    static final int IN_FLIGHT_MAX = 256;
    static final long RETRY_AFTER_MS = 5_000;

    /** Why a message died, as the x-death header names it. */
    enum Reason {
        REJECTED("rejected"), EXPIRED("expired"), MAXLEN("maxlen"), DELIVERY_LIMIT("delivery_limit");

        final String wireName;

        Reason(String wireName) {
            this.wireName = wireName;
        }

        static Reason fromWireName(String name) {
            for (Reason reason : values()) {
                if (reason.wireName.equals(name)) {
                    return reason;
                }
            }
            return null;
        }
    }

    /**
     * One dead message. {@code exchange} and {@code routingKey} (null: none) are the source queue's
     * dead-letter arguments at the death; {@code retryAtMs} is 0 until it is asked for.
     */
    static final class Pending {
        final long id;
        final String vhost;
        final String queue;
        final long incarnation;
        final long key;
        final int bodySize;
        final boolean persistent;
        final Reason reason;
        final String exchange;
        final String routingKey;
        final boolean atLeastOnce;
        final long diedAtMs;
        long retryAtMs;

        Pending(long id, String vhost, String queue, long incarnation, long key, int bodySize, boolean persistent,
                Reason reason, String exchange, String routingKey, boolean atLeastOnce, long diedAtMs) {
            this.id = id;
            this.vhost = vhost;
            this.queue = queue;
            this.incarnation = incarnation;
            this.key = key;
            this.bodySize = bodySize;
            this.persistent = persistent;
            this.reason = reason;
            this.exchange = exchange;
            this.routingKey = routingKey;
            this.atLeastOnce = atLeastOnce;
            this.diedAtMs = diedAtMs;
        }

        boolean asked() {
            return retryAtMs != 0;
        }
    }

    /** Asked for, by id (ids grow, so this is also the order they died in). */
    private final TreeMap<Long, Pending> inFlight = new TreeMap<>();
    /** Not asked for yet, in the order they died. */
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    long nextId = 1;
    /** Hears every deadline set, so the core's earliest expiry stays at or before each (the leader ticks then). */
    private final java.util.function.LongConsumer deadlines;

    DeadLetters(java.util.function.LongConsumer deadlines) {
        this.deadlines = deadlines;
    }

    /** A message died in {@code queue}, which has a dead-letter exchange: its reference moves here. */
    void add(QueueState queue, QueueEntry entry, Reason reason, long clockMs, ApplyContext ctx) {
        Pending pending = new Pending(nextId++, queue.vhost, queue.name, queue.incarnation, entry.key(), entry.size(),
                entry.persistent(), reason, queue.deadLetterExchange, queue.deadLetterRoutingKey,
                queue.deadLetterAtLeastOnce, clockMs);
        if (inFlight.size() < IN_FLIGHT_MAX && waiting.isEmpty()) {
            ask(pending, clockMs, ctx);
        } else {
            waiting.add(pending);
        }
    }

    /** The in-flight record a DeadLetter command settles, or null when it was settled (or dropped) already. */
    Pending inFlight(long id) {
        return inFlight.get(id);
    }

    /** The copy is in its queues (or was dropped): the record goes, and the next waiting one is asked for. */
    void settle(Pending pending, long clockMs, ApplyContext ctx) {
        inFlight.remove(pending.id);
        fillWindow(clockMs, ctx);
    }

    /** The Tick: asks again for every in-flight record past its deadline, and tells every deadline again. */
    void retryDue(long clockMs, ApplyContext ctx) {
        for (Pending pending : new ArrayList<>(inFlight.values())) {
            if (MessageExpiry.expired(pending.retryAtMs, clockMs)) {
                ask(pending, clockMs, ctx);
            } else {
                deadlines.accept(pending.retryAtMs);
            }
        }
    }

    /** Takes out (and returns) the records {@code which} selects, asked for or not; the caller releases them. */
    List<Pending> removeIf(Predicate<Pending> which, long clockMs, ApplyContext ctx) {
        List<Pending> removed = new ArrayList<>();
        for (Iterator<Pending> it = inFlight.values().iterator(); it.hasNext(); ) {
            Pending pending = it.next();
            if (which.test(pending)) {
                removed.add(pending);
                it.remove();
            }
        }
        for (Iterator<Pending> it = waiting.iterator(); it.hasNext(); ) {
            Pending pending = it.next();
            if (which.test(pending)) {
                removed.add(pending);
                it.remove();
            }
        }
        fillWindow(clockMs, ctx);
        return removed;
    }

    int size() {
        return inFlight.size() + waiting.size();
    }

    /** Every record, in flight first then waiting, each in id order: what a snapshot writes. */
    List<Pending> all() {
        List<Pending> all = new ArrayList<>(inFlight.values());
        all.addAll(waiting);
        return all;
    }

    /** A record read from a snapshot, in the order {@link #all} gave. */
    void restore(Pending pending) {
        if (pending.asked()) {
            inFlight.put(pending.id, pending);
        } else {
            waiting.add(pending);
        }
    }

    private void fillWindow(long clockMs, ApplyContext ctx) {
        while (inFlight.size() < IN_FLIGHT_MAX && !waiting.isEmpty()) {
            ask(waiting.poll(), clockMs, ctx);
        }
    }

    private void ask(Pending pending, long clockMs, ApplyContext ctx) {
        pending.retryAtMs = clockMs + RETRY_AFTER_MS;
        deadlines.accept(pending.retryAtMs);
        inFlight.put(pending.id, pending);
        ctx.emit(new Effect.DeadLetter(pending.id, pending.vhost, pending.queue, pending.key, pending.reason.wireName,
                pending.exchange, pending.routingKey, pending.diedAtMs));
    }
}
