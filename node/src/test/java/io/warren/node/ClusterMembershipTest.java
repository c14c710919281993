package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.CollectingConsumer;
import io.warren.node.testing.ConfirmingPublisher;
import io.warren.node.testing.NodeProcess;
import io.warren.node.testing.WarrenCtlRun;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Membership without downtime, through warrenctl: a fourth node joins, leadership moves to it, and an
 * original node is removed, while a confirmed publish stream and a consumer keep going. Nothing
 * confirmed is lost, and the cluster status reflects each change.
 */
class ClusterMembershipTest {

    @Test
    void addTransferAndRemoveWhileServing() throws Exception {
        try (Cluster cluster = Cluster.start("membership", 3)) {
            NodeProcess n1 = cluster.node(1);
            NodeProcess n2 = cluster.node(2);
            try (Connection setup = Cluster.factory(n1).newConnection(); Channel ch = setup.createChannel()) {
                ch.queueDeclare("members", true, false, false, null);
            }
            ConfirmingPublisher publisher = new ConfirmingPublisher(Cluster.factory(n1), Cluster.addresses(List.of(n1)),
                    "members", "m");
            CollectingConsumer consumer = new CollectingConsumer(Cluster.factory(n2), Cluster.addresses(List.of(n2)),
                    "members", 100, true);
            awaitMoreConfirms(publisher, 100);

            String members = cluster.nodes().stream().map(n -> n.nodeId() + "=" + n.raftAddress())
                    .reduce((a, b) -> a + "," + b).orElseThrow();
            NodeProcess n4 = NodeProcess.newcomer(n1.dataDir().getParent(), "n4", "--peers", members);
            cluster.add(n4);
            n4.launch();
            WarrenCtlRun.run(n1.adminPort(), "add_cluster_node", "n4", n4.raftAddress()).requireSuccess();
            n4.awaitReady();
            awaitMoreConfirms(publisher, 100);
            List<String> status = WarrenCtlRun.run(n4.adminPort(), "cluster_status").requireSuccess().rows();
            assertTrue(status.contains("n4\ttrue\tfalse\t1\trunning"), "n4 is a running member: " + status);

            WarrenCtlRun.run(n2.adminPort(), "transfer_leadership", "n4").requireSuccess();
            Cluster.await("n4 leads", 60, () -> role(n4).equals("leader"));
            awaitMoreConfirms(publisher, 100);

            NodeProcess n3 = cluster.node(3);
            WarrenCtlRun.run(n1.adminPort(), "forget_cluster_node", "n3").requireSuccess();
            Cluster.await("n3 is no member and is declared down", 60, () -> {
                try {
                    return n1.admin("cluster_status").contains("n3\tfalse\tfalse\t1\tdown");
                } catch (IOException | InterruptedException e) {
                    return false;
                }
            });
            n3.close();
            awaitMoreConfirms(publisher, 100);
            assertEquals("true", n4.status("serving"));

            publisher.stop();
            Cluster.await("every confirmed message is consumed", 60,
                    () -> consumer.deliveries.keySet().containsAll(publisher.confirmed));
            Set<String> lost = new HashSet<>(publisher.confirmed);
            lost.removeAll(consumer.deliveries.keySet());
            assertEquals(Set.of(), lost);
            assertEquals(0, publisher.reconnects.get(), "the publisher's node served throughout");
            consumer.close();
        }
    }

    private static void awaitMoreConfirms(ConfirmingPublisher publisher, int more) throws InterruptedException {
        int target = publisher.confirmed.size() + more;
        Cluster.await(more + " more confirms", 90, () -> publisher.confirmed.size() >= target);
    }

    private static String role(NodeProcess node) {
        try {
            return node.status("role");
        } catch (Exception e) {
            return "unknown";
        }
    }
}
