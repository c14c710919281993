package io.warren.amqp.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.amqp.server.AmqpServer;
import io.warren.amqp.server.AmqpServerConfig;
import io.warren.amqp.testing.InMemoryBroker;
import io.warren.amqp.testing.TestAuthenticator;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Goal: the RabbitMQ Java client talks to Warren's wire layer over a real TCP socket exactly as it
 * talks to RabbitMQ: handshake, channels, publishes with confirms, gets, consumers, and the documented
 * errors (wrong password, unknown vhost, channel errors, channel_max, forced close on shutdown).
 * Method: an {@link AmqpServer} on a loopback port in front of the test-only in-memory broker.
 */
class JavaClientTest {
    private static final int CHANNEL_MAX = 3;
    private final InMemoryBroker broker = new InMemoryBroker();
    private AmqpServer server;
    private ConnectionFactory factory;

    @BeforeEach
    void start() throws InterruptedException {
        server = AmqpServer.start(new InetSocketAddress("127.0.0.1", 0), 1,
                AmqpServerConfig.defaults().withChannelMax(CHANNEL_MAX), TestAuthenticator.guest(), broker);
        factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(server.localAddress().getPort());
        factory.setAutomaticRecoveryEnabled(false);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void shouldPublishWithConfirmsGetAndConsume() throws Exception {
        try (Connection connection = factory.newConnection("java-client-test")) {
            assertEquals("Warren", connection.getServerProperties().get("product").toString());
            Channel channel = connection.createChannel();
            String queue = channel.queueDeclare().getQueue();
            assertTrue(queue.startsWith("amq.gen-"));
            channel.confirmSelect();
            for (int i = 0; i < 100; i++) {
                channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2)
                        .messageId("m" + i).build(), ("message " + i).getBytes());
            }
            channel.waitForConfirmsOrDie(10_000);
            GetResponse first = channel.basicGet(queue, false);
            assertEquals("m0", first.getProps().getMessageId());
            assertArrayEquals("message 0".getBytes(), first.getBody());
            channel.basicAck(first.getEnvelope().getDeliveryTag(), false);

            BlockingQueue<String> received = new ArrayBlockingQueue<>(200);
            CountDownLatch all = new CountDownLatch(99);
            channel.basicQos(10);
            channel.basicConsume(queue, false, (tag, delivery) -> {
                received.add(new String(delivery.getBody()));
                channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
                all.countDown();
            }, tag -> { });
            assertTrue(all.await(10, TimeUnit.SECONDS), "deliveries left: " + all.getCount());
            assertEquals("message 1", received.poll());
            byte[] big = new byte[1_000_000];
            new java.util.Random(1).nextBytes(big);
            Channel second = connection.createChannel();
            String bigQueue = second.queueDeclare().getQueue();
            second.basicPublish("", bigQueue, null, big);
            GetResponse bigResponse = null;
            for (int attempt = 0; attempt < 100 && bigResponse == null; attempt++) {
                bigResponse = second.basicGet(bigQueue, true);
            }
            assertNotNull(bigResponse);
            assertArrayEquals(big, bigResponse.getBody());
        }
        assertEquals(1, broker.closedConnections.size());
    }

    @Test
    void shouldRefuseAWrongPassword() {
        factory.setPassword("wrong");
        assertThrows(AuthenticationFailureException.class, () -> factory.newConnection());
    }

    @Test
    void shouldRefuseAnUnknownVirtualHostWithNotAllowed() {
        factory.setVirtualHost("/missing");
        IOException e = assertThrows(IOException.class, () -> factory.newConnection());
        ShutdownSignalException signal = assertInstanceOf(ShutdownSignalException.class, e.getCause());
        AMQP.Connection.Close close = (AMQP.Connection.Close) signal.getReason();
        assertEquals(530, close.getReplyCode());
        assertEquals("NOT_ALLOWED - vhost /missing not found", close.getReplyText());
    }

    @Test
    void shouldCloseOnlyTheChannelOnNotFound() throws Exception {
        try (Connection connection = factory.newConnection()) {
            Channel channel = connection.createChannel();
            IOException e = assertThrows(IOException.class, () -> channel.queueDeclarePassive("missing"));
            ShutdownSignalException signal = assertInstanceOf(ShutdownSignalException.class, e.getCause());
            assertEquals(404, ((AMQP.Channel.Close) signal.getReason()).getReplyCode());
            assertTrue(connection.isOpen());
            assertNotNull(connection.createChannel().queueDeclare().getQueue());
        }
    }

    @Test
    void shouldNegotiateChannelMax() throws Exception {
        try (Connection connection = factory.newConnection()) {
            assertEquals(CHANNEL_MAX, connection.getChannelMax());
            for (int i = 0; i < CHANNEL_MAX; i++) {
                assertNotNull(connection.createChannel());
            }
            // The client itself refuses a channel beyond the negotiated channel_max.
            assertNull(connection.createChannel());
        }
    }

    @Test
    void shouldRefuseAChannelNumberAboveChannelMaxFromARawClient() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.localAddress().getPort())) {
            RawAmqp raw = new RawAmqp(socket);
            raw.handshake();
            raw.sendMethod(CHANNEL_MAX + 1, 20, 10, new byte[] {0});
            int[] close = raw.readConnectionClose();
            assertEquals(530, close[0]);
        }
    }

    @Test
    void shouldCloseClientsWithConnectionForcedOnShutdown() throws Exception {
        CompletableFuture<Integer> closeCode = connectionCloseCode(factory.newConnection());
        server.close();
        assertEquals(320, closeCode.get(10, TimeUnit.SECONDS));
        server = AmqpServer.start(new InetSocketAddress("127.0.0.1", 0), 1, AmqpServerConfig.defaults(),
                TestAuthenticator.guest(), broker);
    }

    @Test
    void shouldRefuseConnectionsWhileSuspendedAndServeAgainOnResume() throws Exception {
        CompletableFuture<Integer> closeCode = connectionCloseCode(factory.newConnection());
        server.suspend(io.warren.amqp.AmqpException.of(io.warren.amqp.ReplyCode.CONNECTION_FORCED,
                "node lost contact with the cluster majority"));
        assertEquals(320, closeCode.get(10, TimeUnit.SECONDS));
        assertTrue(!server.isAccepting());
        assertThrows(java.net.ConnectException.class, factory::newConnection, "the port refuses while suspended");
        server.resume();
        try (Connection again = factory.newConnection()) {
            assertTrue(again.createChannel().isOpen(), "served again on the same port");
        }
    }

    /** Completes with the reply code of the connection.close the broker sends. */
    private static CompletableFuture<Integer> connectionCloseCode(Connection connection) {
        CompletableFuture<Integer> code = new CompletableFuture<>();
        connection.addShutdownListener(cause -> code.complete(((AMQP.Connection.Close) cause.getReason()).getReplyCode()));
        return code;
    }

    /** The few raw frames needed to reach places the Java client will not go. */
    static final class RawAmqp {
        private final DataInputStream in;
        private final OutputStream out;

        RawAmqp(Socket socket) throws IOException {
            socket.setSoTimeout(10_000);
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        void handshake() throws IOException {
            out.write(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1});
            readFrame(); // start
            ByteBuffer startOk = ByteBuffer.allocate(64);
            startOk.putInt(0); // empty client properties
            startOk.put((byte) 5).put("PLAIN".getBytes());
            startOk.putInt(12).put("\0guest\0guest".getBytes());
            startOk.put((byte) 5).put("en_US".getBytes());
            sendMethod(0, 10, 11, java.util.Arrays.copyOf(startOk.array(), startOk.position()));
            readFrame(); // tune
            sendMethod(0, 10, 31, ByteBuffer.allocate(8).putShort((short) 0).putInt(131072).putShort((short) 0).array());
            sendMethod(0, 10, 40, new byte[] {1, '/', 0, 0});
            readFrame(); // open-ok
        }

        void sendMethod(int channel, int classId, int methodId, byte[] arguments) throws IOException {
            ByteBuffer frame = ByteBuffer.allocate(12 + arguments.length);
            frame.put((byte) 1).putShort((short) channel).putInt(4 + arguments.length);
            frame.putShort((short) classId).putShort((short) methodId).put(arguments).put((byte) 0xCE);
            out.write(frame.array());
            out.flush();
        }

        byte[] readFrame() throws IOException {
            in.readUnsignedByte();
            in.readUnsignedShort();
            byte[] payload = new byte[in.readInt()];
            in.readFully(payload);
            in.readUnsignedByte();
            return payload;
        }

        /** Reads frames until connection.close; returns {code, classId, methodId}. */
        int[] readConnectionClose() throws IOException {
            while (true) {
                ByteBuffer payload = ByteBuffer.wrap(readFrame());
                if (payload.getShort() == 10 && payload.getShort() == 50) {
                    int code = payload.getShort() & 0xFFFF;
                    payload.position(payload.position() + (payload.get() & 0xFF));
                    return new int[] {code, payload.getShort(), payload.getShort()};
                }
            }
        }
    }
}
