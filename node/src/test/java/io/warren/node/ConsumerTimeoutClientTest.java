package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.TestBroker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, point 6, seen by the Java client on three nodes with a consumer timeout of 1 s (RabbitMQ's
 * {@code consumer_timeout}, Warren's {@code consumer.timeout.ms}): a delivery left unacknowledged closes its
 * channel with 406 and RabbitMQ's text, and the message goes back to its queue. Runs against RabbitMQ 3.10
 * in reference mode.
 */
@Tag("reference")
class ConsumerTimeoutClientTest {
    private static TestBroker broker;
    private static Connection connection;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.start("consumer-timeout", 3, List.of("consumer_timeout = 1000"),
                "--consumer-timeout-ms", "1000");
        connection = broker.factory(2).newConnection();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (connection != null) {
                connection.close();
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    private static void declareAndPublish(String queue) throws Exception {
        try (Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
            channel.confirmSelect();
            channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN, "m".getBytes());
            channel.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
        }
    }

    /** Waits for the broker to close {@code channel}; its channel.close. */
    private static AMQP.Channel.Close awaitClosed(Channel channel) throws Exception {
        CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
        channel.addShutdownListener(closed::complete);
        if (!channel.isOpen()) {
            closed.complete(channel.getCloseReason());
        }
        ShutdownSignalException signal = closed.get(Cluster.WAIT_SECONDS, TimeUnit.SECONDS);
        return (AMQP.Channel.Close) signal.getReason();
    }

    private static void awaitReady(String queue, int count) throws InterruptedException {
        Cluster.await(queue + " has " + count + " ready", Cluster.WAIT_SECONDS, () -> {
            try (Channel channel = connection.createChannel()) {
                return channel.queueDeclarePassive(queue).getMessageCount() == count;
            } catch (java.io.IOException | java.util.concurrent.TimeoutException e) {
                throw new AssertionError(e);
            }
        });
    }

    private static void assertTimedOut(AMQP.Channel.Close close, int channelNumber) {
        assertEquals(406, close.getReplyCode());
        assertEquals("PRECONDITION_FAILED - delivery acknowledgement on channel " + channelNumber + " timed out. Timeout"
                + " value used: 1000 ms. This timeout value can be configured, see consumers doc guide to learn more",
                close.getReplyText());
    }

    @Test
    void aConsumerThatDoesNotAckLosesItsChannelAndTheMessageGoesBack() throws Exception {
        declareAndPublish("timeout-consumer");
        Channel consuming = connection.createChannel();
        CompletableFuture<Long> delivered = new CompletableFuture<>();
        consuming.basicConsume("timeout-consumer", false, (tag, message) -> delivered.complete(
                message.getEnvelope().getDeliveryTag()), tag -> { });
        delivered.get(Cluster.WAIT_SECONDS, TimeUnit.SECONDS);
        assertTimedOut(awaitClosed(consuming), consuming.getChannelNumber());
        awaitReady("timeout-consumer", 1); // RabbitMQ returns it a moment after the close
        try (Channel channel = connection.createChannel()) {
            GetResponse back = channel.basicGet("timeout-consumer", true);
            assertTrue(back != null && back.getEnvelope().isRedeliver(), "the message came back, redelivered");
        }
    }

    @Test
    void aBasicGetLeftUnackedTimesOutToo() throws Exception {
        declareAndPublish("timeout-get");
        Channel getting = connection.createChannel();
        assertTrue(getting.basicGet("timeout-get", false) != null);
        assertTimedOut(awaitClosed(getting), getting.getChannelNumber());
        awaitReady("timeout-get", 1);
    }

    @Test
    void aPikaConsumerThatNeverAcksHasItsChannelClosed() throws Exception {
        io.warren.node.testing.PikaTutorials.prepare("lifecycle.py").run("consumer_timeout_closes_the_channel",
                broker.factory(1).getPort(), broker.factory(2).getPort());
    }
}
