package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.GetResponse;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.ClientPair;
import io.warren.node.testing.Refusals;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13, point 1, seen by the Java client on three nodes: x-message-ttl and the expiration property on
 * classic and quorum queues, publishing on node 1 and reading on node 2. Runs against RabbitMQ 3.10 in
 * reference mode. No test sleeps: that time has passed is shown by a witness, a message with a known TTL
 * in a queue of its own that is seen to expire.
 */
@Tag("reference")
class MessageTtlClientTest {
    private static final List<String> TYPES = List.of("classic", "quorum");
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("ttl");

    private static Channel declared(String queue, String type, Object... arguments) throws IOException {
        Map<String, Object> table = new HashMap<>();
        table.put("x-queue-type", type);
        for (int i = 0; i < arguments.length; i += 2) {
            table.put((String) arguments[i], arguments[i + 1]);
        }
        Channel channel = CLIENTS.publishing().createChannel();
        channel.queueDelete(queue);
        channel.queueDeclare(queue, true, false, false, table);
        channel.confirmSelect();
        return channel;
    }

    private static AMQP.BasicProperties expiring(String expiration) {
        return new AMQP.BasicProperties.Builder().deliveryMode(2).expiration(expiration).build();
    }

    /** Publishes and waits for the confirm. */
    private static void publish(Channel channel, String queue, String body, AMQP.BasicProperties properties)
            throws Exception {
        channel.basicPublish("", queue, properties, body.getBytes(StandardCharsets.UTF_8));
        assertTrue(channel.waitForConfirms(Cluster.WAIT_SECONDS * 1000), "confirmed");
    }

    private static int ready(String queue) {
        try (Channel channel = CLIENTS.reading().createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (IOException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitReady(String queue, int count) throws InterruptedException {
        Cluster.await(queue + " has " + count + " ready", Cluster.WAIT_SECONDS, () -> ready(queue) == count);
    }

    /** Returns once at least {@code ttlMs} have passed from now: a witness message of that TTL expired. */
    private static void awaitElapsed(String type, long ttlMs) throws Exception {
        String witness = "ttl-witness-" + type;
        Channel channel = declared(witness, type);
        publish(channel, witness, "witness", expiring(Long.toString(ttlMs)));
        awaitReady(witness, 0);
        channel.close();
    }

    /** A consumer on node 2 whose deliveries land in a queue the test polls. */
    private record Consumed(Channel channel, String tag, BlockingQueue<Delivery> deliveries) {
        Delivery next() throws InterruptedException {
            Delivery next = deliveries.poll(Cluster.WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(next != null, "a delivery within " + Cluster.WAIT_SECONDS + " s");
            return next;
        }
    }

    private static Consumed consume(String queue, boolean autoAck, int prefetch) throws IOException {
        Channel channel = CLIENTS.reading().createChannel();
        channel.basicQos(prefetch);
        BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        String tag = channel.basicConsume(queue, autoAck, (consumerTag, message) -> deliveries.add(message),
                consumerTag -> { });
        return new Consumed(channel, tag, deliveries);
    }

    private static String body(GetResponse got) {
        return new String(got.getBody(), StandardCharsets.UTF_8);
    }

    @Test
    void aQueueTtlEmptiesAnIdleQueue() throws Exception {
        for (String type : TYPES) {
            String queue = "ttl-idle-" + type;
            Channel channel = declared(queue, type, "x-message-ttl", 200);
            for (String body : List.of("a", "b", "c")) {
                publish(channel, queue, body, expiring(null));
            }
            awaitReady(queue, 0);
            try (Channel get = CLIENTS.reading().createChannel()) {
                assertNull(get.basicGet(queue, true), type);
            }
            channel.close();
        }
    }

    @Test
    void onlyTheHeadExpiresAndWhatExpiredBehindItGoesWhenItIsTaken() throws Exception {
        for (String type : TYPES) {
            String queue = "ttl-head-" + type;
            Channel channel = declared(queue, type);
            publish(channel, queue, "long", expiring("10000"));
            publish(channel, queue, "short", expiring("100"));
            publish(channel, queue, "none", expiring(null));
            awaitElapsed(type, 300);
            assertEquals(3, ready(queue), type + ": the short one waits behind the long one");
            try (Channel get = CLIENTS.reading().createChannel()) {
                GetResponse first = get.basicGet(queue, true);
                assertEquals("long", body(first), type);
                assertEquals("10000", first.getProps().getExpiration(), type + ": the property is delivered");
                assertEquals(1, first.getMessageCount(), type + ": get-ok's count leaves out the expired one");
                assertEquals("none", body(get.basicGet(queue, true)), type);
                assertNull(get.basicGet(queue, true), type);
            }
            channel.close();
        }
    }

    @Test
    void theSmallerOfTheQueueAndTheMessageTtlCounts() throws Exception {
        for (String type : TYPES) {
            Channel longQueue = declared("ttl-long-queue-" + type, type, "x-message-ttl", 60_000);
            publish(longQueue, "ttl-long-queue-" + type, "a", expiring("100"));
            Channel shortQueue = declared("ttl-short-queue-" + type, type, "x-message-ttl", 100);
            publish(shortQueue, "ttl-short-queue-" + type, "b", expiring("60000"));
            awaitReady("ttl-long-queue-" + type, 0);
            awaitReady("ttl-short-queue-" + type, 0);
            longQueue.close();
            shortQueue.close();
        }
    }

    @Test
    void expirationZeroReachesAWaitingConsumerAndExpiresWithoutOne() throws Exception {
        for (String type : TYPES) {
            String queue = "ttl-zero-" + type;
            Channel channel = declared(queue, type);
            Consumed consumer = consume(queue, true, 0);
            publish(channel, queue, "now", expiring("0"));
            Delivery now = consumer.next();
            assertEquals("now", new String(now.getBody(), StandardCharsets.UTF_8), type);
            assertEquals("0", now.getProperties().getExpiration(), type);
            consumer.channel().basicCancel(consumer.tag());
            publish(channel, queue, "nobody-waits", expiring("0"));
            awaitReady(queue, 0);
            try (Channel get = CLIENTS.reading().createChannel()) {
                assertNull(get.basicGet(queue, true), type);
            }
            consumer.channel().close();
            channel.close();
        }
    }

    @Test
    void aMessageThatExpiresWhileTheConsumerHasNoCreditIsNeverDelivered() throws Exception {
        for (String type : TYPES) {
            String queue = "ttl-credit-" + type;
            Channel channel = declared(queue, type);
            Consumed consumer = consume(queue, false, 1);
            publish(channel, queue, "first", expiring(null));
            Delivery first = consumer.next();
            assertEquals("first", new String(first.getBody(), StandardCharsets.UTF_8), type);
            publish(channel, queue, "zero", expiring("0"));
            awaitReady(queue, 0);
            consumer.channel().basicAck(first.getEnvelope().getDeliveryTag(), false);
            publish(channel, queue, "last", expiring(null));
            assertEquals("last", new String(consumer.next().getBody(), StandardCharsets.UTF_8), type + ": zero never came");
            consumer.channel().close();
            channel.close();
        }
    }

    @Test
    void aMessageRequeuedAfterItsTtlIsDroppedNotRedelivered() throws Exception {
        for (String type : TYPES) {
            String queue = "ttl-requeue-" + type;
            // Long enough that the get comes first on a loaded machine (300 ms was not, in CI).
            Channel channel = declared(queue, type, "x-message-ttl", 3000);
            publish(channel, queue, "m", expiring(null));
            try (Channel get = CLIENTS.reading().createChannel()) {
                GetResponse got = get.basicGet(queue, false);
                assertEquals("m", body(got), type);
                awaitElapsed(type, 3000);
                get.basicReject(got.getEnvelope().getDeliveryTag(), true);
                awaitReady(queue, 0);
                assertNull(get.basicGet(queue, true), type);
            }
            channel.close();
        }
    }

    @Test
    void aBadExpirationClosesTheChannelWith406AndRabbitMqsText() throws Exception {
        Channel setUp = declared("ttl-bad-expiration", "quorum");
        setUp.close();
        assertExpirationRefused("ttl-bad-expiration", "abc", "no_integer");
        assertExpirationRefused("ttl-bad-expiration", "-1", "{value_negative,-1}");
        assertExpirationRefused("ttl-bad-expiration", "1.5", "{leftover_string,\".5\"}");
        assertExpirationRefused("ttl-bad-expiration", "315360000001", "{value_too_large,315360000001}");
        assertExpirationRefused("ttl-no-such-queue", "abc", "no_integer");
        assertEquals(0, ready("ttl-bad-expiration"), "nothing was enqueued");
    }

    private static void assertExpirationRefused(String queue, String expiration, String error) throws Exception {
        Channel channel = CLIENTS.publishing().createChannel();
        channel.basicPublish("", queue, expiring(expiration), "x".getBytes(StandardCharsets.UTF_8));
        try {
            channel.queueDeclarePassive("ttl-bad-expiration"); // a round trip: the close comes first
            throw new AssertionError("expiration '" + expiration + "' was accepted");
        } catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
            // closed while the round trip was on its way, or before it was sent
            AMQP.Channel.Close close = (AMQP.Channel.Close) channel.getCloseReason().getReason();
            assertEquals(406, close.getReplyCode());
            assertEquals("PRECONDITION_FAILED - invalid expiration '" + expiration + "': " + error, close.getReplyText());
        }
    }

    @Test
    void badQueueTtlsAre406WithRabbitMqsText() throws Exception {
        assertTtlRefused(-1, "{value_negative,-1}");
        assertTtlRefused("ten", "\"expected integer, got longstr\"");
        assertTtlRefused(315_360_000_001L, "{value_too_large,315360000001}");
        declared("ttl-redeclare", "quorum", "x-message-ttl", 1_000).close();
        Channel channel = CLIENTS.publishing().createChannel();
        Refusals close = Refusals.of(() -> channel.queueDeclare("ttl-redeclare", true, false, false,
                Map.of("x-queue-type", "quorum", "x-message-ttl", 2_000)));
        assertEquals(406, close.code());
        assertTrue(close.text().contains("inequivalent arg 'x-message-ttl'"), close.text());
    }

    private static void assertTtlRefused(Object value, String error) throws Exception {
        Channel channel = CLIENTS.publishing().createChannel();
        Refusals close = Refusals.of(() ->
                channel.queueDeclare("ttl-bad", true, false, false,
                        Map.of("x-queue-type", "quorum", "x-message-ttl", value)));
        assertEquals(406, close.code());
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-message-ttl' for queue 'ttl-bad' in vhost '/': " + error,
                close.text());
    }
}
