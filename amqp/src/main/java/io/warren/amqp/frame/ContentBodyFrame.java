package io.warren.amqp.frame;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;
import java.util.Objects;

/**
 * A content body frame. The body is a retained slice of the socket's buffer, never a copy; whoever
 * holds the frame releases it once.
 */
public record ContentBodyFrame(int channel, ByteBuf body) implements Frame, ReferenceCounted {
    public ContentBodyFrame {
        Objects.requireNonNull(body, "body");
    }

    @Override
    public int refCnt() {
        return body.refCnt();
    }

    @Override
    public ContentBodyFrame retain() {
        body.retain();
        return this;
    }

    @Override
    public ContentBodyFrame retain(int increment) {
        body.retain(increment);
        return this;
    }

    @Override
    public ContentBodyFrame touch() {
        body.touch();
        return this;
    }

    @Override
    public ContentBodyFrame touch(Object hint) {
        body.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return body.release();
    }

    @Override
    public boolean release(int decrement) {
        return body.release(decrement);
    }
}
