package io.warren.amqp.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.warren.amqp.testing.InMemoryBroker;
import io.warren.amqp.testing.LeakRecorder;
import io.warren.amqp.testing.TestAuthenticator;
import io.warren.amqp.tls.ListenerTls;
import io.warren.amqp.tls.TlsMaterial;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Goal: no TLS input, however broken, escapes the AMQPS pipeline as an unhandled exception or leaks a
 * buffer, with either engine. Method: seeded cases, each on a fresh server pipeline: a real client's
 * ClientHello with bytes flipped, cut short or with random bytes inserted; random bytes; and a real
 * handshake followed by an application record whose authentication tag is flipped, which the server must
 * answer by closing the connection. A failure prints its case; rerun with {@code -Dwarren.fuzz.case=N}.
 */
class TlsFuzzTest {
    private static final long SEED = 0x544C_5346_555AL;
    private static final int CASES = 300;
    private static TlsMaterial material;
    private static SSLContext client;

    @BeforeAll
    static void certificates() throws Exception {
        Path dir = Files.createTempDirectory("warren-tls-fuzz");
        Process make = new ProcessBuilder("bash",
                Path.of("..", "deploy", "lib", "make-certs.sh").toAbsolutePath().normalize().toString(),
                "cluster", dir.toString(), "1").redirectErrorStream(true).start();
        String out = new String(make.getInputStream().readAllBytes());
        assertTrue(make.waitFor(60, TimeUnit.SECONDS) && make.exitValue() == 0, "make-certs.sh: " + out);
        material = TlsMaterial.load(dir.resolve("n1.pem"), dir.resolve("n1.key"), Optional.of(dir.resolve("ca.pem")));
        client = SSLContext.getInstance("TLS");
        client.init(null, TlsMaterial.trustManagers(dir.resolve("ca.pem")).getTrustManagers(), null);
    }

    @AfterAll
    static void noLeaks() {
        LeakRecorder.assertNoLeaks();
    }

    @ParameterizedTest
    @EnumSource(ListenerTls.Engine.class)
    void brokenTlsNeverEscapesThePipeline(ListenerTls.Engine engine) throws Exception {
        SslContext server = new ListenerTls(material, ListenerTls.PROTOCOLS_DEFAULT, List.of(),
                ListenerTls.PeerVerification.VERIFY_PEER, engine).serverContext();
        Integer only = Integer.getInteger("warren.fuzz.case");
        for (int n = 0; n < CASES; n++) {
            if (only == null || only == n) {
                runCase(server, n);
            }
        }
    }

    private static void runCase(SslContext context, int n) throws Exception {
        Random random = new Random(SEED + n);
        String where = "case " + n + " (rerun with -Dwarren.fuzz.case=" + n + ")";
        EmbeddedChannel server = new EmbeddedChannel();
        AmqpServerInitializer.configure(server.pipeline(), AmqpServerConfig.defaults(), context,
                TestAuthenticator.guest(), new InMemoryBroker());
        server.pipeline().fireChannelActive();
        try {
            switch (n % 3) {
                case 0 -> feed(server, mutate(clientHello(), random), random);
                case 1 -> feed(server, randomBytes(random), random);
                default -> {
                    SSLEngine engine = client.createSSLEngine("localhost", 5671);
                    engine.setUseClientMode(true);
                    handshake(engine, server, where);
                    byte[] record = wrap(engine, new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1});
                    record[record.length - 1] ^= (byte) (1 + random.nextInt(255));
                    feed(server, record, random);
                    assertFalse(server.isOpen(), where + ": a record that fails authentication must close");
                }
            }
            server.checkException();
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(where + ": escaped the pipeline: " + e, e);
        } finally {
            server.finishAndReleaseAll();
        }
    }

    private static void feed(EmbeddedChannel server, byte[] input, Random random) {
        int offset = 0;
        while (offset < input.length && server.isOpen()) {
            int chunk = Math.min(input.length - offset, 1 + random.nextInt(512));
            server.writeInbound(Unpooled.wrappedBuffer(input, offset, chunk));
            server.runPendingTasks();
            offset += chunk;
        }
        server.runPendingTasks();
        drain(server);
    }

    private static byte[] clientHello() throws SSLException {
        SSLEngine engine = client.createSSLEngine("localhost", 5671);
        engine.setUseClientMode(true);
        return wrap(engine, new byte[0]);
    }

    private static byte[] wrap(SSLEngine engine, byte[] plain) throws SSLException {
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.wrap(plain), out);
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    /** Drives the client engine against the server pipeline until both sides finished the handshake. */
    private static void handshake(SSLEngine engine, EmbeddedChannel server, String where) throws SSLException {
        engine.beginHandshake();
        ByteBuffer fromServer = ByteBuffer.allocate(1 << 17);
        ByteBuffer plain = ByteBuffer.allocate(1 << 17);
        for (int step = 0; step < 100; step++) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> {
                    server.writeInbound(Unpooled.wrappedBuffer(wrap(engine, new byte[0])));
                    server.runPendingTasks();
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    fromServer.put(drain(server));
                    fromServer.flip();
                    SSLEngineResult result = engine.unwrap(fromServer, plain);
                    fromServer.compact();
                    assertTrue(result.getStatus() != SSLEngineResult.Status.BUFFER_UNDERFLOW
                            || server.outboundMessages().size() > 0 || result.bytesConsumed() > 0,
                            where + ": the handshake stalled");
                }
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                }
                case FINISHED, NOT_HANDSHAKING -> {
                    return;
                }
            }
        }
        throw new AssertionError(where + ": no handshake within 100 steps");
    }

    /** What the server wrote, as bytes (released). */
    private static byte[] drain(EmbeddedChannel server) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Object written;
        while ((written = server.readOutbound()) != null) {
            if (written instanceof ByteBuf buf) {
                byte[] copy = new byte[buf.readableBytes()];
                buf.readBytes(copy);
                bytes.writeBytes(copy);
            }
            ReferenceCountUtil.release(written);
        }
        return bytes.toByteArray();
    }

    private static byte[] mutate(byte[] valid, Random random) {
        byte[] input = valid.clone();
        switch (random.nextInt(3)) {
            case 0 -> {
                for (int i = 0, flips = 1 + random.nextInt(5); i < flips; i++) {
                    input[random.nextInt(input.length)] ^= (byte) (1 + random.nextInt(255));
                }
            }
            case 1 -> input = java.util.Arrays.copyOf(input, random.nextInt(input.length));
            default -> {
                byte[] inserted = randomBytes(random);
                int at = random.nextInt(input.length);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(input, 0, at);
                out.writeBytes(inserted);
                out.write(input, at, input.length - at);
                input = out.toByteArray();
            }
        }
        return input;
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[1 + random.nextInt(2048)];
        random.nextBytes(bytes);
        return bytes;
    }
}
