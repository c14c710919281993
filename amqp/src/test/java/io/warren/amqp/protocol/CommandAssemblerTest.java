package io.warren.amqp.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.frame.ContentBodyFrame;
import io.warren.amqp.frame.ContentHeaderFrame;
import io.warren.amqp.frame.MethodFrame;
import io.warren.amqp.method.BasicMethod;
import io.warren.amqp.method.ChannelMethod;
import io.warren.amqp.testing.LeakRecorder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Goal: one channel's frames become whole commands as in RabbitMQ's rabbit_command_assembler, and
 * every out-of-order frame is the error RabbitMQ gives it. Method: frames fed directly to the pure
 * assembler; buffers are checked for release.
 */
class CommandAssemblerTest {
    private static final BasicMethod.Publish PUBLISH = new BasicMethod.Publish("", "q", false, false);

    private final CommandAssembler assembler = new CommandAssembler(1000, ByteBufAllocator.DEFAULT);

    private static ContentBodyFrame body(String text) {
        return new ContentBodyFrame(1, Unpooled.copiedBuffer(text.getBytes()));
    }

    private static ContentHeaderFrame header(long size) {
        return new ContentHeaderFrame(1, 60, 0, size, BasicProperties.EMPTY);
    }

    @AfterAll
    static void noLeaks() {
        LeakRecorder.assertNoLeaks();
    }

    @Test
    void shouldPassMethodsWithoutContentStraightThrough() {
        Command command = assembler.accept(new MethodFrame(1, new ChannelMethod.Flow(true)));
        assertEquals(new ChannelMethod.Flow(true), command.method());
        assertNull(command.body());
    }

    @Test
    void shouldReassembleABodySplitAcrossFrames() {
        assertNull(assembler.accept(new MethodFrame(1, PUBLISH)));
        assertNull(assembler.accept(header(11)));
        assertNull(assembler.accept(body("hello ")));
        Command command = assembler.accept(body("world"));
        byte[] bytes = new byte[command.body().readableBytes()];
        command.body().getBytes(command.body().readerIndex(), bytes);
        assertArrayEquals("hello world".getBytes(), bytes);
        command.release();
        assertFalse(assembler.isAssembling());
    }

    @Test
    void shouldCompleteAZeroLengthBodyAtItsHeader() {
        assembler.accept(new MethodFrame(1, PUBLISH));
        Command command = assembler.accept(header(0));
        assertEquals(0, command.body().readableBytes());
    }

    @Test
    void shouldRefuseAMethodWhereAContentHeaderBelongsWithUnexpectedFrame() {
        assembler.accept(new MethodFrame(1, PUBLISH));
        AmqpException e = assertThrows(AmqpException.class, () -> assembler.accept(new MethodFrame(1, PUBLISH)));
        assertEquals(ReplyCode.UNEXPECTED_FRAME, e.replyCode());
        assertFalse(assembler.isAssembling());
    }

    @Test
    void shouldRefuseABodyWithoutAMethodWithUnexpectedFrame() {
        ContentBodyFrame frame = body("stray");
        AmqpException e = assertThrows(AmqpException.class, () -> assembler.accept(frame));
        assertEquals(ReplyCode.UNEXPECTED_FRAME, e.replyCode());
        assertEquals(0, frame.refCnt(), "a refused body is released");
    }

    @Test
    void shouldRefuseAHeaderWithoutAMethodWithUnexpectedFrame() {
        AmqpException e = assertThrows(AmqpException.class, () -> assembler.accept(header(3)));
        assertEquals(ReplyCode.UNEXPECTED_FRAME, e.replyCode());
    }

    @Test
    void shouldRefuseAMethodInsideABodyWithUnexpectedFrameAndReleaseThePartialBody() {
        assembler.accept(new MethodFrame(1, PUBLISH));
        assembler.accept(header(10));
        ContentBodyFrame part = body("12345");
        ByteBuf partBuffer = part.body();
        assembler.accept(part);
        AmqpException e = assertThrows(AmqpException.class, () -> assembler.accept(new MethodFrame(1, PUBLISH)));
        assertEquals(ReplyCode.UNEXPECTED_FRAME, e.replyCode());
        assertEquals(0, partBuffer.refCnt());
    }

    @Test
    void shouldRefuseABodyLongerThanAnnouncedWithFrameError() {
        assembler.accept(new MethodFrame(1, PUBLISH));
        assembler.accept(header(3));
        ContentBodyFrame frame = body("too long");
        AmqpException e = assertThrows(AmqpException.class, () -> assembler.accept(frame));
        assertEquals(ReplyCode.FRAME_ERROR, e.replyCode());
        assertEquals(0, frame.refCnt());
    }

    @Test
    void shouldRefuseAHeaderWithAWeightWithUnexpectedFrame() {
        assembler.accept(new MethodFrame(1, PUBLISH));
        AmqpException e = assertThrows(AmqpException.class,
                () -> assembler.accept(new ContentHeaderFrame(1, 60, 1, 3, BasicProperties.EMPTY)));
        assertEquals(ReplyCode.UNEXPECTED_FRAME, e.replyCode());
    }

    @Test
    void shouldRefuseAnAnnouncedBodyOverTheMaximumAtTheHeaderWithPreconditionFailed() {
        assembler.accept(new MethodFrame(1, PUBLISH));
        // 2^64 - 1 bytes announced (all bits set): refused before a single body byte is held
        AmqpException e = assertThrows(AmqpException.class, () -> assembler.accept(header(-1L)));
        assertEquals(ReplyCode.PRECONDITION_FAILED, e.replyCode());
        assertEquals(AmqpException.Scope.CHANNEL, e.scope());
        assertEquals(60, e.classId());
        assertEquals(40, e.methodId());
    }
}
