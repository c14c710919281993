package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.CollectingConsumer;
import io.warren.node.testing.ConfirmingPublisher;
import io.warren.node.testing.NodeProcess;
import io.warren.node.testing.TestCertificates;
import io.warren.node.testing.WarrenCtlRun;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Raft between nodes inside mutual TLS ({@code raft.tls = true}): members with the cluster authority's
 * certificates replicate; a process whose certificate comes from another authority can neither join, nor
 * take entries, nor count in a vote or a majority, even when it is listed as a member.
 */
class ClusterTlsTest {

    private static List<String> tlsArgs(TestCertificates issuer, TestCertificates trusted, String name) {
        return List.of("--raft-tls", "true", "--amqps-port", "none", "--tls-cert", issuer.certificate(name).toString(),
                "--tls-key", issuer.key(name).toString(), "--tls-ca", trusted.authority().toString());
    }

    @Test
    void membersReplicateOverMutualTlsAndANodeWithAStrangersCertificateCannotJoin() throws Exception {
        TestCertificates certificates = TestCertificates.cluster(3);
        TestCertificates stranger = certificates.otherAuthority().issue("n4", "/O=warren/CN=n4", 30);
        List<NodeProcess> nodes = NodeProcess.unstartedCluster("raft-tls", 3,
                i -> tlsArgs(certificates, certificates, "n" + i));
        try (Cluster cluster = Cluster.of(nodes)) {
            for (NodeProcess node : nodes) {
                node.launch();
            }
            for (NodeProcess node : nodes) {
                node.awaitReady();
            }
            NodeProcess n1 = cluster.node(1);
            NodeProcess n2 = cluster.node(2);
            try (Connection setup = Cluster.factory(n1).newConnection(); Channel channel = setup.createChannel()) {
                channel.queueDeclare("over-tls", true, false, false, null);
            }
            ConfirmingPublisher publisher = new ConfirmingPublisher(Cluster.factory(n1), Cluster.addresses(List.of(n1)),
                    "over-tls", "m");
            CollectingConsumer consumer = new CollectingConsumer(Cluster.factory(n2), Cluster.addresses(List.of(n2)),
                    "over-tls", 100, true);
            publisher.awaitMoreConfirms(200, Cluster.WAIT_SECONDS);

            String members = String.join(",", nodes.stream().map(n -> n.nodeId() + "=" + n.raftAddress()).toList());
            List<String> newcomerArgs = new java.util.ArrayList<>(List.of("--peers", members));
            newcomerArgs.addAll(tlsArgs(stranger, stranger, "n4"));
            NodeProcess n4 = NodeProcess.newcomer(n1.dataDir().getParent(), "n4", newcomerArgs.toArray(String[]::new));
            cluster.add(n4);
            n4.launch();
            WarrenCtlRun refused = WarrenCtlRun.run(n1.adminPort(), "-t", "20", "add_cluster_node", "n4",
                    n4.raftAddress());
            assertNotEquals(0, refused.exit(), "adding a node the members cannot authenticate must fail: " + refused);
            String status = n1.admin("cluster_status");
            assertFalse(status.lines().anyMatch(line -> line.startsWith("n4\ttrue")), "n4 is no member: " + status);
            assertFalse(n4.output().stream().anyMatch(line -> line.contains("event=node_ready")), "n4 never served");
            publisher.awaitMoreConfirms(200, Cluster.WAIT_SECONDS);

            publisher.stop();
            Cluster.await("every confirmed message is consumed", 60,
                    () -> consumer.deliveries.keySet().containsAll(publisher.confirmed));
            Set<String> lost = new HashSet<>(publisher.confirmed);
            lost.removeAll(consumer.deliveries.keySet());
            assertEquals(Set.of(), lost);
            consumer.close();
        }
    }

    @Test
    void aListedMemberWithAStrangersCertificateNeitherVotesNorCountsInTheMajority() throws Exception {
        TestCertificates certificates = TestCertificates.cluster(3);
        TestCertificates stranger = certificates.otherAuthority().issue("n3", "/O=warren/CN=n3", 30);
        List<NodeProcess> nodes = NodeProcess.unstartedCluster("raft-tls-stranger", 3, i -> i == 3
                ? tlsArgs(stranger, stranger, "n3") : tlsArgs(certificates, certificates, "n" + i));
        try (Cluster cluster = Cluster.of(nodes)) {
            for (NodeProcess node : nodes) {
                node.launch();
            }
            NodeProcess n1 = cluster.node(1);
            NodeProcess n2 = cluster.node(2);
            NodeProcess n3 = cluster.node(3);
            n1.awaitReady();
            n2.awaitReady();
            NodeProcess leader = cluster.leader();
            String term = leader.status("term");
            // n3 hears no leader and campaigns again and again; none of its requests reaches n1 or n2.
            Cluster.await("n3 has campaigned five times", Cluster.WAIT_SECONDS, () -> n3.output().stream()
                    .filter(line -> line.contains("to CANDIDATE")).count() >= 5);
            assertEquals(term, leader.status("term"), "no vote request of n3 reached the leader");
            assertFalse(n3.output().stream().anyMatch(line -> line.contains("to LEADER")
                    || line.contains("event=node_ready")), "n3 never led nor served");
            try (Connection connection = Cluster.factory(n1).newConnection();
                    Channel channel = connection.createChannel()) {
                channel.confirmSelect();
                channel.queueDeclare("majority", true, false, false, null);
                // Persistent: a transient message of a classic queue goes with a restart of the node it came through.
                channel.basicPublish("", "majority", MessageProperties.PERSISTENT_BASIC, "with n2".getBytes());
                channel.waitForConfirmsOrDie(60_000);
            }

            // Without n2 the leader's only other member is n3, which cannot answer: no majority, so the
            // survivor stops serving instead of counting n3.
            NodeProcess survivor = leader;
            NodeProcess stopped = leader == n1 ? n2 : n1;
            stopped.kill();
            Cluster.await(survivor.nodeId() + " stops serving without a majority", Cluster.WAIT_SECONDS,
                    () -> status(survivor, "serving").equals("false"));
            stopped.startAgain();
            Cluster.await("the two trusted members serve again", Cluster.WAIT_SECONDS,
                    () -> status(survivor, "serving").equals("true") && status(stopped, "serving").equals("true"));
            try (Connection connection = Cluster.factory(survivor).newConnection();
                    Channel channel = connection.createChannel()) {
                assertEquals("with n2", new String(channel.basicGet("majority", true).getBody()));
            }
        }
    }

    private static String status(NodeProcess node, String column) {
        try {
            return node.status(column);
        } catch (IOException | InterruptedException | RuntimeException e) {
            return "unknown";
        }
    }
}
