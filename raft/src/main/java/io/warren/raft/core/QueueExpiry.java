package io.warren.raft.core;

import io.warren.proto.Table;
import io.warren.proto.Value;

/**
 * A queue's {@code x-expires}: a queue unused for that long (no consumers, no basic.get, no redeclare) is
 * deleted, cluster-wide, once, by the first Tick past it. Checked with RabbitMQ 3.10's 406 texts.
 */
final class QueueExpiry {
    private QueueExpiry() {}

    /** The queue's x-expires in ms, or -1, of arguments already checked by {@link #check}. */
    static long expiresAfter(Table arguments) {
        Value expires = Tables.get(arguments, "x-expires");
        return expires == null ? -1 : Tables.integer(expires);
    }

    /** Refuses, as RabbitMQ does (406), an x-expires it would refuse for {@code what} (a queue's describe()). */
    static void check(Table arguments, String what, AmqpMethod method) {
        Arguments.checkInteger(arguments, "x-expires", what, method, false, MessageExpiry.TTL_MAX);
    }
}
