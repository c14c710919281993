package io.warren.raft.core;

import io.warren.proto.Table;
import io.warren.proto.Value;

/**
 * A quorum queue's {@code x-delivery-limit}: a message returned to the queue (rejected or nacked with requeue,
 * or left unacked by a channel that closed) more often than this is dropped instead (dead-lettering with
 * reason {@code delivery_limit} is not built yet). RabbitMQ 3.10 has no default limit; a classic queue accepts
 * the argument and ignores it, as RabbitMQ's does.
 */
final class DeliveryLimit {
    private DeliveryLimit() {}

    /** The limit, or -1, of arguments already checked by {@link #check}. */
    static long of(Table arguments) {
        Value limit = Tables.get(arguments, "x-delivery-limit");
        return limit == null ? -1 : Tables.integer(limit);
    }

    static void check(Table arguments, String what, AmqpMethod method) {
        Arguments.checkInteger(arguments, "x-delivery-limit", what, method, true, Long.MAX_VALUE);
    }
}
