package io.warren.amqp.codec;

import java.nio.charset.StandardCharsets;

/**
 * Checks of field values against their AMQP types, each failing with the field's name, its value and
 * what was expected ({@code "prefetchCount: 70000 (expected: 0..65535)"}), in the manner of Netty's
 * {@code ObjectUtil}. Called by the method and property records' constructors, so an out-of-range
 * value never reaches the encoder.
 */
public final class Arguments {
    /** A short string holds at most this many bytes of UTF-8. */
    public static final int SHORT_STRING_BYTES_MAX = 255;

    private Arguments() {
    }

    public static int octet(String name, int value) {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: 0..255)");
        }
        return value;
    }

    public static int unsignedShort(String name, int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: 0..65535)");
        }
        return value;
    }

    public static long unsignedInt(String name, long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: 0..4294967295)");
        }
        return value;
    }

    public static String shortString(String name, String value) {
        if (value != null) {
            shortStringBytes(name, value);
        }
        return value;
    }

    /** The UTF-8 bytes of a short string, checked to fit in 255. */
    static byte[] shortStringBytes(String name, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > SHORT_STRING_BYTES_MAX) {
            throw new IllegalArgumentException(
                    name + ": " + bytes.length + " bytes (expected: <= " + SHORT_STRING_BYTES_MAX + ")");
        }
        return bytes;
    }
}
