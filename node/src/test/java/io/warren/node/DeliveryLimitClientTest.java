package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import io.warren.node.testing.ClientPair;
import io.warren.node.testing.Refusals;
import io.warren.node.testing.Cluster;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13, point 5, seen by the Java client on three nodes: a quorum queue's x-delivery-limit and the
 * x-delivery-count header of its redeliveries; a classic queue ignores both. Runs against RabbitMQ 3.10 in
 * reference mode.
 */
@Tag("reference")
class DeliveryLimitClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("delivery-limit");

    private static void declareAndPublish(String queue, Object... arguments) throws Exception {
        Map<String, Object> table = new HashMap<>();
        for (int i = 0; i < arguments.length; i += 2) {
            table.put((String) arguments[i], arguments[i + 1]);
        }
        try (Channel channel = CLIENTS.publishing().createChannel()) {
            channel.queueDelete(queue);
            channel.queueDeclare(queue, true, false, false, table);
            channel.confirmSelect();
            channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN, "m".getBytes());
            channel.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
        }
    }

    /** The x-delivery-count header of a delivery, or null. */
    private static Object deliveryCount(GetResponse got) {
        Map<String, Object> headers = got.getProps().getHeaders();
        return headers == null ? null : headers.get("x-delivery-count");
    }

    /** Gets and nacks with requeue, at most {@code rounds} times; each delivery's x-delivery-count. */
    private static List<Object> getAndReturn(String queue, int rounds) throws Exception {
        List<Object> counts = new ArrayList<>();
        try (Channel channel = CLIENTS.reading().createChannel()) {
            for (int i = 0; i < rounds; i++) {
                GetResponse got = channel.basicGet(queue, false);
                if (got == null) {
                    break;
                }
                counts.add(deliveryCount(got));
                channel.basicNack(got.getEnvelope().getDeliveryTag(), false, true);
            }
        }
        return counts;
    }

    private static int ready(String queue) throws Exception {
        try (Channel channel = CLIENTS.reading().createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        }
    }

    @Test
    void aQuorumQueueDeliversAMessageOneTimeMoreThanItsLimitAndCountsTheReturns() throws Exception {
        declareAndPublish("dl-quorum", "x-queue-type", "quorum", "x-delivery-limit", 2);
        assertEquals(List.of(0L, 1L, 2L), getAndReturn("dl-quorum", 10), "x-delivery-count from the first delivery");
        assertEquals(0, ready("dl-quorum"), "dropped after its third delivery came back");
    }

    @Test
    void aNegativeLimitActsAsZeroAndOneThatIsNotAnIntegerIsIgnored() throws Exception {
        declareAndPublish("dl-negative", "x-queue-type", "quorum", "x-delivery-limit", -1);
        assertEquals(List.of(0L), getAndReturn("dl-negative", 10));
        declareAndPublish("dl-text", "x-queue-type", "quorum", "x-delivery-limit", "x");
        assertEquals(List.of(0L, 1L, 2L, 3L), getAndReturn("dl-text", 4));
        // RabbitMQ puts the last nacked message back a moment after the nack: wait for it
        Cluster.await("dl-text keeps its message: no limit", Cluster.WAIT_SECONDS, () -> {
            try {
                return ready("dl-text") == 1;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void aClassicQueueRefusesALimitAndAddsNoCount() throws Exception {
        Channel channel = CLIENTS.publishing().createChannel();
        Refusals close = Refusals.of(() ->
                channel.queueDeclare("dl-classic", true, false, false, Map.of("x-delivery-limit", 1)));
        assertEquals(406, close.code());
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-delivery-limit' for queue 'dl-classic' in vhost '/'"
                + " of queue type rabbit_classic_queue", close.text());
        declareAndPublish("dl-classic-plain");
        assertEquals(java.util.Arrays.asList(null, null, null), getAndReturn("dl-classic-plain", 3));
    }

    @Test
    void aConsumersFirstDeliveryHasNoCountAndARedeliveryHasOne() throws Exception {
        declareAndPublish("dl-consumed", "x-queue-type", "quorum");
        java.util.concurrent.BlockingQueue<com.rabbitmq.client.Delivery> arrived =
                new java.util.concurrent.LinkedBlockingQueue<>();
        try (Channel channel = CLIENTS.reading().createChannel()) {
            channel.basicConsume("dl-consumed", false, (tag, delivery) -> arrived.add(delivery), tag -> { });
            var first = arrived.poll(Cluster.WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            assertNull(first.getProperties().getHeaders(), "no x-delivery-count on a consumer's first delivery");
            channel.basicNack(first.getEnvelope().getDeliveryTag(), false, true);
            var again = arrived.poll(Cluster.WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(1L, again.getProperties().getHeaders().get("x-delivery-count"));
            channel.basicAck(again.getEnvelope().getDeliveryTag(), false);
        }
    }

    @Test
    void deliveriesLeftUnackedByAClosedChannelComeBackCounted() throws Exception {
        declareAndPublish("dl-closed", "x-queue-type", "quorum");
        Channel consuming = CLIENTS.reading().createChannel();
        GetResponse first = consuming.basicGet("dl-closed", false);
        assertEquals(0L, deliveryCount(first));
        consuming.close();
        try (Channel channel = CLIENTS.reading().createChannel()) {
            GetResponse again = channel.basicGet("dl-closed", true);
            assertEquals(1L, deliveryCount(again));
        }
    }
}
