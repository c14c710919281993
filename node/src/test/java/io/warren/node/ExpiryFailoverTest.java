package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.CollectingConsumer;
import io.warren.node.testing.ConfirmingPublisher;
import io.warren.node.testing.NodeProcess;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, point 8 (the part without dead-lettering yet): kill -9 of the leader while messages are expiring.
 * Two quorum queues take confirmed streams: one with a 200 ms TTL and no consumer, where every message must
 * expire, on every node alike, also those the old leader had not ticked for yet; one without a TTL, where
 * every confirmed message must be delivered, exactly once. The time that expires them comes only from the
 * log, so a new leader, whose clock may differ, expires nothing that was not due.
 */
class ExpiryFailoverTest {
    @Test
    void killingTheLeaderWhileMessagesExpireLosesNothingAndExpiresEverything() throws Exception {
        try (Cluster cluster = Cluster.start("expiry-failover", 3)) {
            NodeProcess leader = cluster.leader();
            List<NodeProcess> survivors = cluster.others(leader);
            ConnectionFactory factory = Cluster.factory(survivors.get(0));
            try (Connection setup = factory.newConnection(); Channel ch = setup.createChannel()) {
                ch.queueDeclare("expiring", true, false, false, Map.of("x-queue-type", "quorum", "x-message-ttl", 200));
                ch.queueDeclare("kept", true, false, false, Map.of("x-queue-type", "quorum"));
            }
            ConfirmingPublisher expiring = new ConfirmingPublisher(factory, Cluster.addresses(survivors), "expiring", "e");
            ConfirmingPublisher kept = new ConfirmingPublisher(factory, Cluster.addresses(survivors), "kept", "k");
            Cluster.await("300 confirmed on each queue", 120,
                    () -> expiring.confirmed.size() >= 300 && kept.confirmed.size() >= 300);

            leader.kill();
            int expiringAtKill = expiring.confirmed.size();
            int keptAtKill = kept.confirmed.size();
            Cluster.await("publishing goes on through the survivors", 120,
                    () -> expiring.confirmed.size() >= expiringAtKill + 300 && kept.confirmed.size() >= keptAtKill + 300);
            expiring.stop();
            kept.stop();

            Cluster.await("every message of the TTL queue expired, on the survivors alike", 120, () -> {
                try {
                    for (NodeProcess node : survivors) {
                        if (!node.admin("list_queues", "columns", "name,messages_ready,messages_unacknowledged")
                                .contains("expiring\t0\t0")) {
                            return false;
                        }
                    }
                    return true;
                } catch (Exception e) {
                    return false;
                }
            });
            CollectingConsumer late = new CollectingConsumer(Cluster.factory(survivors.get(1)),
                    Cluster.addresses(List.of(survivors.get(1))), "expiring", 100, true);
            CollectingConsumer consumer = new CollectingConsumer(Cluster.factory(survivors.get(1)),
                    Cluster.addresses(List.of(survivors.get(1))), "kept", 100, true);
            Cluster.await("every confirmed message of the kept queue delivered", 120,
                    () -> consumer.deliveries.keySet().containsAll(kept.confirmed));
            Set<String> twice = new HashSet<>();
            consumer.deliveries.forEach((id, count) -> {
                if (count > 1) {
                    twice.add(id);
                }
            });
            assertEquals(Set.of(), twice, "delivered more than once");
            assertTrue(late.deliveries.isEmpty(), "an expired message was delivered: " + late.deliveries.keySet());

            leader.startAgain();
            cluster.awaitAgreement("list_queues", "columns", "name,messages_ready,messages_unacknowledged");
            late.close();
            consumer.close();
        }
    }
}
