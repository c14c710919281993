package io.warren.amqp.server;

import io.netty.buffer.ByteBuf;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.frame.ContentBodyFrame;
import io.warren.amqp.frame.ContentHeaderFrame;
import io.warren.amqp.frame.Frame;
import io.warren.amqp.frame.MethodFrame;
import io.warren.amqp.method.Method;
import java.util.ArrayList;
import java.util.List;

/** Splits a content method into its method, header and body frames, each within frame_max. */
final class ContentFrames {
    private ContentFrames() {
    }

    /**
     * Takes ownership of {@code body}: each body frame holds a retained slice of it, and the original
     * reference is released here.
     */
    static List<Frame> of(int channel, Method method, BasicProperties properties, ByteBuf body, long frameMax) {
        int size = body.readableBytes();
        long chunkMax = frameMax - Frame.OVERHEAD_BYTES;
        List<Frame> frames = new ArrayList<>(2 + (int) ((size + chunkMax - 1) / chunkMax));
        frames.add(new MethodFrame(channel, method));
        frames.add(new ContentHeaderFrame(channel, method.classId(), 0, size, properties));
        int offset = body.readerIndex();
        int end = offset + size;
        try {
            while (offset < end) {
                int length = (int) Math.min(chunkMax, end - offset);
                frames.add(new ContentBodyFrame(channel, body.retainedSlice(offset, length)));
                offset += length;
            }
        } finally {
            body.release();
        }
        return frames;
    }
}
