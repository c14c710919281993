package io.warren.amqp.codec;

import io.netty.buffer.ByteBuf;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;

/**
 * The property list of a basic content header: a 16-bit flag word (bit 15 is the first property,
 * bit 0 says another flag word follows) and the present properties in order. Class basic has 14
 * properties, so a continuation bit or a flag in bits 1 is refused with 502 SYNTAX_ERROR.
 */
public final class BasicPropertiesCodec {
    private static final int CONTINUATION_FLAG = 1;
    private static final int UNUSED_FLAG = 1 << 1;

    private BasicPropertiesCodec() {
    }

    private static int flag(int index) {
        return 1 << (15 - index);
    }

    /** Reads a property list; a frame that ends early is a 501 FRAME_ERROR. */
    public static BasicProperties read(ByteBuf in) {
        MethodArgumentsReader reader = new MethodArgumentsReader(in);
        int flags = reader.readShort();
        if ((flags & (CONTINUATION_FLAG | UNUSED_FLAG)) != 0) {
            throw AmqpException.of(ReplyCode.SYNTAX_ERROR,
                    "content header property flags 0x" + Integer.toHexString(flags) + " set bits unused by class basic");
        }
        BasicProperties properties = new BasicProperties(
                has(flags, 0) ? reader.readShortString() : null,
                has(flags, 1) ? reader.readShortString() : null,
                has(flags, 2) ? reader.readTable() : null,
                has(flags, 3) ? reader.readOctet() : null,
                has(flags, 4) ? reader.readOctet() : null,
                has(flags, 5) ? reader.readShortString() : null,
                has(flags, 6) ? reader.readShortString() : null,
                has(flags, 7) ? reader.readShortString() : null,
                has(flags, 8) ? reader.readShortString() : null,
                has(flags, 9) ? reader.readTimestamp() : null,
                has(flags, 10) ? reader.readShortString() : null,
                has(flags, 11) ? reader.readShortString() : null,
                has(flags, 12) ? reader.readShortString() : null,
                has(flags, 13) ? reader.readShortString() : null);
        if (!reader.isFullyRead()) {
            throw AmqpException.of(ReplyCode.FRAME_ERROR, "content header has bytes after its last property");
        }
        return properties;
    }

    /** Writes the flag word and the present properties. */
    public static void write(BasicProperties p, ByteBuf out) {
        int flags = 0;
        Object[] values = {p.contentType(), p.contentEncoding(), p.headers(), p.deliveryMode(), p.priority(),
            p.correlationId(), p.replyTo(), p.expiration(), p.messageId(), p.timestamp(), p.type(), p.userId(),
            p.appId(), p.clusterId()};
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                flags |= flag(i);
            }
        }
        MethodArgumentsWriter writer = new MethodArgumentsWriter(out);
        writer.writeShort(flags);
        if (p.contentType() != null) {
            writer.writeShortString(p.contentType());
        }
        if (p.contentEncoding() != null) {
            writer.writeShortString(p.contentEncoding());
        }
        if (p.headers() != null) {
            writer.writeTable(p.headers());
        }
        if (p.deliveryMode() != null) {
            writer.writeOctet(p.deliveryMode());
        }
        if (p.priority() != null) {
            writer.writeOctet(p.priority());
        }
        writeIfPresent(writer, p.correlationId());
        writeIfPresent(writer, p.replyTo());
        writeIfPresent(writer, p.expiration());
        writeIfPresent(writer, p.messageId());
        if (p.timestamp() != null) {
            writer.writeTimestamp(p.timestamp());
        }
        writeIfPresent(writer, p.type());
        writeIfPresent(writer, p.userId());
        writeIfPresent(writer, p.appId());
        writeIfPresent(writer, p.clusterId());
        writer.finish();
    }

    private static boolean has(int flags, int index) {
        return (flags & flag(index)) != 0;
    }

    private static void writeIfPresent(MethodArgumentsWriter writer, String value) {
        if (value != null) {
            writer.writeShortString(value);
        }
    }
}
