package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.warren.node.testing.ClientPair;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.Refusals;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14, point 8, seen by the Java client on three nodes: the x-delayed-message exchange type as RabbitMQ's
 * delayed-message plugin offers it (declared with x-delayed-type, messages held for their x-delay header's ms,
 * then routed as that type routes). Warren only: Debian's RabbitMQ 3.10 does not ship the plugin, so there
 * is no reference run; the plugin's source is the reference (docs/compliance.md).
 */
class DelayedMessageClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("delayed-messages");

    private static AMQP.BasicProperties delayed(Object delay) {
        return new AMQP.BasicProperties.Builder().headers(Map.of("x-delay", delay)).build();
    }

    @Test
    void aMessageIsHeldForItsDelayThenRoutedAsItsTypeRoutes() throws Exception {
        Channel reader = CLIENTS.reading().createChannel();
        reader.exchangeDeclare("dl-topic", "x-delayed-message", true, false, Map.of("x-delayed-type", "topic"));
        reader.queueDeclare("dl-q", true, false, false, null);
        reader.queueBind("dl-q", "dl-topic", "orders.*");
        Map<String, Long> arrived = new ConcurrentHashMap<>();
        reader.basicConsume("dl-q", true, (tag, message) -> arrived.put(new String(message.getBody()),
                System.currentTimeMillis()), tag -> { });
        long sent;
        try (Channel publishing = CLIENTS.publishing().createChannel()) {
            publishing.confirmSelect();
            sent = System.currentTimeMillis();
            publishing.basicPublish("dl-topic", "orders.new", delayed(1500), "slow".getBytes());
            publishing.basicPublish("dl-topic", "orders.new", delayed(300), "quick".getBytes());
            publishing.basicPublish("dl-topic", "orders.new", null, "now".getBytes());
            publishing.basicPublish("dl-topic", "other.new", delayed(300), "unrouted".getBytes());
            publishing.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
        }
        Cluster.await("the three routed ones", Cluster.WAIT_SECONDS, () -> arrived.size() == 3);
        assertTrue(arrived.get("quick") - sent >= 300, "held for at least its delay");
        assertTrue(arrived.get("slow") - sent >= 1500, "held for at least its delay");
        assertTrue(arrived.get("now") <= arrived.get("quick") && arrived.get("quick") <= arrived.get("slow"),
                "in due order: " + arrived);
        assertEquals(List.of("now", "quick", "slow"), arrived.keySet().stream().sorted().toList());
    }

    @Test
    void aDelayedMessageCarriesItsHeaderAndPropertiesAsPublished() throws Exception {
        Channel reader = CLIENTS.reading().createChannel();
        reader.exchangeDeclare("dl-direct", "x-delayed-message", true, false, Map.of("x-delayed-type", "direct"));
        reader.queueDeclare("dl-props", true, false, false, null);
        reader.queueBind("dl-props", "dl-direct", "k");
        try (Channel publishing = CLIENTS.publishing().createChannel()) {
            publishing.confirmSelect();
            publishing.basicPublish("dl-direct", "k", new AMQP.BasicProperties.Builder().headers(Map.of("x-delay",
                    200)).correlationId("c-1").deliveryMode(2).build(), "m".getBytes());
            publishing.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
        }
        Cluster.await("released", Cluster.WAIT_SECONDS, () -> count(reader, "dl-props") == 1);
        GetResponse got = reader.basicGet("dl-props", true);
        assertEquals("c-1", got.getProps().getCorrelationId());
        assertEquals(2, got.getProps().getDeliveryMode());
        assertEquals(200, ((Number) got.getProps().getHeaders().get("x-delay")).intValue(),
                "kept as published (the plugin negates it)");
    }

    private static int count(Channel channel, String queue) {
        try {
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aDelayedExchangeWithoutAValidTypeIsRefusedAsThePluginRefusesIt() throws Exception {
        Channel missing = CLIENTS.reading().createChannel();
        assertEquals(new Refusals(406, "PRECONDITION_FAILED - Invalid argument, 'x-delayed-type' must bean existing"
                + " exchnage type"), Refusals.of(() -> missing.exchangeDeclare("dl-bad", "x-delayed-message")));
        var connection = CLIENTS.broker().factory(1).newConnection();
        Channel unknown = connection.createChannel();
        Refusals refused = Refusals.of(() -> unknown.exchangeDeclare("dl-bad", "x-delayed-message", false, false,
                Map.of("x-delayed-type", "nope")));
        assertEquals(new Refusals(503, "COMMAND_INVALID - unknown exchange type 'nope'"), refused);
        assertTrue(!connection.isOpen(), "503 closes the connection");
    }
}
