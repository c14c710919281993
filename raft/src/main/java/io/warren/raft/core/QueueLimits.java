package io.warren.raft.core;

import io.warren.proto.Table;
import io.warren.proto.Value;

/**
 * A queue's length limits ({@code x-max-length}, {@code x-max-length-bytes}) and what happens past them
 * ({@code x-overflow}), read from its declaration arguments. Both limits count ready messages only, and
 * bytes are body bytes, as RabbitMQ counts them.
 *
 * <p>RabbitMQ's two queue types differ past the limit, and a Warren queue follows the type it was declared
 * with ({@code x-queue-type}; none is classic, as in RabbitMQ). Classic: reject-publish refuses a message
 * that would take the queue over the limit. Quorum: the message that takes the queue over the limit is
 * still taken, and only then does the queue refuse publishes, until it is back at or below 80 % of the
 * limit. Drop-head drops the oldest ready messages until the queue is within the limit, in both.
 * Reject-publish-dlx is reject-publish on a classic queue (what it refuses goes to the dead-letter exchange,
 * which Warren does not offer yet, so nowhere) and drop-head on a quorum queue, as RabbitMQ 3.10 treats it.
 *
 * @param maxLength ready messages at most, or {@link #NONE}
 * @param maxBytes ready body bytes at most, or {@link #NONE}
 */
record QueueLimits(long maxLength, long maxBytes, Overflow overflow, boolean quorum) {
    static final long NONE = -1;
    static final QueueLimits UNLIMITED = new QueueLimits(NONE, NONE, Overflow.DROP_HEAD, false);
    /** A blocked quorum queue takes publishes again at or below this share of its limits (RabbitMQ's). */
    private static final double QUORUM_SOFT_LIMIT = 0.8;

    enum Overflow {
        DROP_HEAD("drop-head"), REJECT_PUBLISH("reject-publish"), REJECT_PUBLISH_DLX("reject-publish-dlx");

        final String wireName;

        Overflow(String wireName) {
            this.wireName = wireName;
        }

        static Overflow fromWireName(String name) {
            for (Overflow overflow : values()) {
                if (overflow.wireName.equals(name)) {
                    return overflow;
                }
            }
            return null;
        }
    }

    /** The limits of arguments already checked by {@link #check}. */
    static QueueLimits of(Table arguments) {
        Value length = Tables.get(arguments, "x-max-length");
        Value bytes = Tables.get(arguments, "x-max-length-bytes");
        if (length == null && bytes == null) {
            return UNLIMITED;
        }
        Value overflow = Tables.get(arguments, "x-overflow");
        Overflow strategy = overflow == null ? Overflow.DROP_HEAD : Overflow.fromWireName(Tables.text(overflow));
        boolean quorum = isQuorum(arguments);
        if (strategy == Overflow.REJECT_PUBLISH_DLX && quorum) {
            strategy = Overflow.DROP_HEAD; // RabbitMQ 3.10's quorum queues take it and drop the head
        }
        return new QueueLimits(length == null ? NONE : Tables.integer(length),
                bytes == null ? NONE : Tables.integer(bytes), strategy, quorum);
    }

    /** Refuses, as RabbitMQ does (406), limit arguments it would refuse for {@code what} (a queue's describe()). */
    static void check(Table arguments, String what, AmqpMethod method) {
        Arguments.checkInteger(arguments, "x-max-length", what, method, true, Long.MAX_VALUE);
        Arguments.checkInteger(arguments, "x-max-length-bytes", what, method, true, Long.MAX_VALUE);
        Value overflow = Arguments.requireType(arguments, "x-overflow", Tables.TypeClass.TEXT, what, method);
        if (overflow != null && Overflow.fromWireName(Tables.text(overflow)) == null) {
            throw Arguments.invalid("x-overflow", what, "invalid_overflow", method);
        }
    }

    static boolean isQuorum(Table arguments) {
        Value type = Tables.get(arguments, "x-queue-type");
        return type != null && "quorum".equals(Tables.text(type));
    }

    boolean limited() {
        return maxLength != NONE || maxBytes != NONE;
    }

    /** More ready than the limits allow: drop-head drops, a quorum reject-publish queue starts refusing. */
    boolean exceeded(ReadyMessages ready) {
        return maxLength != NONE && ready.size() > maxLength || maxBytes != NONE && ready.bytes() > maxBytes;
    }

    /** A classic reject-publish queue refuses a message of {@code bodyBytes} that would exceed its limits. */
    boolean wouldExceed(ReadyMessages ready, long bodyBytes) {
        return maxLength != NONE && ready.size() + 1 > maxLength
                || maxBytes != NONE && ready.bytes() + bodyBytes > maxBytes;
    }

    /** A blocked quorum reject-publish queue takes publishes again. */
    boolean belowSoftLimit(ReadyMessages ready) {
        return (maxLength == NONE || ready.size() <= (long) (maxLength * QUORUM_SOFT_LIMIT))
                && (maxBytes == NONE || ready.bytes() <= (long) (maxBytes * QUORUM_SOFT_LIMIT));
    }

    boolean rejectsPublishes() {
        return overflow != Overflow.DROP_HEAD;
    }
}
