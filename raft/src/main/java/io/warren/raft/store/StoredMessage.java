package io.warren.raft.store;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A published message as the message store keeps it: what a delivery needs besides the few numbers the
 * replicated index holds. Encoded as {@code u8 exchange length, exchange, u8 routing key length, routing
 * key, int properties length, properties, body}; exchange names and routing keys are AMQP short strings,
 * so one byte holds their length.
 *
 * @param properties the content header's property flags and list, exactly as the publisher sent them
 */
public record StoredMessage(String exchange, String routingKey, ByteString properties, ByteString body) {

    public StoredMessage {
        if (exchange.getBytes(StandardCharsets.UTF_8).length > 255
                || routingKey.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("exchange and routing key are short strings (at most 255 bytes)");
        }
    }

    /** The encoded form's length. */
    public int encodedSize() {
        return 1 + utf8Length(exchange) + 1 + utf8Length(routingKey) + 4 + properties.size() + body.size();
    }

    public ByteString encode() {
        return encode(exchange, routingKey, properties.asReadOnlyByteBuffer(), body.asReadOnlyByteBuffer());
    }

    /** Encodes a message straight from the buffers a publish arrived in: its one copy on the way in. */
    public static ByteString encode(String exchange, String routingKey, ByteBuffer properties, ByteBuffer body) {
        byte[] x = exchange.getBytes(StandardCharsets.UTF_8);
        byte[] rk = routingKey.getBytes(StandardCharsets.UTF_8);
        if (x.length > 255 || rk.length > 255) {
            throw new IllegalArgumentException("exchange and routing key are short strings (at most 255 bytes)");
        }
        byte[] out = new byte[1 + x.length + 1 + rk.length + 4 + properties.remaining() + body.remaining()];
        ByteBuffer.wrap(out).put((byte) x.length).put(x).put((byte) rk.length).put(rk)
                .putInt(properties.remaining()).put(properties.duplicate()).put(body.duplicate());
        return com.google.protobuf.UnsafeByteOperations.unsafeWrap(out);
    }

    /** Decodes an encoded message; the properties and body share {@code encoded}'s bytes. */
    public static StoredMessage decode(ByteString encoded) {
        try {
            int at = 0;
            int xLength = encoded.byteAt(at++) & 0xff;
            String x = encoded.substring(at, at + xLength).toStringUtf8();
            at += xLength;
            int rkLength = encoded.byteAt(at++) & 0xff;
            String rk = encoded.substring(at, at + rkLength).toStringUtf8();
            at += rkLength;
            int propertiesLength = encoded.substring(at, at + 4).asReadOnlyByteBuffer().getInt();
            at += 4;
            if (propertiesLength < 0) {
                throw new IllegalArgumentException("negative properties length");
            }
            ByteString properties = encoded.substring(at, at + propertiesLength);
            at += propertiesLength;
            return new StoredMessage(x, rk, properties, encoded.substring(at));
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("stored message cut short (" + encoded.size() + " bytes)", e);
        }
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
