package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.ClientPair;
import io.warren.node.testing.Refusals;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13, point 3, seen by the Java client on three nodes: x-max-length, x-max-length-bytes and
 * x-overflow on classic and quorum queues, publishing on node 1 and reading on node 2. Runs against
 * RabbitMQ 3.10 in reference mode, so what each queue type keeps, drops and nacks is RabbitMQ's.
 */
@Tag("reference")
class QueueLimitsClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("limits");

    private static Channel declared(String queue, Object... arguments) throws IOException {
        Map<String, Object> table = new HashMap<>();
        for (int i = 0; i < arguments.length; i += 2) {
            table.put((String) arguments[i], arguments[i + 1]);
        }
        Channel channel = CLIENTS.publishing().createChannel();
        channel.queueDeclare(queue, true, false, false, table);
        channel.confirmSelect();
        return channel;
    }

    /** Publishes one persistent message and waits for its confirm: true for an ack, false for a nack. */
    private static boolean publish(Channel channel, String queue, String body) throws Exception {
        channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN, body.getBytes(StandardCharsets.UTF_8));
        return channel.waitForConfirms(Cluster.WAIT_SECONDS * 1000);
    }

    /** Takes every ready message from node 2, acking each. */
    private static List<String> drain(String queue) throws IOException {
        List<String> bodies = new ArrayList<>();
        try (Channel channel = CLIENTS.reading().createChannel()) {
            for (GetResponse got = channel.basicGet(queue, true); got != null; got = channel.basicGet(queue, true)) {
                bodies.add(new String(got.getBody(), StandardCharsets.UTF_8));
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException(e);
        }
        return bodies;
    }

    private static int ready(String queue) throws Exception {
        try (Channel channel = CLIENTS.reading().createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        }
    }

    @Test
    void dropHeadKeepsTheNewestOnBothQueueTypes() throws Exception {
        for (String type : List.of("classic", "quorum")) {
            String queue = "limits-drop-" + type;
            Channel channel = declared(queue, "x-queue-type", type, "x-max-length", 2);
            for (String body : List.of("a", "b", "c", "d")) {
                assertTrue(publish(channel, queue, body), type + ": drop-head confirms every message");
            }
            assertEquals(List.of("c", "d"), drain(queue), type);
            channel.close();
        }
    }

    @Test
    void byteLimitsCountBodyBytes() throws Exception {
        for (String type : List.of("classic", "quorum")) {
            String queue = "limits-bytes-" + type;
            Channel channel = declared(queue, "x-queue-type", type, "x-max-length-bytes", 10);
            for (String body : List.of("aaaa", "bbbb", "cccc")) {
                publish(channel, queue, body);
            }
            assertEquals(List.of("bbbb", "cccc"), drain(queue), type + ": 12 bytes are over 10, 8 are not");
            channel.close();
        }
    }

    @Test
    void classicRejectPublishNacksTheMessageThatWouldExceedTheLimit() throws Exception {
        String queue = "limits-reject-classic";
        Channel channel = declared(queue, "x-max-length", 2, "x-overflow", "reject-publish");
        assertTrue(publish(channel, queue, "a"));
        assertTrue(publish(channel, queue, "b"));
        assertFalse(publish(channel, queue, "c"), "a classic queue refuses the message that would exceed the limit");
        assertEquals(2, ready(queue));
        assertEquals(List.of("a", "b"), drain(queue));
        assertTrue(publish(channel, queue, "d"), "room again");
        assertEquals(List.of("d"), drain(queue));
        channel.close();
    }

    @Test
    void quorumRejectPublishTakesTheCrossingMessageAndRefusesUntilEightyPercent() throws Exception {
        String queue = "limits-reject-quorum";
        Channel channel = declared(queue, "x-queue-type", "quorum", "x-max-length", 5, "x-overflow", "reject-publish");
        for (int i = 1; i <= 6; i++) {
            assertTrue(publish(channel, queue, "m" + i), "message " + i + ": the sixth takes the queue past 5");
        }
        assertFalse(publish(channel, queue, "refused"), "past the limit: refused");
        assertEquals(6, ready(queue));
        drainSome(queue, 1);
        assertFalse(publish(channel, queue, "still refused"), "5 ready is above 80 % of 5");
        drainSome(queue, 1);
        assertTrue(publishAckedWithin(channel, queue, 10), "4 ready: at 80 % of 5 the queue takes publishes again");
        channel.close();
    }

    /**
     * The queue tells publishers it takes messages again a moment after it does, in RabbitMQ, so a publish
     * sent in that moment may still be nacked: publishes until one is acked, at most {@code attempts}.
     */
    private static boolean publishAckedWithin(Channel channel, String queue, int attempts) throws Exception {
        for (int i = 0; i < attempts; i++) {
            if (publish(channel, queue, "again " + i)) {
                return true;
            }
        }
        return false;
    }

    private static void drainSome(String queue, int count) throws Exception {
        try (Channel channel = CLIENTS.reading().createChannel()) {
            for (int i = 0; i < count; i++) {
                assertTrue(channel.basicGet(queue, true) != null);
            }
        }
    }

    @Test
    void rejectPublishDlxRefusesOnAClassicQueueAndDropsTheHeadOnAQuorumQueue() throws Exception {
        Channel classic = declared("limits-dlx-classic", "x-max-length", 1, "x-overflow", "reject-publish-dlx");
        assertTrue(publish(classic, "limits-dlx-classic", "a"));
        assertFalse(publish(classic, "limits-dlx-classic", "b"), "nacked; it would go to a dead-letter exchange");
        assertEquals(List.of("a"), drain("limits-dlx-classic"));
        classic.close();
        Channel quorum = declared("limits-dlx-quorum", "x-queue-type", "quorum", "x-max-length", 1,
                "x-overflow", "reject-publish-dlx");
        assertTrue(publish(quorum, "limits-dlx-quorum", "a"));
        assertTrue(publish(quorum, "limits-dlx-quorum", "b"), "a quorum queue treats it as drop-head");
        assertEquals(List.of("b"), drain("limits-dlx-quorum"));
        quorum.close();
    }

    @Test
    void aRefusalByOneQueueNacksAMessageTheOtherQueuesKeep() throws Exception {
        Channel channel = declared("limits-full", "x-max-length", 0, "x-overflow", "reject-publish");
        channel.queueDeclare("limits-open", true, false, false, null);
        channel.exchangeDeclare("limits-fanout", "fanout");
        channel.queueBind("limits-full", "limits-fanout", "");
        channel.queueBind("limits-open", "limits-fanout", "");
        channel.basicPublish("limits-fanout", "", MessageProperties.PERSISTENT_TEXT_PLAIN, "m".getBytes(StandardCharsets.UTF_8));
        assertFalse(channel.waitForConfirms(Cluster.WAIT_SECONDS * 1000));
        assertEquals(List.of("m"), drain("limits-open"));
        assertEquals(0, ready("limits-full"));
        channel.close();
    }

    @Test
    void badLimitArgumentsAre406WithRabbitMQsText() throws Exception {
        assertRefused("x-max-length", -1, "{value_negative,-1}");
        assertRefused("x-max-length", "ten", "\"expected integer, got longstr\"");
        assertRefused("x-max-length-bytes", 1.5, "\"expected integer, got double\"");
        assertRefused("x-overflow", "drop-tail", "invalid_overflow");
        assertRefused("x-overflow", 1, "{unacceptable_type,signedint}");
    }

    private static void assertRefused(String key, Object value, String error) throws Exception {
        Channel channel = CLIENTS.publishing().createChannel();
        Refusals close = Refusals.of(() -> channel.queueDeclare("limits-bad", true, false, false, Map.of(key, value)));
        assertEquals(406, close.code());
        assertEquals("PRECONDITION_FAILED - invalid arg '" + key + "' for queue 'limits-bad' in vhost '/': "
                + error, close.text());
    }

    @Test
    void aRedeclareWithAnotherLimitIs406() throws Exception {
        declared("limits-redeclare", "x-max-length", 2).close();
        declared("limits-redeclare", "x-max-length", 2L).close();
        Channel channel = CLIENTS.publishing().createChannel();
        Refusals close = Refusals.of(() ->
                channel.queueDeclare("limits-redeclare", true, false, false, Map.of("x-max-length", 3)));
        assertEquals(406, close.code());
        assertTrue(close.text().contains("inequivalent arg 'x-max-length'"), close.text());
    }
}
