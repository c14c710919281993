package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.CollectingConsumer;
import io.warren.node.testing.NodeProcess;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, point 8: a delayed exchange's messages are replicated, so kill -9 of the leader while they wait
 * loses none (the plugin keeps them on one node). Confirmed delayed messages are held when the leader dies;
 * the new leader's ticks release every one, once, into a queue read through a survivor.
 */
class DelayedMessageFailoverTest {
    private static final int MESSAGES = 200;
    private static final int DELAY_MS = 8_000;

    @Test
    void killingTheLeaderWhileMessagesAreDelayedLosesAndDoublesNothing() throws Exception {
        try (Cluster cluster = Cluster.start("delayed-failover", 3)) {
            NodeProcess leader = cluster.leader();
            List<NodeProcess> survivors = cluster.others(leader);
            ConnectionFactory factory = Cluster.factory(survivors.get(0));
            Set<String> confirmed = new HashSet<>();
            try (Connection connection = factory.newConnection(); Channel ch = connection.createChannel()) {
                ch.exchangeDeclare("later", "x-delayed-message", true, false, Map.of("x-delayed-type", "direct"));
                ch.queueDeclare("due", true, false, false, Map.of("x-queue-type", "quorum"));
                ch.queueBind("due", "later", "k");
                ch.confirmSelect();
                AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().deliveryMode(2)
                        .headers(Map.of("x-delay", DELAY_MS)).build();
                for (int i = 0; i < MESSAGES; i++) {
                    String id = "d-" + i;
                    ch.basicPublish("later", "k", properties, id.getBytes(StandardCharsets.UTF_8));
                    confirmed.add(id);
                }
                ch.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
                assertEquals(0, ch.queueDeclarePassive("due").getMessageCount(), "all still held when the leader dies");
            }
            leader.kill();

            CollectingConsumer due = new CollectingConsumer(Cluster.factory(survivors.get(1)),
                    Cluster.addresses(List.of(survivors.get(1))), "due", 100, true);
            Cluster.await("every confirmed delayed message released", 120,
                    () -> due.deliveries.keySet().containsAll(confirmed));
            Set<String> twice = new HashSet<>();
            due.deliveries.forEach((id, count) -> {
                if (count > 1) {
                    twice.add(id);
                }
            });
            assertEquals(Set.of(), twice, "released more than once");
            due.close();
        }
    }
}
