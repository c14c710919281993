package io.warren.amqp.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The protocol header a client sends first, {@code "AMQP" 0 0 9 1}, and what the decoder makes of it.
 * A client that sends anything else gets this header back and the socket is closed (spec 4.2.2).
 */
public enum ProtocolHeader {
    /** The client speaks AMQP 0-9-1: answer with connection.start. */
    ACCEPTED,
    /** The client sent another header: answer with ours and close. */
    REFUSED;

    public static final int LENGTH = 8;

    private static final byte[] SUPPORTED = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};

    /** A new buffer holding the supported header. */
    public static ByteBuf supported() {
        return Unpooled.wrappedBuffer(SUPPORTED.clone());
    }

    static boolean matches(ByteBuf in, int index) {
        for (int i = 0; i < LENGTH; i++) {
            if (in.getByte(index + i) != SUPPORTED[i]) {
                return false;
            }
        }
        return true;
    }
}
