package io.warren.amqp.codec;

import io.netty.buffer.ByteBuf;
import java.util.Map;

/**
 * Writes AMQP domain values to a buffer. Consecutive bits share octets, least significant first; any
 * other write, and {@link #finish()}, flushes pending bits. Values were range-checked by the records
 * that hold them. Not thread-safe.
 */
public final class MethodArgumentsWriter {
    private final ByteBuf out;
    private int bitOctet;
    private int bitCount;

    public MethodArgumentsWriter(ByteBuf out) {
        this.out = out;
    }

    public void writeOctet(int value) {
        flushBits();
        out.writeByte(value);
    }

    public void writeShort(int value) {
        flushBits();
        out.writeShort(value);
    }

    public void writeLong(long value) {
        flushBits();
        out.writeInt((int) value);
    }

    public void writeLongLong(long value) {
        flushBits();
        out.writeLong(value);
    }

    public void writeTimestamp(long value) {
        writeLongLong(value);
    }

    public void writeBit(boolean value) {
        if (bitCount == 8) {
            flushBits();
        }
        if (value) {
            bitOctet |= 1 << bitCount;
        }
        bitCount++;
    }

    public void writeShortString(String value) {
        flushBits();
        writeShortStringTo(out, value);
    }

    public void writeLongString(LongString value) {
        flushBits();
        out.writeInt(value.length());
        out.writeBytes(value.bytesUnsafe());
    }

    public void writeTable(FieldTable table) {
        flushBits();
        writeTableTo(out, table);
    }

    /** Flushes pending bits; call once after the last argument. */
    public void finish() {
        flushBits();
    }

    private void flushBits() {
        if (bitCount > 0) {
            out.writeByte(bitOctet);
            bitOctet = 0;
            bitCount = 0;
        }
    }

    static void writeShortStringTo(ByteBuf out, String value) {
        byte[] bytes = Arguments.shortStringBytes("short string", value);
        out.writeByte(bytes.length);
        out.writeBytes(bytes);
    }

    static void writeTableTo(ByteBuf out, FieldTable table) {
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        for (Map.Entry<String, FieldValue> entry : table.entries().entrySet()) {
            writeShortStringTo(out, entry.getKey());
            writeValue(out, entry.getValue());
        }
        out.setInt(lengthIndex, out.writerIndex() - lengthIndex - 4);
    }

    private static void writeValue(ByteBuf out, FieldValue value) {
        out.writeByte(value.tag());
        switch (value) {
            case FieldValue.Bool v -> out.writeByte(v.value() ? 1 : 0);
            case FieldValue.Int8 v -> out.writeByte(v.value());
            case FieldValue.UInt8 v -> out.writeByte(v.value());
            case FieldValue.Int16 v -> out.writeShort(v.value());
            case FieldValue.UInt16 v -> out.writeShort(v.value());
            case FieldValue.Int32 v -> out.writeInt(v.value());
            case FieldValue.UInt32 v -> out.writeInt((int) v.value());
            case FieldValue.Int64 v -> out.writeLong(v.value());
            case FieldValue.Float32 v -> out.writeFloat(v.value());
            case FieldValue.Float64 v -> out.writeDouble(v.value());
            case FieldValue.Decimal v -> {
                out.writeByte(v.scale());
                out.writeInt(v.unscaled());
            }
            case FieldValue.Text v -> writeBytes(out, v.value());
            case FieldValue.Bytes v -> writeBytes(out, v.value());
            case FieldValue.Array v -> {
                int lengthIndex = out.writerIndex();
                out.writeInt(0);
                for (FieldValue element : v.values()) {
                    writeValue(out, element);
                }
                out.setInt(lengthIndex, out.writerIndex() - lengthIndex - 4);
            }
            case FieldValue.Timestamp v -> out.writeLong(v.secondsSinceEpoch());
            case FieldValue.Table v -> writeTableTo(out, v.value());
            case FieldValue.Void v -> {
                // a void has no bytes after its tag
            }
        }
    }

    private static void writeBytes(ByteBuf out, LongString value) {
        out.writeInt(value.length());
        out.writeBytes(value.bytesUnsafe());
    }
}
