package io.warren.raft.core;

import java.util.Base64;

/**
 * Server-made names (amq.gen-... queues, amq.ctag-... consumer tags) in RabbitMQ's shape: a prefix and
 * 22 URL-safe base64 characters. Derived from the log index and the command's place in its batch, so
 * every node makes the same name; never from a clock or a random source (DESIGN invariant 1).
 */
final class Names {
    private Names() {}

    static String generate(String prefix, long logIndex, int commandPosition, int attempt) {
        long seed = logIndex * 0x9E3779B97F4A7C15L + commandPosition * 0xBF58476D1CE4E5B9L + attempt;
        byte[] bytes = new byte[16];
        long first = mix(seed);
        long second = mix(first ^ 0x94D049BB133111EBL);
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (first >>> (8 * i));
            bytes[8 + i] = (byte) (second >>> (8 * i));
        }
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** SplitMix64's finaliser: a fixed bijection that spreads bits, not a random source. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
