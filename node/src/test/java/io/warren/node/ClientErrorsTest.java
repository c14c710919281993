package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import io.warren.node.testing.JavaTutorials;
import io.warren.node.testing.NodeProcess;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The errors a RabbitMQ Java client user can hit, seen over the wire from a real node: each closes the
 * channel (or connection) with the code RabbitMQ uses, and the connection stays usable where RabbitMQ's
 * does. A publish backlog above the node's limit blocks publishers with connection.blocked and unblocks
 * them once it drains, and nothing published meanwhile is lost.
 */
class ClientErrorsTest {
    /** The smallest backlog limit the node takes, so one message larger than it makes a backlog. */
    private static final int BACKLOG_BYTES = 1 << 20;

    private static NodeProcess node;
    private static ConnectionFactory factory;

    @BeforeAll
    static void startNode() throws Exception {
        node = NodeProcess.start("errors", "--backlog-bytes-max", Integer.toString(BACKLOG_BYTES),
                "--message-bytes-max", Integer.toString(4 << 20));
        factory = new ConnectionFactory();
        factory.setPort(node.amqpPort());
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void redeclaringWithOtherFlagsOrArgumentsIs406AndTheConnectionGoesOn() throws Exception {
        try (Connection connection = factory.newConnection()) {
            Channel ch = connection.createChannel();
            ch.queueDeclare("err-q", true, false, false, null);
            ch.exchangeDeclare("err-x", BuiltinExchangeType.DIRECT, true);
            assertEquals(406, JavaTutorials.closeCode(() -> connection.createChannel()
                    .queueDeclare("err-q", false, false, false, null)), "durable differs");
            assertEquals(406, JavaTutorials.closeCode(() -> connection.createChannel()
                    .queueDeclare("err-q", true, false, false, Map.of("x-queue-type", "quorum"))), "arguments differ");
            assertEquals(406, JavaTutorials.closeCode(() -> connection.createChannel()
                    .exchangeDeclare("err-x", BuiltinExchangeType.FANOUT, true)), "type differs");
            assertEquals(406, JavaTutorials.closeCode(() -> connection.createChannel()
                    .queueDeclare("err-in-memory", false, false, false, Map.of("x-max-in-memory-length", 5))),
                    "an argument Warren does not implement yet");
            assertEquals(1, connection.createChannel().queueDeclarePassive("err-q").getConsumerCount() + 1,
                    "the connection still serves after channel errors");
        }
    }

    @Test
    void prefetchSizeIs540NotImplementedWhichClosesTheConnection() throws Exception {
        // 540 is a connection-level error in AMQP 0-9-1; RabbitMQ closes the connection for it.
        Connection qos = factory.newConnection();
        assertEquals(540, JavaTutorials.closeCode(() -> qos.createChannel().basicQos(4096, 10, false)));
        assertTrue(!qos.isOpen());
        try (Connection connection = factory.newConnection()) {
            Channel ch = connection.createChannel();
            ch.basicQos(0, 10, false);
            assertTrue(ch.isOpen(), "prefetch_size 0 with a count is fine");
        }
    }

    @Test
    void missingExchangesInternalExchangesAndUnknownDeliveryTagsCloseTheChannel() throws Exception {
        try (Connection connection = factory.newConnection()) {
            Channel publisher = connection.createChannel();
            publisher.basicPublish("no-such-exchange", "k", null, new byte[1]);
            assertEquals(404, awaitCloseCode(publisher), "publish to a missing exchange");

            connection.createChannel().exchangeDeclare("err-internal", BuiltinExchangeType.FANOUT, false, false, true, null);
            Channel internal = connection.createChannel();
            internal.basicPublish("err-internal", "", null, new byte[1]);
            assertEquals(403, awaitCloseCode(internal), "publish to an internal exchange");

            Channel acker = connection.createChannel();
            acker.basicAck(12345, false);
            assertEquals(406, awaitCloseCode(acker), "ack of an unknown delivery tag");

            assertEquals(404, JavaTutorials.closeCode(() -> connection.createChannel()
                    .queueBind("no-such-queue", "amq.direct", "k")), "bind of a missing queue");
            assertEquals(404, JavaTutorials.closeCode(() -> connection.createChannel()
                    .basicConsume("no-such-queue", true, (tag, d) -> { }, tag -> { })), "consume from a missing queue");
        }
    }

    @Test
    void aBacklogAboveTheLimitBlocksPublishersUntilItDrainsAndLosesNothing() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch unblocked = new CountDownLatch(1);
        try (Connection connection = factory.newConnection()) {
            connection.addBlockedListener(new BlockedListener() {
                @Override
                public void handleBlocked(String reason) {
                    events.add("blocked: " + reason);
                }

                @Override
                public void handleUnblocked() {
                    events.add("unblocked");
                    unblocked.countDown();
                }
            });
            Channel ch = connection.createChannel();
            ch.queueDeclare("err-backlog", true, false, false, null);
            ch.confirmSelect();
            byte[] large = new byte[BACKLOG_BYTES + (BACKLOG_BYTES >> 1)];
            for (int i = 0; i < 3; i++) {
                ch.basicPublish("", "err-backlog", MessageProperties.PERSISTENT_BASIC, large);
            }
            ch.waitForConfirmsOrDie(60_000);
            assertTrue(unblocked.await(60, TimeUnit.SECONDS), "unblocked once the backlog drained: " + events);
            assertEquals("blocked: Warren is replicating a backlog", events.get(0));
            assertEquals(3, ch.queueDeclarePassive("err-backlog").getMessageCount());
            assertTrue(node.output().stream().anyMatch(l -> l.contains("event=backpressure blocked=true")));
        }
    }

    @Test
    void aMessageAboveTheSizeLimitIsRefusedAndNotStored() throws Exception {
        try (Connection connection = factory.newConnection()) {
            Channel ch = connection.createChannel();
            ch.queueDeclare("err-size", false, false, false, null);
            ch.basicPublish("", "err-size", null, new byte[(4 << 20) + 1]);
            assertEquals(406, awaitCloseCode(ch), "larger than message.bytes.max");
            assertEquals(0, connection.createChannel().queueDeclarePassive("err-size").getMessageCount());
        }
    }

    /** Publishes and acks are not answered, so their error arrives as the channel's close: wait for it. */
    private static int awaitCloseCode(Channel ch) throws Exception {
        java.util.concurrent.CompletableFuture<Integer> code = new java.util.concurrent.CompletableFuture<>();
        ch.addShutdownListener(signal -> code.complete(signal.getReason() instanceof AMQP.Channel.Close close
                ? close.getReplyCode() : -1));
        if (!ch.isOpen()) {
            code.complete(((AMQP.Channel.Close) ch.getCloseReason().getReason()).getReplyCode());
        }
        return code.get(30, TimeUnit.SECONDS);
    }
}
