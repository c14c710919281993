package io.warren.amqp.codec;

import io.netty.buffer.ByteBuf;

/** Copies of small, bounded buffer regions (field-table strings); message bodies are never copied. */
final class ByteBufBytes {
    private ByteBufBytes() {
    }

    static byte[] copy(ByteBuf buffer) {
        byte[] bytes = new byte[buffer.readableBytes()];
        buffer.readBytes(bytes);
        return bytes;
    }
}
