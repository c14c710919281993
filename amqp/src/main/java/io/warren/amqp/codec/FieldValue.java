package io.warren.amqp.codec;

import java.util.List;
import java.util.Objects;

/**
 * A value in an AMQP field table or field array, one record per type tag that RabbitMQ's clients send
 * (RabbitMQ's 0-9-1 errata table: t b B s u I i l f d D S x A T F V). The tag is kept with the value,
 * so a table decoded and encoded again comes out byte for byte the same: Warren passes client headers
 * and arguments through unchanged.
 */
public sealed interface FieldValue {

    /** The one-byte type tag on the wire. */
    char tag();

    /** 't': a boolean octet. */
    record Bool(boolean value) implements FieldValue {
        @Override public char tag() { return 't'; }
    }

    /** 'b': a signed 8-bit integer. */
    record Int8(byte value) implements FieldValue {
        @Override public char tag() { return 'b'; }
    }

    /** 'B': an unsigned 8-bit integer. */
    record UInt8(int value) implements FieldValue {
        public UInt8 { Arguments.octet("value", value); }
        @Override public char tag() { return 'B'; }
    }

    /** 's': a signed 16-bit integer (RabbitMQ's meaning of 's', not the spec's short string). */
    record Int16(short value) implements FieldValue {
        @Override public char tag() { return 's'; }
    }

    /** 'u': an unsigned 16-bit integer. */
    record UInt16(int value) implements FieldValue {
        public UInt16 { Arguments.unsignedShort("value", value); }
        @Override public char tag() { return 'u'; }
    }

    /** 'I': a signed 32-bit integer. */
    record Int32(int value) implements FieldValue {
        @Override public char tag() { return 'I'; }
    }

    /** 'i': an unsigned 32-bit integer. */
    record UInt32(long value) implements FieldValue {
        public UInt32 { Arguments.unsignedInt("value", value); }
        @Override public char tag() { return 'i'; }
    }

    /** 'l': a signed 64-bit integer. */
    record Int64(long value) implements FieldValue {
        @Override public char tag() { return 'l'; }
    }

    /** 'f': an IEEE 754 single. Compared by bits, so NaN payloads survive a round trip. */
    record Float32(float value) implements FieldValue {
        @Override public char tag() { return 'f'; }
        @Override public boolean equals(Object o) {
            return o instanceof Float32 that && Float.floatToRawIntBits(value) == Float.floatToRawIntBits(that.value);
        }
        @Override public int hashCode() { return Float.floatToRawIntBits(value); }
    }

    /** 'd': an IEEE 754 double. Compared by bits, so NaN payloads survive a round trip. */
    record Float64(double value) implements FieldValue {
        @Override public char tag() { return 'd'; }
        @Override public boolean equals(Object o) {
            return o instanceof Float64 that
                    && Double.doubleToRawLongBits(value) == Double.doubleToRawLongBits(that.value);
        }
        @Override public int hashCode() { return Long.hashCode(Double.doubleToRawLongBits(value)); }
    }

    /** 'D': a decimal, {@code unscaled / 10^scale}. */
    record Decimal(int scale, int unscaled) implements FieldValue {
        public Decimal { Arguments.octet("scale", scale); }
        @Override public char tag() { return 'D'; }
    }

    /** 'S': a long string. */
    record Text(LongString value) implements FieldValue {
        public Text { Objects.requireNonNull(value, "value"); }
        public static Text of(String value) { return new Text(LongString.of(value)); }
        @Override public char tag() { return 'S'; }
    }

    /** 'x': a byte array. */
    record Bytes(LongString value) implements FieldValue {
        public Bytes { Objects.requireNonNull(value, "value"); }
        @Override public char tag() { return 'x'; }
    }

    /** 'A': a field array. */
    record Array(List<FieldValue> values) implements FieldValue {
        public Array { values = List.copyOf(values); }
        @Override public char tag() { return 'A'; }
    }

    /** 'T': a timestamp, seconds since the epoch, as an unsigned 64-bit integer. */
    record Timestamp(long secondsSinceEpoch) implements FieldValue {
        @Override public char tag() { return 'T'; }
    }

    /** 'F': a nested field table. */
    record Table(FieldTable value) implements FieldValue {
        public Table { Objects.requireNonNull(value, "value"); }
        @Override public char tag() { return 'F'; }
    }

    /** 'V': no value. */
    record Void() implements FieldValue {
        public static final Void INSTANCE = new Void();
        @Override public char tag() { return 'V'; }
    }
}
