package io.warren.amqp.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.frame.ContentBodyFrame;
import io.warren.amqp.frame.ContentHeaderFrame;
import io.warren.amqp.frame.Frame;
import io.warren.amqp.frame.HeartbeatFrame;
import io.warren.amqp.frame.MethodFrame;
import io.warren.amqp.method.Method;

/**
 * Turns one channel's frames into whole {@link Command}s: a method, then for content methods a content
 * header and body frames until the announced size is reached. Pure protocol state, no IO; one per
 * channel, on the connection's event loop.
 *
 * <p>Frames in the wrong order are a 505 UNEXPECTED_FRAME, a body frame past the announced size a 501
 * FRAME_ERROR (both connection errors, as in RabbitMQ's {@code rabbit_command_assembler}). A content
 * header announcing more than {@code bodySizeMax} bytes is refused at once with the channel error 406
 * PRECONDITION_FAILED that RabbitMQ gives for its {@code max_message_size}, before any body is
 * buffered. On any error the assembler releases what it held and starts over.
 */
public final class CommandAssembler {

    private enum State {
        /** Waiting for a method frame. */
        EXPECT_METHOD,
        /** A content method arrived; waiting for its content header. */
        EXPECT_HEADER,
        /** The header arrived; waiting for body frames up to the announced size. */
        EXPECT_BODY
    }

    private final long bodySizeMax;
    private final ByteBufAllocator allocator;
    private State state = State.EXPECT_METHOD;
    private Method method;
    private BasicProperties properties;
    private long bodyRemaining;
    private ByteBuf body;

    public CommandAssembler(long bodySizeMax, ByteBufAllocator allocator) {
        if (bodySizeMax < 0) {
            throw new IllegalArgumentException("bodySizeMax: " + bodySizeMax + " (expected: >= 0)");
        }
        this.bodySizeMax = bodySizeMax;
        this.allocator = allocator;
    }

    /**
     * Takes one frame, and ownership of a body frame's buffer whatever the outcome.
     *
     * @return the completed command, or null when more frames are needed
     * @throws AmqpException when the frame does not fit the sequence; the assembler is reset
     */
    public Command accept(Frame frame) {
        try {
            return switch (frame) {
                case MethodFrame m -> acceptMethod(m.method());
                case ContentHeaderFrame h -> acceptHeader(h);
                case ContentBodyFrame b -> acceptBody(b);
                case HeartbeatFrame h -> throw unexpected("heartbeat frame on channel " + frame.channel());
            };
        } catch (AmqpException e) {
            reset();
            throw e;
        }
    }

    /** True while a content method waits for its header or body. */
    public boolean isAssembling() {
        return state != State.EXPECT_METHOD;
    }

    /** Drops any partly assembled command and releases its body. */
    public void reset() {
        if (body != null) {
            body.release();
        }
        state = State.EXPECT_METHOD;
        method = null;
        properties = null;
        body = null;
        bodyRemaining = 0;
    }

    private Command acceptMethod(Method next) {
        if (state != State.EXPECT_METHOD) {
            throw unexpected(state == State.EXPECT_HEADER
                    ? "expected content header for class " + method.classId() + ", got non content header frame instead"
                    : "expected content body, got non content body frame instead");
        }
        if (!next.hasContent()) {
            return Command.of(next);
        }
        method = next;
        state = State.EXPECT_HEADER;
        return null;
    }

    private Command acceptHeader(ContentHeaderFrame header) {
        if (state != State.EXPECT_HEADER) {
            throw unexpected(state == State.EXPECT_METHOD
                    ? "expected method frame, got non method frame instead"
                    : "expected content body, got non content body frame instead");
        }
        if (header.classId() != method.classId() || header.weight() != 0) {
            throw unexpected("expected content header for class " + method.classId() + ", got one for class "
                    + header.classId() + " with weight " + header.weight() + " instead");
        }
        long size = header.bodySize();
        if (Long.compareUnsigned(size, bodySizeMax) > 0) {
            Method refused = method;
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "message size " + Long.toUnsignedString(size)
                    + " is larger than configured max size " + bodySizeMax, refused.classId(), refused.methodId());
        }
        properties = header.properties();
        if (size == 0) {
            Command command = new Command(method, properties, Unpooled.EMPTY_BUFFER);
            clear();
            return command;
        }
        bodyRemaining = size;
        state = State.EXPECT_BODY;
        return null;
    }

    private Command acceptBody(ContentBodyFrame frame) {
        if (state != State.EXPECT_BODY) {
            frame.release();
            throw unexpected(state == State.EXPECT_METHOD
                    ? "expected method frame, got non method frame instead"
                    : "expected content header for class " + method.classId() + ", got non content header frame instead");
        }
        ByteBuf fragment = frame.body();
        if (fragment.readableBytes() > bodyRemaining) {
            fragment.release();
            throw AmqpException.of(ReplyCode.FRAME_ERROR, "content body frame exceeds remaining content size",
                    method.classId(), method.methodId());
        }
        appendBody(fragment);
        bodyRemaining -= fragment.readableBytes();
        if (bodyRemaining > 0) {
            return null;
        }
        Command command = new Command(method, properties, body);
        body = null;
        clear();
        return command;
    }

    private void appendBody(ByteBuf fragment) {
        if (body == null) {
            body = fragment;
            return;
        }
        CompositeByteBuf composite;
        if (body instanceof CompositeByteBuf existing) {
            composite = existing;
        } else {
            composite = allocator.compositeBuffer(Integer.MAX_VALUE);
            composite.addComponent(true, body);
            body = composite;
        }
        composite.addComponent(true, fragment);
    }

    private void clear() {
        state = State.EXPECT_METHOD;
        method = null;
        properties = null;
        bodyRemaining = 0;
    }

    private static AmqpException unexpected(String detail) {
        return AmqpException.of(ReplyCode.UNEXPECTED_FRAME, detail);
    }
}
