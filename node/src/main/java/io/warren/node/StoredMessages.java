package io.warren.node;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.codec.BasicPropertiesCodec;
import io.warren.raft.store.StoredMessage;
import java.nio.ByteBuffer;

/** A message's properties to and from the form the message store keeps (a StoredMessage's encoded bytes). */
final class StoredMessages {
    private StoredMessages() {}

    /** The stored form of a message published (or dead-lettered) to {@code exchange} with {@code routingKey}. */
    static ByteString encode(String exchange, String routingKey, BasicProperties properties, ByteBuffer body) {
        ByteBuf encoded = Unpooled.buffer(64);
        try {
            BasicPropertiesCodec.write(properties, encoded);
            return StoredMessage.encode(exchange, routingKey, encoded.nioBuffer(), body);
        } finally {
            encoded.release();
        }
    }

    /** The properties of a stored message, decoded. */
    static BasicProperties properties(ByteString bytes) {
        return BasicPropertiesCodec.read(Unpooled.wrappedBuffer(bytes.asReadOnlyByteBuffer()));
    }
}
