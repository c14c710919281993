package io.warren.raft.core;

/**
 * Message TTL: a queue's {@code x-message-ttl} and a message's {@code expiration} property, checked with
 * RabbitMQ 3.10's 406 texts (probed: a bad expiration closes the channel even when the message is
 * unroutable), and the time a message expires at. A message expires at the core's clock when it was
 * enqueued plus the smaller of the two TTLs, and is expired once the clock is past that, so an expiration
 * of 0 still reaches a consumer waiting with credit at that moment, as in RabbitMQ.
 */
final class MessageExpiry {
    /** The expiry of a message with no TTL. */
    static final long NEVER = Long.MAX_VALUE;
    /** RabbitMQ's largest TTL, ten years in ms: one more is {@code value_too_large}. */
    static final long TTL_MAX = 315_360_000_000L;
    /** Erlang's {@code ~p} breaks a term that does not fit in this many columns, as RabbitMQ's text shows. */
    private static final int ERLANG_LINE_LENGTH = 80;

    private MessageExpiry() {}

    /**
     * A message's expiration property as a TTL in ms. RabbitMQ reads it with Erlang's string:to_integer: an
     * optional sign and digits, nothing before them and nothing after.
     */
    static long parseExpiration(String text, AmqpMethod method) {
        int at = 0;
        if (at < text.length() && (text.charAt(at) == '+' || text.charAt(at) == '-')) {
            at++;
        }
        int digitsFrom = at;
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            at++;
        }
        if (at == digitsFrom) {
            throw invalidExpiration(text, "no_integer", method);
        }
        String number = text.substring(0, at);
        if (at < text.length()) {
            throw invalidExpiration(text, erlangPair("leftover_string", "\"" + text.substring(at) + "\"",
                    prefix(text).length()), method);
        }
        java.math.BigInteger value = new java.math.BigInteger(number.startsWith("+") ? number.substring(1) : number);
        if (value.signum() < 0) {
            throw invalidExpiration(text, erlangPair("value_negative", value.toString(), prefix(text).length()), method);
        }
        if (value.compareTo(java.math.BigInteger.valueOf(TTL_MAX)) > 0) {
            throw invalidExpiration(text, erlangPair("value_too_large", value.toString(), prefix(text).length()), method);
        }
        return value.longValueExact();
    }

    /** When a message enqueued at {@code clockMs} expires, under a queue TTL and a message TTL (-1: none). */
    static long expiresAt(long clockMs, long queueTtl, long messageTtl) {
        long ttl = queueTtl < 0 ? messageTtl : messageTtl < 0 ? queueTtl : Math.min(queueTtl, messageTtl);
        return ttl < 0 ? NEVER : clockMs + ttl;
    }

    /** Whether a message that expires at {@code expiresAt} has expired by {@code clockMs}. */
    static boolean expired(long expiresAt, long clockMs) {
        return clockMs > expiresAt;
    }

    private static String prefix(String text) {
        return "invalid expiration '" + text + "': ";
    }

    private static Refused invalidExpiration(String text, String error, AmqpMethod method) {
        return method.refuse(ReplyCodes.PRECONDITION_FAILED, prefix(text) + error);
    }

    /**
     * An Erlang pair {@code {Tag,Value}} as {@code ~p} prints it starting at column {@code column}: on one
     * line when it fits in {@value #ERLANG_LINE_LENGTH} columns, else broken after the comma with the value
     * indented under the tag.
     */
    static String erlangPair(String tag, String value, int column) {
        String flat = "{" + tag + "," + value + "}";
        if (column + flat.length() <= ERLANG_LINE_LENGTH) {
            return flat;
        }
        return "{" + tag + ",\n" + " ".repeat(column + 1) + value + "}";
    }
}
