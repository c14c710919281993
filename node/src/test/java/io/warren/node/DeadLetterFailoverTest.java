package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * Issue 13, point 8, dead-lettering half: kill -9 of the leader while messages expire into a dead-letter
 * exchange. A quorum queue with a 200 ms TTL and no consumer takes a confirmed stream; each message it drops
 * goes to the graveyard queue through the leader, which rewrites it. Dead letters the old leader was asked for
 * and never answered are asked for again from the new one, so every confirmed message reaches the graveyard,
 * and the copy enters the graveyard in the entry that settles the original, so none arrives twice.
 */
class DeadLetterFailoverTest {
    @Test
    void killingTheLeaderWhileMessagesExpireIntoADeadLetterExchangeLosesAndDoublesNothing() throws Exception {
        try (Cluster cluster = Cluster.start("dead-letter-failover", 3)) {
            NodeProcess leader = cluster.leader();
            List<NodeProcess> survivors = cluster.others(leader);
            ConnectionFactory factory = Cluster.factory(survivors.get(0));
            try (Connection setup = factory.newConnection(); Channel ch = setup.createChannel()) {
                ch.queueDeclare("graveyard", true, false, false, Map.of("x-queue-type", "quorum"));
                ch.queueDeclare("expiring", true, false, false, Map.of("x-queue-type", "quorum", "x-message-ttl", 200,
                        "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "graveyard"));
            }
            ConfirmingPublisher publisher = new ConfirmingPublisher(factory, Cluster.addresses(survivors), "expiring",
                    "e");
            Cluster.await("300 confirmed", 120, () -> publisher.confirmed.size() >= 300);

            leader.kill();
            int atKill = publisher.confirmed.size();
            Cluster.await("publishing goes on through the survivors", 120,
                    () -> publisher.confirmed.size() >= atKill + 300);
            publisher.stop();

            CollectingConsumer graveyard = new CollectingConsumer(Cluster.factory(survivors.get(1)),
                    Cluster.addresses(List.of(survivors.get(1))), "graveyard", 100, true);
            Cluster.await("every confirmed message dead-lettered into the graveyard", 120,
                    () -> graveyard.deliveries.keySet().containsAll(publisher.confirmed));
            Set<String> twice = new HashSet<>();
            graveyard.deliveries.forEach((id, count) -> {
                if (count > 1) {
                    twice.add(id);
                }
            });
            assertEquals(Set.of(), twice, "dead-lettered more than once");

            leader.startAgain();
            cluster.awaitAgreement("list_queues", "columns", "name,messages_ready,messages_unacknowledged");
            graveyard.close();
        }
    }
}
