package io.warren.raft.core;

import io.warren.proto.Publish;
import io.warren.proto.Table;
import io.warren.proto.Value;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.function.LongConsumer;

/**
 * Messages a delayed exchange holds (the x-delayed-message type of RabbitMQ's delayed-message plugin): a
 * message published to one with an x-delay header of 1 to 4294967295 ms waits here, in the replicated state
 * (so a node's failure loses none, where the plugin keeps them on one node), and the leader's first tick
 * past its time routes it as the exchange's x-delayed-type does. Due in time order, then publish order.
 */
final class DelayedMessages {
    /** The plugin's largest delay (Erlang's largest timer); a larger one is no delay, as there. */
    static final long DELAY_MAX = 4_294_967_295L;

    /** One held message: its publish (keys, headers, properties the core reads), store key and due time. */
    record Delayed(long id, String vhost, String exchange, Publish publish, long key, long dueAtMs) {}

    private final TreeSet<Delayed> held = new TreeSet<>(
            Comparator.comparingLong(Delayed::dueAtMs).thenComparingLong(Delayed::id));
    private final LongConsumer noteDeadline;
    long nextId = 1;

    /** {@code noteDeadline} is told the time after which the leader must tick for a held message. */
    DelayedMessages(LongConsumer noteDeadline) {
        this.noteDeadline = noteDeadline;
    }

    /**
     * The x-delay of a message's headers as the plugin reads it: an integer, or a float (truncated), or a
     * string of digits; 0 (no delay) for none, any other type, or a value outside 1..{@value #DELAY_MAX}.
     */
    static long delayOf(Table headers) {
        Value value = Tables.get(headers, "x-delay");
        if (value == null) {
            return 0;
        }
        long delay;
        switch (Tables.typeClass(value)) {
            case INTEGER -> delay = Tables.integer(value);
            case FLOAT -> delay = (long) Tables.floating(value);
            case TEXT -> {
                try {
                    delay = Long.parseLong(Tables.text(value));
                } catch (NumberFormatException e) {
                    delay = 0;
                }
            }
            default -> delay = 0;
        }
        return delay > 0 && delay <= DELAY_MAX ? delay : 0;
    }

    /** A delayed exchange needs x-delayed-type naming a type it can route as, else the plugin's refusals. */
    static void checkType(Table arguments, AmqpMethod method) {
        Value type = Tables.get(arguments, "x-delayed-type");
        String name = type == null ? null : Tables.text(type);
        if (name == null) {
            // the plugin's text, word for word
            throw method.refuse(ReplyCodes.PRECONDITION_FAILED,
                    "Invalid argument, 'x-delayed-type' must bean existing exchnage type");
        }
        ExchangeType routesAs = ExchangeType.fromWireName(name).orElse(null);
        if (routesAs == null || routesAs == ExchangeType.DELAYED) {
            throw method.refuse(ReplyCodes.COMMAND_INVALID, "unknown exchange type '" + name + "'");
        }
    }

    /** Holds a message published at {@code clockMs} for {@code delay} ms. */
    void hold(String vhost, String exchange, Publish publish, long key, long clockMs, long delay) {
        Delayed delayed = new Delayed(nextId++, vhost, exchange, publish, key, clockMs + delay);
        held.add(delayed);
        noteDeadline.accept(delayed.dueAtMs() - 1); // ticks come once the clock is past the deadline
    }

    /** A held message as a snapshot had it. */
    void restore(Delayed delayed) {
        held.add(delayed);
    }

    /** Takes the messages due at {@code clockMs}, in order, and notes the next deadline. */
    List<Delayed> takeDue(long clockMs) {
        List<Delayed> due = new ArrayList<>();
        while (!held.isEmpty() && held.first().dueAtMs() <= clockMs) {
            due.add(held.pollFirst());
        }
        if (!held.isEmpty()) {
            noteDeadline.accept(held.first().dueAtMs() - 1);
        }
        return due;
    }

    /** Every held message, in due order: for snapshots and the live keys. */
    List<Delayed> all() {
        return new ArrayList<>(held);
    }

    int size() {
        return held.size();
    }
}
