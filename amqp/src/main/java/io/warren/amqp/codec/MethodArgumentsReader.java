package io.warren.amqp.codec;

import io.netty.buffer.ByteBuf;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Reads AMQP domain values (octet, short, long, longlong, bit, short string, long string, field
 * table, timestamp) from a frame payload, relative to its reader index. Consecutive bits are unpacked
 * from shared octets, least significant first, as the spec packs them.
 *
 * <p>Every read checks {@code readableBytes()} first: a payload that ends early is a 501 FRAME_ERROR, a
 * field table with an unknown type tag or nested deeper than {@link #TABLE_DEPTH_MAX} is a 502
 * SYNTAX_ERROR. Both are thrown as {@link AmqpException}; nothing else escapes. Not thread-safe.
 */
public final class MethodArgumentsReader {
    /** Nested tables and arrays deeper than this are refused, so a small frame cannot exhaust the stack. */
    public static final int TABLE_DEPTH_MAX = 64;

    private final ByteBuf in;
    private int bitOctet;
    private int bitMask;

    public MethodArgumentsReader(ByteBuf in) {
        this.in = in;
    }

    public int readOctet() {
        clearBits();
        need(1, "octet");
        return in.readUnsignedByte();
    }

    public int readShort() {
        clearBits();
        need(2, "short");
        return in.readUnsignedShort();
    }

    public long readLong() {
        clearBits();
        need(4, "long");
        return in.readUnsignedInt();
    }

    public long readLongLong() {
        clearBits();
        need(8, "longlong");
        return in.readLong();
    }

    public long readTimestamp() {
        return readLongLong();
    }

    public boolean readBit() {
        if (bitMask == 0 || bitMask == 0x100) {
            need(1, "bit");
            bitOctet = in.readUnsignedByte();
            bitMask = 1;
        }
        boolean bit = (bitOctet & bitMask) != 0;
        bitMask <<= 1;
        return bit;
    }

    public String readShortString() {
        clearBits();
        need(1, "short string length");
        int length = in.readUnsignedByte();
        need(length, "short string");
        String value = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
        in.skipBytes(length);
        return value;
    }

    public LongString readLongString() {
        clearBits();
        return LongString.wrap(readLongBytes("long string"));
    }

    public FieldTable readTable() {
        clearBits();
        return readTable(in, 0);
    }

    /** True when every byte of the payload was read. */
    public boolean isFullyRead() {
        return in.readableBytes() == 0;
    }

    private byte[] readLongBytes(String what) {
        need(4, what + " length");
        long length = in.readUnsignedInt();
        if (length > in.readableBytes()) {
            throw truncated(what, length);
        }
        byte[] bytes = new byte[(int) length];
        in.readBytes(bytes);
        return bytes;
    }

    private FieldTable readTable(ByteBuf source, int depth) {
        ByteBuf table = readSized(source, "field table");
        if (depth >= TABLE_DEPTH_MAX) {
            throw syntaxError("field table nested deeper than " + TABLE_DEPTH_MAX);
        }
        LinkedHashMap<String, FieldValue> entries = new LinkedHashMap<>();
        while (table.isReadable()) {
            int nameLength = table.readUnsignedByte();
            if (nameLength > table.readableBytes()) {
                throw truncated("field name", nameLength);
            }
            String name = table.toString(table.readerIndex(), nameLength, StandardCharsets.UTF_8);
            table.skipBytes(nameLength);
            entries.put(name, readValue(table, depth));
        }
        return entries.isEmpty() ? FieldTable.EMPTY : FieldTable.of(entries);
    }

    private ByteBuf readSized(ByteBuf source, String what) {
        if (source.readableBytes() < 4) {
            throw truncated(what + " length", 4);
        }
        long length = source.readUnsignedInt();
        if (length > source.readableBytes()) {
            throw truncated(what, length);
        }
        return source.readSlice((int) length);
    }

    private FieldValue readValue(ByteBuf source, int depth) {
        requireReadable(source, 1, "field value type");
        char tag = (char) source.readUnsignedByte();
        return switch (tag) {
            case 't' -> new FieldValue.Bool(fixed(source, 1).readByte() != 0);
            case 'b' -> new FieldValue.Int8(fixed(source, 1).readByte());
            case 'B' -> new FieldValue.UInt8(fixed(source, 1).readUnsignedByte());
            case 's' -> new FieldValue.Int16(fixed(source, 2).readShort());
            case 'u' -> new FieldValue.UInt16(fixed(source, 2).readUnsignedShort());
            case 'I' -> new FieldValue.Int32(fixed(source, 4).readInt());
            case 'i' -> new FieldValue.UInt32(fixed(source, 4).readUnsignedInt());
            case 'l' -> new FieldValue.Int64(fixed(source, 8).readLong());
            case 'f' -> new FieldValue.Float32(fixed(source, 4).readFloat());
            case 'd' -> new FieldValue.Float64(fixed(source, 8).readDouble());
            case 'D' -> new FieldValue.Decimal(fixed(source, 5).readUnsignedByte(), source.readInt());
            case 'S' -> new FieldValue.Text(LongString.wrap(ByteBufBytes.copy(readSized(source, "long string"))));
            case 'x' -> new FieldValue.Bytes(LongString.wrap(ByteBufBytes.copy(readSized(source, "byte array"))));
            case 'A' -> readArray(source, depth);
            case 'T' -> new FieldValue.Timestamp(fixed(source, 8).readLong());
            case 'F' -> new FieldValue.Table(readTable(source, depth + 1));
            case 'V' -> FieldValue.Void.INSTANCE;
            default -> throw syntaxError("unknown field value type '" + printable(tag) + "'");
        };
    }

    private FieldValue readArray(ByteBuf source, int depth) {
        ByteBuf array = readSized(source, "field array");
        if (depth + 1 >= TABLE_DEPTH_MAX) {
            throw syntaxError("field array nested deeper than " + TABLE_DEPTH_MAX);
        }
        List<FieldValue> values = new ArrayList<>();
        while (array.isReadable()) {
            values.add(readValue(array, depth + 1));
        }
        return new FieldValue.Array(values);
    }

    private static ByteBuf fixed(ByteBuf source, int length) {
        requireReadable(source, length, "field value");
        return source;
    }

    private void need(int length, String what) {
        requireReadable(in, length, what);
    }

    private static void requireReadable(ByteBuf source, int length, String what) {
        if (source.readableBytes() < length) {
            throw truncated(what, length);
        }
    }

    private void clearBits() {
        bitMask = 0;
    }

    private static AmqpException truncated(String what, long length) {
        return AmqpException.of(ReplyCode.FRAME_ERROR, "frame ends inside a " + what + " of " + length + " bytes");
    }

    private static AmqpException syntaxError(String detail) {
        return AmqpException.of(ReplyCode.SYNTAX_ERROR, detail);
    }

    private static String printable(char tag) {
        return tag >= 0x20 && tag < 0x7F ? String.valueOf(tag) : String.format("\\x%02x", (int) tag);
    }
}
