package io.warren.amqp.server;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.frame.ContentBodyFrame;
import io.warren.amqp.frame.ContentHeaderFrame;
import io.warren.amqp.frame.Frame;
import io.warren.amqp.frame.FrameDecoder;
import io.warren.amqp.frame.FrameError;
import io.warren.amqp.frame.MethodFrame;
import io.warren.amqp.method.BasicMethod;
import io.warren.amqp.method.ChannelMethod;
import io.warren.amqp.method.ConfirmMethod;
import io.warren.amqp.method.ConnectionMethod;
import io.warren.amqp.method.ExchangeMethod;
import io.warren.amqp.method.QueueMethod;
import io.warren.amqp.testing.InMemoryBroker;
import io.warren.amqp.testing.LeakRecorder;
import io.warren.amqp.testing.ScriptedClient;
import io.warren.amqp.testing.TestAuthenticator;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Goal: no input, however broken, escapes the pipeline as an unhandled exception, leaks a buffer or
 * ends a connection with a code the spec does not give for bad input. Method: a valid client session
 * (handshake, channels, declares, publishes with multi-frame bodies, gets, acks, closes) is encoded,
 * then each of 3000 seeded cases truncates it, flips bytes, inserts random bytes or repeats a
 * segment, and feeds the result in random chunk sizes. After each case the server must be either still
 * open without having sent connection.close, or closing with one of the bad-input codes, or closed
 * without a close frame only where RabbitMQ does so (a refused protocol header or login). A failure
 * prints its case number; rerun one case with {@code -Dwarren.fuzz.case=N}.
 */
class FrameFuzzTest {
    private static final long SEED = 0x5741_5252_454EL;
    private static final int CASES = 3000;
    private static final Set<Integer> BAD_INPUT_CODES = Set.of(403, 501, 502, 503, 504, 505, 506, 530, 540);

    @AfterAll
    static void noLeaks() {
        LeakRecorder.assertNoLeaks();
    }

    static byte[] validSession(ScriptedClient encoder) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1});
        Frame[] frames = {
            new MethodFrame(0, new ConnectionMethod.StartOk(ScriptedClient.ALL_CAPABILITIES, "PLAIN",
                    ScriptedClient.plain("guest", "guest"), "en_US")),
            new MethodFrame(0, new ConnectionMethod.TuneOk(16, 4096, 0)),
            new MethodFrame(0, new ConnectionMethod.Open("/")),
            new MethodFrame(1, new ChannelMethod.Open()),
            new MethodFrame(1, new QueueMethod.Declare("q", false, false, false, false, false,
                    FieldTable.builder().put("x-max-length", FieldTable.builder().put("n", "v").build()).build())),
            new MethodFrame(1, new ExchangeMethod.Declare("x", "topic", false, true, false, false, false, FieldTable.EMPTY)),
            new MethodFrame(1, new ConfirmMethod.Select(false)),
            new MethodFrame(1, new BasicMethod.Publish("", "q", true, false)),
            new ContentHeaderFrame(1, 60, 0, 6000, new BasicProperties("text/plain", null,
                    FieldTable.builder().put("h", true).build(), 2, 1, "c", "r", "1000", "m", 1L, "t", "guest", "a", null)),
            new ContentBodyFrame(1, Unpooled.wrappedBuffer(new byte[4000])),
            new ContentBodyFrame(1, Unpooled.wrappedBuffer(new byte[2000])),
            new MethodFrame(2, new ChannelMethod.Open()),
            new MethodFrame(2, new BasicMethod.Get("q", false)),
            new MethodFrame(2, new BasicMethod.Ack(1, false)),
            new MethodFrame(1, new BasicMethod.Consume("q", "", false, true, false, false, FieldTable.EMPTY)),
            new MethodFrame(2, new ChannelMethod.Close(200, "bye", 0, 0)),
            new MethodFrame(0, new ConnectionMethod.Close(200, "bye", 0, 0)),
        };
        for (Frame frame : frames) {
            ByteBuf encoded = encoder.encode(frame);
            byte[] bytes = new byte[encoded.readableBytes()];
            encoded.readBytes(bytes);
            encoded.release();
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    static byte[] mutate(byte[] valid, Random random) {
        byte[] bytes = valid.clone();
        switch (random.nextInt(5)) {
            case 0 -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
            case 1 -> {
                int flips = 1 + random.nextInt(5);
                for (int i = 0; i < flips; i++) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            case 2 -> {
                int at = random.nextInt(bytes.length);
                byte[] noise = new byte[1 + random.nextInt(40)];
                random.nextBytes(noise);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(bytes, 0, at);
                out.writeBytes(noise);
                out.write(bytes, at, bytes.length - at);
                bytes = out.toByteArray();
            }
            case 3 -> {
                int from = random.nextInt(bytes.length);
                int length = 1 + random.nextInt(Math.min(200, bytes.length - from));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(bytes, 0, from + length);
                out.write(bytes, from, length);
                out.write(bytes, from + length, bytes.length - from - length);
                bytes = out.toByteArray();
            }
            default -> {
                // a frame's size field set to a random value, the classic oversize attack
                int at = 8 + random.nextInt(Math.max(1, bytes.length - 12));
                for (int i = 0; i < 4 && at + i < bytes.length; i++) {
                    bytes[at + i] = (byte) random.nextInt(256);
                }
            }
        }
        return bytes;
    }

    private record Outcome(boolean headerRefused, boolean openOkSeen, boolean closeOkSent, Integer connectionCloseCode) {
    }

    private static Outcome readServerOutput(EmbeddedChannel server) {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (Object out; (out = server.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) out;
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            raw.writeBytes(bytes);
        }
        byte[] bytes = raw.toByteArray();
        if (bytes.length >= 4 && bytes[0] == 'A' && bytes[1] == 'M') {
            return new Outcome(true, false, false, null);
        }
        EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(Integer.MAX_VALUE));
        decoder.writeInbound(Unpooled.wrappedBuffer(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1}));
        decoder.readInbound();
        decoder.writeInbound(Unpooled.wrappedBuffer(bytes));
        boolean openOk = false;
        boolean closeOk = false;
        Integer closeCode = null;
        for (Object decoded; (decoded = decoder.readInbound()) != null; ) {
            if (decoded instanceof FrameError error) {
                fail("the server wrote an invalid frame: " + error.error());
            }
            if (decoded instanceof MethodFrame frame) {
                if (frame.method() instanceof ConnectionMethod.OpenOk) {
                    openOk = true;
                } else if (frame.method() instanceof ConnectionMethod.CloseOk) {
                    closeOk = true;
                } else if (frame.method() instanceof ConnectionMethod.Close close && closeCode == null) {
                    closeCode = close.replyCode();
                }
            }
            ReferenceCountUtil.release(decoded);
        }
        decoder.finishAndReleaseAll();
        return new Outcome(false, openOk, closeOk, closeCode);
    }

    @Test
    void shouldSurviveThousandsOfMalformedSessions() {
        Logger handlerLog = (Logger) LoggerFactory.getLogger("io.warren.amqp");
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        handlerLog.addAppender(logs);
        Level level = handlerLog.getLevel();
        handlerLog.setLevel(Level.INFO);
        try {
            ScriptedClient encoder = new ScriptedClient(AmqpServerConfig.defaults(), new InMemoryBroker());
            byte[] valid = validSession(encoder);
            encoder.close();
            Integer only = Integer.getInteger("warren.fuzz.case");
            int refusals = 0;
            for (int n = 0; n < CASES; n++) {
                if (only != null && only != n) {
                    continue;
                }
                refusals += runCase(n, valid, logs) ? 1 : 0;
            }
            // The mutations must really exercise the error paths, not slip past them.
            assertTrue(only != null || refusals > CASES / 4, "only " + refusals + " cases ended in a bad-input close");
        } finally {
            handlerLog.detachAppender(logs);
            handlerLog.setLevel(level);
        }
    }

    /** Runs one case; true when it ended in a connection.close for bad input. */
    private boolean runCase(int n, byte[] valid, ListAppender<ILoggingEvent> logs) {
        Random random = new Random(SEED + n);
        byte[] input = n == 0 ? valid : mutate(valid, random);
        logs.list.clear();
        EmbeddedChannel server = new EmbeddedChannel();
        server.freezeTime();
        AmqpServerInitializer.configure(server.pipeline(), AmqpServerConfig.defaults().withChannelMax(16),
                TestAuthenticator.guest(), new InMemoryBroker());
        server.pipeline().fireChannelActive();
        int offset = 0;
        while (offset < input.length && server.isOpen()) {
            int chunk = Math.min(input.length - offset, 1 + random.nextInt(64));
            server.writeInbound(Unpooled.wrappedBuffer(input, offset, chunk));
            server.runPendingTasks();
            offset += chunk;
        }
        server.runPendingTasks();
        server.checkException();
        Outcome outcome = readServerOutput(server);
        boolean open = server.isOpen();
        server.finishAndReleaseAll();
        for (ILoggingEvent event : logs.list) {
            String message = event.getFormattedMessage();
            if (event.getLevel() == Level.ERROR || message.contains("event=connection_failed")) {
                fail("case " + n + ": unhandled failure logged: " + message);
            }
        }
        String where = "case " + n + " (rerun with -Dwarren.fuzz.case=" + n + ")";
        if (outcome.connectionCloseCode() != null) {
            assertTrue(BAD_INPUT_CODES.contains(outcome.connectionCloseCode()),
                    where + ": close code " + outcome.connectionCloseCode());
            return true;
        } else if (!open) {
            // The session ends with the client's own connection.close, which the server answers with close-ok.
            assertTrue(outcome.headerRefused() || !outcome.openOkSeen() || outcome.closeOkSent(),
                    where + ": socket closed without connection.close after the connection opened");
        }
        return false;
    }
}
