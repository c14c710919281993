package io.warren.amqp.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An AMQP long string: up to 2^32-1 bytes that need not be text (a SASL response holds NUL bytes,
 * an AMQPLAIN response a field table). Immutable, compared by content.
 */
public final class LongString {
    public static final LongString EMPTY = new LongString(new byte[0]);

    private final byte[] bytes;

    private LongString(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A long string holding a copy of {@code bytes}. */
    public static LongString of(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new LongString(bytes.clone());
    }

    /** A long string holding {@code text} as UTF-8. */
    public static LongString of(String text) {
        return text.isEmpty() ? EMPTY : new LongString(text.getBytes(StandardCharsets.UTF_8));
    }

    static LongString wrap(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new LongString(bytes);
    }

    public int length() {
        return bytes.length;
    }

    public byte[] toByteArray() {
        return bytes.clone();
    }

    byte[] bytesUnsafe() {
        return bytes;
    }

    /** The content decoded as UTF-8, with malformed sequences replaced. */
    public String asUtf8() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LongString that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return asUtf8();
    }
}
