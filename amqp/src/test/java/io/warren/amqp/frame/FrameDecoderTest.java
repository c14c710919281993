package io.warren.amqp.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.method.BasicMethod;
import io.warren.amqp.method.QueueMethod;
import io.warren.amqp.codec.FieldTable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: the frame decoder turns any split of valid bytes into the same frames, and turns invalid
 * bytes into the connection error the spec and RabbitMQ give, before buffering an oversize payload.
 * Method: Netty EmbeddedChannel, input fed whole, byte by byte, and split at every offset;
 * {@code finish()} must leave nothing behind.
 */
class FrameDecoderTest {
    private static final byte[] HEADER = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};

    private static byte[] encode(Frame... frames) {
        EmbeddedChannel encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
        ByteBuf all = Unpooled.buffer();
        for (Frame frame : frames) {
            encoder.writeOutbound(frame);
            for (ByteBuf part; (part = encoder.readOutbound()) != null; ) {
                all.writeBytes(part);
                part.release();
            }
        }
        assertFalse(encoder.finish());
        byte[] bytes = new byte[all.readableBytes()];
        all.readBytes(bytes);
        return bytes;
    }

    private static List<Object> decode(long frameMax, byte[]... chunks) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(frameMax));
        for (byte[] chunk : chunks) {
            channel.writeInbound(Unpooled.wrappedBuffer(chunk));
        }
        List<Object> out = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            out.add(o);
        }
        assertFalse(channel.finish(), "nothing may be left in the decoder");
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuf buf = Unpooled.buffer();
        for (byte[] part : parts) {
            buf.writeBytes(part);
        }
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    private static byte[] sampleStream() {
        return concat(HEADER, encode(
                new MethodFrame(1, new QueueMethod.Declare("q", false, true, false, false, false, FieldTable.EMPTY)),
                new MethodFrame(1, new BasicMethod.Publish("", "q", false, false)),
                new ContentHeaderFrame(1, 60, 0, 5, BasicProperties.EMPTY.withDeliveryMode(2)),
                new ContentBodyFrame(1, Unpooled.wrappedBuffer("hello".getBytes())),
                HeartbeatFrame.INSTANCE));
    }

    private static void assertSampleFrames(List<Object> out) {
        assertEquals(6, out.size());
        assertEquals(ProtocolHeader.ACCEPTED, out.get(0));
        assertInstanceOf(QueueMethod.Declare.class, ((MethodFrame) out.get(1)).method());
        assertInstanceOf(BasicMethod.Publish.class, ((MethodFrame) out.get(2)).method());
        assertEquals(5, ((ContentHeaderFrame) out.get(3)).bodySize());
        ContentBodyFrame body = (ContentBodyFrame) out.get(4);
        byte[] bytes = new byte[5];
        body.body().readBytes(bytes);
        body.release();
        assertArrayEquals("hello".getBytes(), bytes);
        assertEquals(HeartbeatFrame.INSTANCE, out.get(5));
    }

    @Test
    void shouldDecodeAWholeStream() {
        assertSampleFrames(decode(131072, sampleStream()));
    }

    @Test
    void shouldDecodeAStreamFedOneByteAtATime() {
        byte[] stream = sampleStream();
        byte[][] chunks = new byte[stream.length][];
        for (int i = 0; i < stream.length; i++) {
            chunks[i] = new byte[] {stream[i]};
        }
        assertSampleFrames(decode(131072, chunks));
    }

    @Test
    void shouldDecodeAStreamSplitAtEveryOffset() {
        byte[] stream = sampleStream();
        for (int split = 1; split < stream.length; split++) {
            byte[] first = java.util.Arrays.copyOfRange(stream, 0, split);
            byte[] second = java.util.Arrays.copyOfRange(stream, split, stream.length);
            assertSampleFrames(decode(131072, first, second));
        }
    }

    @Test
    void shouldAnswerAWrongProtocolHeaderWithRefusal() {
        List<Object> out = decode(131072, new byte[] {'A', 'M', 'Q', 'P', 1, 1, 0, 9});
        assertEquals(List.of(ProtocolHeader.REFUSED), out);
        assertEquals(List.of(ProtocolHeader.REFUSED), decode(131072, "GET / HTTP/1.1\r\n".getBytes()));
    }

    @Test
    void shouldRefuseAnOversizeFrameFromItsHeaderAloneWithFrameError() {
        // Only the 7-byte header of a frame claiming 1 MiB: the error must come before any payload.
        byte[] header = {1, 0, 1, 0, 0x10, 0, 0};
        List<Object> out = decode(131072, HEADER, header);
        FrameError error = assertInstanceOf(FrameError.class, out.get(1));
        assertEquals(ReplyCode.FRAME_ERROR, error.error().replyCode());
    }

    @Test
    void shouldRefuseAWrongFrameEndWithFrameError() {
        byte[] frame = encode(HeartbeatFrame.INSTANCE);
        frame[frame.length - 1] = 0x00;
        FrameError error = assertInstanceOf(FrameError.class, decode(131072, HEADER, frame).get(1));
        assertEquals(ReplyCode.FRAME_ERROR, error.error().replyCode());
    }

    @Test
    void shouldRefuseAnUnknownFrameTypeWithFrameError() {
        FrameError error = assertInstanceOf(FrameError.class,
                decode(131072, HEADER, new byte[] {9, 0, 0, 0, 0, 0, 0, (byte) 0xCE}).get(1));
        assertEquals(ReplyCode.FRAME_ERROR, error.error().replyCode());
    }

    @Test
    void shouldRefuseAHeartbeatOnAChannelWithFrameError() {
        FrameError error = assertInstanceOf(FrameError.class,
                decode(131072, HEADER, new byte[] {8, 0, 3, 0, 0, 0, 0, (byte) 0xCE}).get(1));
        assertEquals(ReplyCode.FRAME_ERROR, error.error().replyCode());
    }

    @Test
    void shouldRefuseAnUnknownMethodWithNotImplemented() {
        FrameError error = assertInstanceOf(FrameError.class,
                decode(131072, HEADER, new byte[] {1, 0, 1, 0, 0, 0, 4, 0, 99, 0, 10, (byte) 0xCE}).get(1));
        assertEquals(ReplyCode.NOT_IMPLEMENTED, error.error().replyCode());
        assertEquals(99, error.error().classId());
    }

    @Test
    void shouldRefuseATruncatedMethodWithFrameError() {
        // queue.declare whose payload ends inside the queue name
        FrameError error = assertInstanceOf(FrameError.class,
                decode(131072, HEADER, new byte[] {1, 0, 1, 0, 0, 0, 8, 0, 50, 0, 10, 0, 0, 9, 'q', (byte) 0xCE}).get(1));
        assertEquals(ReplyCode.FRAME_ERROR, error.error().replyCode());
        assertEquals(50, error.error().classId());
        assertEquals(10, error.error().methodId());
    }

    @Test
    void shouldRefuseAContentHeaderOfAClassWithoutContentWithUnexpectedFrame() {
        byte[] payload = Unpooled.buffer().writeShort(50).writeShort(0).writeLong(0).writeShort(0).array();
        ByteBuf frame = Unpooled.buffer().writeByte(2).writeShort(1).writeInt(14).writeBytes(payload, 0, 14)
                .writeByte(0xCE);
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        FrameError error = assertInstanceOf(FrameError.class, decode(131072, HEADER, bytes).get(1));
        assertEquals(ReplyCode.UNEXPECTED_FRAME, error.error().replyCode());
    }

    @Test
    void shouldDropEverythingAfterAnError() {
        byte[] bad = {9, 0, 0, 0, 0, 0, 0, (byte) 0xCE};
        List<Object> out = decode(131072, HEADER, bad, encode(HeartbeatFrame.INSTANCE));
        assertEquals(2, out.size());
    }

    @Test
    void shouldApplyTheNegotiatedFrameMax() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(131072));
        channel.writeInbound(Unpooled.wrappedBuffer(HEADER));
        assertEquals(ProtocolHeader.ACCEPTED, channel.readInbound());
        channel.pipeline().get(FrameDecoder.class).frameMax(4096);
        byte[] body = encode(new ContentBodyFrame(1, Unpooled.wrappedBuffer(new byte[4089])));
        channel.writeInbound(Unpooled.wrappedBuffer(body));
        assertInstanceOf(FrameError.class, channel.readInbound());
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }
}
