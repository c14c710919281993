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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Leader failover with real node processes and the RabbitMQ Java client: kill -9 of the leader in the
 * middle of a confirmed publish stream and of consumption. Survivors keep serving; no confirmed message
 * is lost; deliveries the dead node's consumer held unacked go to a consumer elsewhere once the node is
 * declared down; the dead node's client reconnects through its address list and finds its durable
 * queue; the restarted node catches up and agrees with the others.
 */
class ClusterFailoverTest {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ClusterFailoverTest.class);

    @Test
    void killingTheLeaderMidStreamLosesNoConfirmedMessage() throws Exception {
        try (Cluster cluster = Cluster.start("failover", 3)) {
            NodeProcess leader = cluster.leader();
            List<NodeProcess> survivors = cluster.others(leader);
            NodeProcess publisherNode = survivors.get(0);
            NodeProcess consumerNode = survivors.get(1);
            ConnectionFactory factory = Cluster.factory(publisherNode);
            try (Connection setup = factory.newConnection(); Channel ch = setup.createChannel()) {
                ch.queueDeclare("failover", true, false, false, null);
            }
            // The dead-to-be node's consumer holds five deliveries unacked; the survivor's acks all.
            CollectingConsumer doomed = new CollectingConsumer(factory, Cluster.addresses(List.of(leader)), "failover",
                    5, false);
            ConfirmingPublisher publisher = new ConfirmingPublisher(factory, Cluster.addresses(List.of(publisherNode,
                    consumerNode)), "failover", "m");
            Cluster.await("the doomed consumer holds 5 and 300 are confirmed", 120,
                    () -> doomed.deliveries.size() == 5 && publisher.confirmed.size() >= 300);
            CollectingConsumer survivor = new CollectingConsumer(Cluster.factory(consumerNode),
                    Cluster.addresses(List.of(consumerNode)), "failover", 50, true);
            Set<String> held = new HashSet<>(doomed.deliveries.keySet());

            leader.kill();
            long killedAt = System.nanoTime();
            int confirmedAtKill = publisher.confirmed.size();
            Cluster.await("a confirm after the kill", 120, () -> publisher.confirmed.size() > confirmedAtKill + 100);
            long recoveryMs = (System.nanoTime() - killedAt) / 1_000_000;
            Cluster.await("publishing goes on through the survivors", 120,
                    () -> publisher.confirmed.size() >= confirmedAtKill + 300);
            publisher.stop();
            log.info("event=failover_measured leader={} confirmed={} nacked={} unknown={} reconnects={}"
                    + " ms_to_100_confirms_after_kill={}", leader.nodeId(), publisher.confirmed.size(),
                    publisher.nacked.size(), publisher.unknown.size(), publisher.reconnects.get(), recoveryMs);

            // The publisher's node survived, so every publish got its answer: none was dropped silently.
            assertEquals(0, publisher.reconnects.get(), "the publisher's node served throughout");
            assertEquals(Set.of(), publisher.unknown, "every publish confirmed or nacked, none left hanging");
            assertEquals(publisher.published(), publisher.confirmed.size() + publisher.nacked.size());
            Cluster.await("every confirmed message reaches the surviving consumer", 120,
                    () -> survivor.deliveries.keySet().containsAll(publisher.confirmed));
            Set<String> lost = new HashSet<>(publisher.confirmed);
            lost.removeAll(survivor.deliveries.keySet());
            assertEquals(Set.of(), lost, "confirmed and never delivered");
            assertTrue(survivor.deliveries.keySet().containsAll(held), "the dead node's unacked deliveries came back");
            assertTrue(survivor.redelivered.containsAll(held), "marked redelivered");
            Set<String> published = new HashSet<>();
            for (int i = 0; i < publisher.published(); i++) {
                published.add("m-" + i);
            }
            assertTrue(published.containsAll(survivor.deliveries.keySet()), "nothing delivered that was not published");
            assertTrue(!doomed.shutdowns.isEmpty(), "the dead node's client saw its connection drop");

            // The dead node's client reconnects through its address list and finds its durable queue.
            List<NodeProcess> addressList = new ArrayList<>(List.of(leader));
            addressList.addAll(survivors);
            try (Connection again = Cluster.factory(leader).newConnection(Cluster.addresses(addressList));
                    Channel ch = again.createChannel()) {
                assertTrue(again.getPort() != leader.amqpPort());
                assertEquals(0, ch.queueDeclarePassive("failover").getMessageCount(), "all drained by the survivor");
            }

            leader.startAgain();
            cluster.awaitAgreement("list_queues", "columns", "name,messages_ready,messages_unacknowledged");
            assertEquals("true", leader.status("serving"));
            survivor.close();
            doomed.close();
        }
    }
}
