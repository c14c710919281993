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
    REFUSED,
    /** The client began a TLS handshake on a plain port: refused as any other header, logged as such. */
    REFUSED_TLS;

    public static final int LENGTH = 8;

    private static final byte[] SUPPORTED = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};

    /** A new buffer holding the supported header. */
    public static ByteBuf supported() {
        return Unpooled.wrappedBuffer(SUPPORTED.clone());
    }

    /** A TLS record of type handshake (22), version 3.x: a TLS client on a plain port. */
    static boolean startsTlsHandshake(ByteBuf in, int index) {
        return in.readableBytes() >= 2 && in.getByte(index) == 0x16 && in.getByte(index + 1) == 0x03;
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
