package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.warren.node.testing.ClientPair;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.Refusals;
import io.warren.node.testing.TestBroker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14, point 3, seen by the Java client on three nodes (published through one, read through another):
 * message priority as RabbitMQ 3.10's classic priority queues give it — the highest level first, first in
 * first out within a level, a priority above x-max-priority kept at it (the property delivered as sent),
 * none as 0, a requeue back in its place, drop-head taking the next out, and the 406s of a bad maximum. One
 * difference is shown: Warren expires the head of every level, RabbitMQ only the queue's overall head.
 * Runs against RabbitMQ 3.10 in reference mode.
 */
@Tag("reference")
class MessagePriorityClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("message-priority");

    private static void publish(String queue, Object... bodiesAndPriorities) throws Exception {
        try (Channel publishing = CLIENTS.publishing().createChannel()) {
            publishing.confirmSelect();
            for (int i = 0; i < bodiesAndPriorities.length; i += 2) {
                AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                        .priority((Integer) bodiesAndPriorities[i + 1]).build();
                publishing.basicPublish("", queue, properties, ((String) bodiesAndPriorities[i]).getBytes());
            }
            publishing.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
        }
    }

    private static List<String> drain(Channel channel, String queue) throws Exception {
        List<String> bodies = new ArrayList<>();
        for (GetResponse got = channel.basicGet(queue, true); got != null; got = channel.basicGet(queue, true)) {
            bodies.add(new String(got.getBody()) + "/" + got.getProps().getPriority());
        }
        return bodies;
    }

    private static int ready(Channel channel, String queue) {
        try {
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Channel declared(String queue, Map<String, Object> arguments) throws Exception {
        Channel channel = CLIENTS.reading().createChannel();
        channel.queueDelete(queue);
        channel.queueDeclare(queue, true, false, false, arguments);
        return channel;
    }

    @Test
    void theHighestLevelGoesFirstAndAPriorityAboveTheMaximumIsKeptAtIt() throws Exception {
        Channel channel = declared("mp-order", Map.of("x-max-priority", 5));
        publish("mp-order", "n0", null, "p1", 1, "p5", 5, "p9", 9, "p3", 3, "z0", 0, "p5b", 5, "p255", 255);
        assertEquals(List.of("p5/5", "p9/9", "p5b/5", "p255/255", "p3/3", "p1/1", "n0/null", "z0/0"),
                drain(channel, "mp-order"));
    }

    @Test
    void aQueueWithMaximumZeroKeepsPublishOrder() throws Exception {
        Channel channel = declared("mp-zero", Map.of("x-max-priority", 0));
        publish("mp-zero", "a", 5, "b", 9, "c", 0);
        assertEquals(List.of("a/5", "b/9", "c/0"), drain(channel, "mp-zero"));
    }

    @Test
    void aConsumerTakesTheHigherLevelsFirstAsItAcks() throws Exception {
        Channel channel = declared("mp-consume", Map.of("x-max-priority", 10));
        publish("mp-consume", "low", 1, "mid", 5, "high", 10);
        List<String> got = new CopyOnWriteArrayList<>();
        channel.basicQos(1);
        channel.basicConsume("mp-consume", false, (tag, message) -> {
            got.add(new String(message.getBody()));
            channel.basicAck(message.getEnvelope().getDeliveryTag(), false);
        }, tag -> { });
        Cluster.await("three deliveries", Cluster.WAIT_SECONDS, () -> got.size() == 3);
        assertEquals(List.of("high", "mid", "low"), got);
    }

    @Test
    void aRequeuedMessageGoesBackToItsPlaceInItsLevel() throws Exception {
        Channel channel = declared("mp-requeue", Map.of("x-max-priority", 3));
        publish("mp-requeue", "a1", 1, "b1", 1, "c2", 2, "d0", 0);
        GetResponse first = channel.basicGet("mp-requeue", false);
        GetResponse second = channel.basicGet("mp-requeue", false);
        assertEquals(List.of("c2", "a1"), List.of(new String(first.getBody()), new String(second.getBody())));
        assertEquals(2, second.getMessageCount());
        channel.basicNack(second.getEnvelope().getDeliveryTag(), false, true);
        channel.basicNack(first.getEnvelope().getDeliveryTag(), false, true);
        assertEquals(List.of("c2/2", "a1/1", "b1/1", "d0/0"), drain(channel, "mp-requeue"));
    }

    @Test
    void dropHeadDropsTheMessageThatWouldGoNext() throws Exception {
        Channel channel = declared("mp-maxlen", Map.of("x-max-priority", 3, "x-max-length", 3));
        publish("mp-maxlen", "a0", 0, "b3", 3, "c1", 1, "d2", 2, "e0", 0);
        assertEquals(List.of("c1/1", "a0/0", "e0/0"), drain(channel, "mp-maxlen"), "b3 and then d2 dropped");
    }

    /**
     * Where Warren differs: a message that expired at the head of its level goes at once in Warren, while
     * RabbitMQ 3.10 keeps counting it until the queue's overall head reaches it. Neither delivers it.
     */
    @Test
    void anExpiredMessageOfALowerLevelIsNeverDelivered() throws Exception {
        Channel channel = declared("mp-ttl", Map.of("x-max-priority", 3));
        try (Channel publishing = CLIENTS.publishing().createChannel()) {
            publishing.confirmSelect();
            publishing.basicPublish("", "mp-ttl", new AMQP.BasicProperties.Builder().priority(3).build(),
                    "hi-long".getBytes());
            publishing.basicPublish("", "mp-ttl", new AMQP.BasicProperties.Builder().priority(0).expiration("50")
                    .build(), "lo-short".getBytes());
            publishing.basicPublish("", "mp-ttl", new AMQP.BasicProperties.Builder().priority(0).build(),
                    "lo-long".getBytes());
            publishing.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
        }
        long expired = System.nanoTime() + 250_000_000L; // well past its 50 ms
        if (TestBroker.referenceMode()) {
            Cluster.await("its expiration passed", Cluster.WAIT_SECONDS, () -> System.nanoTime() > expired);
            assertEquals(3, ready(channel, "mp-ttl"), "RabbitMQ still counts it");
        } else {
            Cluster.await("the expired one gone", Cluster.WAIT_SECONDS, () -> ready(channel, "mp-ttl") == 2);
        }
        assertEquals(List.of("hi-long/3", "lo-long/0"), drain(channel, "mp-ttl"));
    }

    @Test
    void aBadMaximumIsRefusedWithRabbitMQsTexts() throws Exception {
        String prefix = "PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'mp-bad' in vhost '/': ";
        for (var bad : List.of(List.of(256, "{max_value_exceeded,256}"), List.of(-1, "{value_negative,-1}"),
                List.of("x", "\"expected integer, got longstr\""))) {
            Channel channel = CLIENTS.reading().createChannel();
            Refusals refused = Refusals.of(() -> channel.queueDeclare("mp-bad", true, false, false,
                    Map.of("x-max-priority", bad.get(0))));
            assertEquals(new Refusals(406, prefix + bad.get(1)), refused);
        }
    }

    @Test
    void aRedeclareWithAnotherMaximumOrNoneIs406() throws Exception {
        declared("mp-eq", Map.of("x-max-priority", 4)).queueDeclare("mp-eq", true, false, false,
                Map.of("x-max-priority", 4));
        String prefix = "PRECONDITION_FAILED - inequivalent arg 'x-max-priority' for queue 'mp-eq' in vhost '/': ";
        Channel other = CLIENTS.publishing().createChannel();
        assertEquals(new Refusals(406, prefix + "received '5' but current is '4'"),
                Refusals.of(() -> other.queueDeclare("mp-eq", true, false, false, Map.of("x-max-priority", 5))));
        Channel none = CLIENTS.publishing().createChannel();
        assertEquals(new Refusals(406, prefix + "received none but current is the value '4' of type 'signedint'"),
                Refusals.of(() -> none.queueDeclare("mp-eq", true, false, false, null)));
    }
}
