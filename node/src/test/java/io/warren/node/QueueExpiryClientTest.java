package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.node.testing.ClientPair;
import io.warren.node.testing.Refusals;
import io.warren.node.testing.Cluster;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13, point 2, seen by the Java client on three nodes: a queue with x-expires that nobody uses is
 * deleted on every node, one with a consumer lives on, and bad values are refused as RabbitMQ refuses them.
 * Runs against RabbitMQ 3.10 in reference mode. No sleeps: time passing is shown by a message TTL running
 * out in a witness queue.
 */
@Tag("reference")
class QueueExpiryClientTest {
    private static final List<String> TYPES = List.of("classic", "quorum");
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("expires");

    private static void declare(String queue, String type, int expiresMs) throws Exception {
        try (Channel channel = CLIENTS.publishing().createChannel()) {
            channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", type, "x-expires", expiresMs));
        }
    }

    /** Whether node 2 knows the queue: a passive declare answers, or 404 closes the channel. */
    private static boolean exists(String queue) {
        try (Channel channel = CLIENTS.reading().createChannel()) {
            channel.queueDeclarePassive(queue);
            return true;
        } catch (IOException e) {
            AMQP.Channel.Close close = (AMQP.Channel.Close) ((ShutdownSignalException) e.getCause()).getReason();
            assertEquals(404, close.getReplyCode(), close.getReplyText());
            return false;
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Waits until the queue is gone. A passive declare counts as a use of a classic queue (RabbitMQ's, probed),
     * so a classic one is looked at once, after twice its expiry; a quorum queue is polled (RabbitMQ's look
     * every few seconds, so it goes up to 5 s late there).
     */
    private static void awaitDeleted(String queue, String type, long expiresMs) throws Exception {
        if (type.equals("quorum")) {
            Cluster.await(queue + " deleted", Cluster.WAIT_SECONDS, () -> !exists(queue));
            return;
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(Cluster.WAIT_SECONDS);
        do {
            awaitElapsed(2 * expiresMs); // each look is a use: give the queue twice its expiry after it
            if (!exists(queue)) {
                return;
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError(queue + " not deleted within " + Cluster.WAIT_SECONDS + " s");
    }

    /** Returns once at least {@code ms} have passed: a message of that TTL expired in a queue of its own. */
    private static void awaitElapsed(long ms) throws Exception {
        try (Channel channel = CLIENTS.publishing().createChannel()) {
            channel.queueDeclare("expires-witness", true, false, false, Map.of("x-queue-type", "quorum"));
            channel.confirmSelect();
            channel.basicPublish("", "expires-witness", new AMQP.BasicProperties.Builder()
                    .expiration(Long.toString(ms)).build(), new byte[0]);
            channel.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
        }
        Cluster.await("the witness expired", Cluster.WAIT_SECONDS, () -> {
            try (Channel channel = CLIENTS.reading().createChannel()) {
                return channel.queueDeclarePassive("expires-witness").getMessageCount() == 0;
            } catch (IOException | java.util.concurrent.TimeoutException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void anUnusedQueueIsDeleted() throws Exception {
        for (String type : TYPES) {
            String queue = "expires-unused-" + type;
            declare(queue, type, 300);
            try (Channel channel = CLIENTS.publishing().createChannel()) {
                channel.basicPublish("", queue, null, "held".getBytes());
            }
            awaitDeleted(queue, type, 300);
        }
    }

    @Test
    void aConsumedQueueLivesOnAndExpiresOnceItsConsumerLeaves() throws Exception {
        for (String type : TYPES) {
            String queue = "expires-consumed-" + type;
            // declared and consumed on one channel, with room for a loaded machine between the two
            Channel consuming = CLIENTS.reading().createChannel();
            consuming.queueDeclare(queue, true, false, false, Map.of("x-queue-type", type, "x-expires", 3_000));
            String tag = consuming.basicConsume(queue, true, (consumerTag, message) -> { }, consumerTag -> { });
            awaitElapsed(6_000);
            assertTrue(exists(queue), type + ": a queue with a consumer is in use");
            consuming.basicCancel(tag);
            awaitDeleted(queue, type, 3_000);
            consuming.close();
        }
    }

    @Test
    void badExpiriesAre406WithRabbitMqsText() throws Exception {
        assertRefused(0, "{value_zero,0}");
        assertRefused(-5, "{value_negative,-5}");
        assertRefused("soon", "\"expected integer, got longstr\"");
    }

    private static void assertRefused(Object value, String error) throws Exception {
        Channel channel = CLIENTS.publishing().createChannel();
        Refusals close = Refusals.of(() ->
                channel.queueDeclare("expires-bad", true, false, false,
                        Map.of("x-queue-type", "quorum", "x-expires", value)));
        assertEquals(406, close.code());
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-expires' for queue 'expires-bad' in vhost '/': " + error,
                close.text());
    }
}
