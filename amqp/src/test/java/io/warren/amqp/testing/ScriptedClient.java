package io.warren.amqp.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.codec.LongString;
import io.warren.amqp.frame.ContentBodyFrame;
import io.warren.amqp.frame.ContentHeaderFrame;
import io.warren.amqp.frame.Frame;
import io.warren.amqp.frame.FrameDecoder;
import io.warren.amqp.frame.FrameEncoder;
import io.warren.amqp.frame.MethodFrame;
import io.warren.amqp.method.BasicMethod;
import io.warren.amqp.method.ChannelMethod;
import io.warren.amqp.method.ConnectionMethod;
import io.warren.amqp.method.Method;
import io.warren.amqp.server.AmqpServerConfig;
import io.warren.amqp.server.AmqpServerInitializer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A client played by the test against the server pipeline in an {@link EmbeddedChannel}: it encodes
 * frames with Warren's encoder, feeds the bytes to the server, and decodes what the server wrote with
 * a second decoder. Time is frozen; tests move it with {@link #advanceSeconds}.
 */
public final class ScriptedClient implements AutoCloseable {
    public static final FieldTable ALL_CAPABILITIES = FieldTable.builder()
            .put("capabilities", FieldTable.builder()
                    .put("authentication_failure_close", true)
                    .put("consumer_cancel_notify", true)
                    .put("connection.blocked", true)
                    .put("publisher_confirms", true)
                    .build())
            .build();

    public final EmbeddedChannel server;
    private final EmbeddedChannel encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
    private final EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(Integer.MAX_VALUE));
    private final ArrayDeque<Frame> received = new ArrayDeque<>();

    public ScriptedClient(AmqpServerConfig config, io.warren.amqp.broker.Broker broker) {
        server = new EmbeddedChannel();
        server.freezeTime();
        AmqpServerInitializer.configure(server.pipeline(), config, TestAuthenticator.guest(), broker);
        server.pipeline().fireChannelActive();
        // Our decoder expects a protocol header first; the server sends none, so give it one.
        decoder.writeInbound(Unpooled.wrappedBuffer(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1}));
        decoder.readInbound();
    }

    public void sendProtocolHeader() {
        sendRaw(Unpooled.wrappedBuffer(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1}));
    }

    /** Sends raw bytes, as one TCP read. */
    public void sendRaw(ByteBuf bytes) {
        server.writeInbound(bytes);
        server.runPendingTasks();
    }

    public void sendRaw(byte[] bytes) {
        sendRaw(Unpooled.wrappedBuffer(bytes));
    }

    /** The bytes Warren's encoder makes of {@code frame}. */
    public ByteBuf encode(Frame frame) {
        encoder.writeOutbound(frame);
        List<ByteBuf> parts = new ArrayList<>();
        for (Object part; (part = encoder.readOutbound()) != null; ) {
            parts.add((ByteBuf) part);
        }
        return Unpooled.wrappedBuffer(parts.toArray(new ByteBuf[0]));
    }

    public void send(int channel, Method method) {
        sendRaw(encode(new MethodFrame(channel, method)));
    }

    public void sendFrame(Frame frame) {
        sendRaw(encode(frame));
    }

    /** basic.publish with its content, the body in frames of at most {@code chunk} bytes. */
    public void publish(int channel, BasicMethod.Publish publish, BasicProperties properties, byte[] body, int chunk) {
        send(channel, publish);
        sendFrame(new ContentHeaderFrame(channel, 60, 0, body.length, properties));
        for (int offset = 0; offset < body.length; offset += chunk) {
            int length = Math.min(chunk, body.length - offset);
            sendFrame(new ContentBodyFrame(channel, Unpooled.wrappedBuffer(body, offset, length)));
        }
    }

    public void advanceSeconds(long seconds) {
        server.advanceTimeBy(seconds, java.util.concurrent.TimeUnit.SECONDS);
        server.runPendingTasks();
        server.runScheduledPendingTasks();
    }

    /** The next frame the server wrote, or null when it wrote nothing more. */
    public Frame nextFrame() {
        server.runPendingTasks();
        for (Object out; (out = server.readOutbound()) != null; ) {
            decoder.writeInbound(out);
            for (Object decoded; (decoded = decoder.readInbound()) != null; ) {
                received.add((Frame) decoded);
            }
        }
        return received.poll();
    }

    /** The next frame must be {@code type} on {@code channel}. */
    public <M extends Method> M expect(int channel, Class<M> type) {
        Frame frame = nextFrame();
        assertNotNull(frame, "expected " + type.getSimpleName() + " on channel " + channel + ", got nothing");
        MethodFrame methodFrame = assertInstanceOf(MethodFrame.class, frame, "expected a method frame");
        assertEquals(channel, frame.channel(), "channel of " + methodFrame.method().name());
        return assertInstanceOf(type, methodFrame.method());
    }

    /** Asserts connection.close with {@code code}, and returns it. */
    public ConnectionMethod.Close expectConnectionClose(int code) {
        ConnectionMethod.Close close = expect(0, ConnectionMethod.Close.class);
        assertEquals(code, close.replyCode(), "reply code; text: " + close.replyText());
        return close;
    }

    /** Asserts channel.close with {@code code} on {@code channel}, and returns it. */
    public ChannelMethod.Close expectChannelClose(int channel, int code) {
        ChannelMethod.Close close = expect(channel, ChannelMethod.Close.class);
        assertEquals(code, close.replyCode(), "reply code; text: " + close.replyText());
        return close;
    }

    /** Reads the rest of a delivered message: header and body frames. */
    public byte[] expectContent(int channel) {
        ContentHeaderFrame header = assertInstanceOf(ContentHeaderFrame.class, nextFrame());
        byte[] body = new byte[(int) header.bodySize()];
        int offset = 0;
        while (offset < body.length) {
            ContentBodyFrame frame = assertInstanceOf(ContentBodyFrame.class, nextFrame());
            assertEquals(channel, frame.channel());
            int length = frame.body().readableBytes();
            frame.body().readBytes(body, offset, length);
            frame.release();
            offset += length;
        }
        return body;
    }

    public void assertNothingMore() {
        Frame frame = nextFrame();
        if (frame != null) {
            ReferenceCountUtil.release(frame);
            throw new AssertionError("unexpected frame " + frame);
        }
    }

    /** Sends the protocol header and start-ok (PLAIN, guest) and expects connection.tune. */
    public void authenticate() {
        sendProtocolHeader();
        expect(0, ConnectionMethod.Start.class);
        send(0, new ConnectionMethod.StartOk(ALL_CAPABILITIES, "PLAIN", plain("guest", "guest"), "en_US"));
        expect(0, ConnectionMethod.Tune.class);
    }

    /** Runs start, start-ok (PLAIN), tune, tune-ok, open and open-ok. */
    public void handshake(int channelMax, long frameMax, int heartbeat) {
        authenticate();
        send(0, new ConnectionMethod.TuneOk(channelMax, frameMax, heartbeat));
        send(0, new ConnectionMethod.Open("/"));
        expect(0, ConnectionMethod.OpenOk.class);
    }

    public void handshake() {
        handshake(0, 0, 0);
    }

    public void openChannel(int channel) {
        send(channel, new ChannelMethod.Open());
        expect(channel, ChannelMethod.OpenOk.class);
    }

    public static LongString plain(String user, String password) {
        return LongString.of(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    public boolean isOpen() {
        server.runPendingTasks();
        return server.isOpen();
    }

    public void assertClosed() {
        assertTrue(!isOpen(), "the server should have closed the socket");
    }

    @Override
    public void close() {
        for (Frame frame; (frame = nextFrame()) != null; ) {
            ReferenceCountUtil.release(frame);
        }
        server.finishAndReleaseAll();
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }
}
