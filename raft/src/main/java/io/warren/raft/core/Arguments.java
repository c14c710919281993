package io.warren.raft.core;

import io.warren.proto.Table;
import io.warren.proto.TableEntry;
import io.warren.proto.Value;
import java.util.List;
import java.util.Set;

/**
 * Declaration arguments: which ones Warren does not implement yet (refused with 406 rather than silently
 * ignored, so nobody relies on a TTL or a length limit that is not there), and the equivalence checks of
 * a redeclaration, with RabbitMQ's 406 texts.
 */
final class Arguments {
    static final Set<String> QUEUE_UNSUPPORTED = Set.of(
            "x-queue-master-locator", "x-queue-leader-locator", "x-max-in-memory-length",
            "x-max-in-memory-bytes", "x-initial-cluster-size", "x-max-age",
            "x-stream-max-segment-size-bytes");
    static final Set<String> EXCHANGE_UNSUPPORTED = Set.of();
    /** Exchange arguments RabbitMQ compares on redeclaration among those Warren accepts. */
    static final List<String> EXCHANGE_COMPARED = List.of("alternate-exchange");
    /** Queue arguments RabbitMQ compares on redeclaration among those Warren accepts; a list, so the order of checks is fixed. */
    static final List<String> QUEUE_COMPARED = List.of("x-expires", "x-message-ttl", "x-dead-letter-exchange",
            "x-dead-letter-routing-key", "x-max-length", "x-max-length-bytes", "x-max-priority", "x-overflow",
            "x-queue-mode", "x-single-active-consumer", "x-queue-type", "x-delivery-limit", "x-dead-letter-strategy");

    /** An exchange name or routing key is an AMQP short string: at most this many bytes. */
    static final int SHORT_STRING_MAX = 255;

    private Arguments() {}

    /** RabbitMQ's 406 for a bad argument of {@code what} (a queue's describe()). */
    static Refused invalid(String key, String what, String error, AmqpMethod method) {
        return method.refuse(ReplyCodes.PRECONDITION_FAILED, "invalid arg '" + key + "' for " + what + ": " + error);
    }

    /**
     * An argument that must be of {@code type} when given, else RabbitMQ's 406 {@code {unacceptable_type,T}};
     * returns it, null when absent.
     */
    static Value requireType(Table arguments, String key, Tables.TypeClass type, String what, AmqpMethod method) {
        Value value = Tables.get(arguments, key);
        if (value != null && Tables.typeClass(value) != type) {
            throw invalid(key, what, "{unacceptable_type," + Tables.rabbitTypeName(value) + "}", method);
        }
        return value;
    }

    static void refuseUnsupported(Table arguments, Set<String> unsupported, String kind, AmqpMethod method) {
        for (TableEntry entry : arguments.getEntriesList()) {
            if (unsupported.contains(entry.getKey())) {
                throw method.refuse(ReplyCodes.PRECONDITION_FAILED, kind + " argument '" + entry.getKey()
                        + "' is not supported by Warren yet");
            }
        }
    }

    /** A consumer's x-priority: any integer (RabbitMQ takes 2^40 too), else 406 with RabbitMQ's text. */
    static void checkConsumerPriority(Table arguments, String what, AmqpMethod method) {
        Value priority = Tables.get(arguments, "x-priority");
        if (priority != null && Tables.typeClass(priority) != Tables.TypeClass.INTEGER) {
            throw method.refuse(ReplyCodes.PRECONDITION_FAILED, "invalid arg 'x-priority' for " + what
                    + ": \"expected integer, got " + Tables.rabbitTypeName(priority) + "\"");
        }
    }

    /** An integer argument already checked by {@link #checkInteger}, or {@code absent} when not given. */
    static long integerOr(Table arguments, String key, long absent) {
        Value value = Tables.get(arguments, key);
        return value == null ? absent : Tables.integer(value);
    }

    /**
     * An integer argument as RabbitMQ checks it (406 with its text): of an AMQP integer type, not zero unless
     * {@code zeroAllowed}, not negative, at most {@code max}.
     */
    static void checkInteger(Table arguments, String key, String what, AmqpMethod method, boolean zeroAllowed,
            long max) {
        Value value = Tables.get(arguments, key);
        if (value == null) {
            return;
        }
        String error = null;
        if (Tables.typeClass(value) != Tables.TypeClass.INTEGER) {
            error = "\"expected integer, got " + Tables.rabbitTypeName(value) + "\"";
        } else if (Tables.integer(value) == 0 && !zeroAllowed) {
            error = "{value_zero,0}";
        } else if (Tables.integer(value) < 0) {
            error = "{value_negative," + Tables.integer(value) + "}";
        } else if (Tables.integer(value) > max) {
            error = "{value_too_large," + Tables.integer(value) + "}";
        }
        if (error != null) {
            throw invalid(key, what, error, method);
        }
    }

    /** The most priority levels a queue may have, as in RabbitMQ (its MAX_SUPPORTED_PRIORITY). */
    static final int PRIORITY_MAX = 255;

    /** x-max-priority as RabbitMQ 3.10 checks it: an integer from 0 to {@value #PRIORITY_MAX}, 406 with its text. */
    static void checkMaxPriority(Table arguments, String what, AmqpMethod method) {
        checkInteger(arguments, "x-max-priority", what, method, true, Long.MAX_VALUE);
        long max = integerOr(arguments, "x-max-priority", 0);
        if (max > PRIORITY_MAX) {
            throw invalid("x-max-priority", what, "{max_value_exceeded," + max + "}", method);
        }
    }

    /** x-queue-type may be classic or quorum (every Warren queue is replicated); streams are not offered. */
    static void checkQueueType(Table arguments, AmqpMethod method) {
        Value type = Tables.get(arguments, "x-queue-type");
        if (type != null) {
            String name = Tables.text(type);
            if (name == null || !(name.equals("classic") || name.equals("quorum"))) {
                throw method.refuse(ReplyCodes.PRECONDITION_FAILED, "invalid arg 'x-queue-type' of value '"
                        + Tables.display(type) + "': Warren offers classic and quorum");
            }
        }
    }

    static void requireSame(String arg, Object received, Object current, String what, AmqpMethod method) {
        if (!received.equals(current)) {
            throw method.refuse(ReplyCodes.PRECONDITION_FAILED, "inequivalent arg '" + arg + "' for " + what
                    + ": received '" + received + "' but current is '" + current + "'");
        }
    }

    static void requireSameArguments(Table received, Table current, String what, AmqpMethod method) {
        requireSameArguments(QUEUE_COMPARED, received, current, what, method);
    }

    static void requireSameArguments(List<String> compared, Table received, Table current, String what,
            AmqpMethod method) {
        for (String key : compared) {
            Value mine = Tables.get(received, key);
            Value theirs = Tables.get(current, key);
            // RabbitMQ compares by type class and value: a length of 5 as a short equals 5 as a long.
            boolean same = mine == null ? theirs == null : theirs != null
                    && Tables.typeClass(mine) == Tables.typeClass(theirs) && Tables.sameValue(mine, theirs);
            if (!same) {
                // RabbitMQ names the values alone when both are there, and value and type beside "none"
                String receivedText = mine != null && theirs != null ? "'" + Tables.display(mine) + "'" : describe(mine);
                String currentText = mine != null && theirs != null ? "'" + Tables.display(theirs) + "'" : describe(theirs);
                throw method.refuse(ReplyCodes.PRECONDITION_FAILED, "inequivalent arg '" + key + "' for " + what
                        + ": received " + receivedText + " but current is " + currentText);
            }
        }
    }

    private static String describe(Value value) {
        return value == null ? "none"
                : "the value '" + Tables.display(value) + "' of type '" + Tables.rabbitTypeName(value) + "'";
    }
}
