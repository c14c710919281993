package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.NodeProcess;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node that was down while the others took writes catches up when it comes back: from the leader's
 * log when the log still holds its gap, and from a snapshot the leader installs when the gap was purged.
 * Either way it then serves the same queues and messages as the others.
 */
class ClusterCatchUpTest {

    @Test
    void aNodeBackFromDowntimeCatchesUpFromTheLog() throws Exception {
        try (Cluster cluster = Cluster.start("catch-up-log", 3)) {
            NodeProcess late = cluster.node(3);
            late.kill();
            writeWhileDown(cluster.node(1), "from-log", 200, 0);
            late.startAgain();
            assertCaughtUp(cluster, late, "from-log", 200);
            assertTrue(late.output().stream().noneMatch(l -> l.contains("event=snapshot_loaded")),
                    "the gap was in the log: no snapshot needed");
        }
    }

    @Test
    void aNodeWhoseGapWasPurgedGetsASnapshotInstalledByTheLeader() throws Exception {
        // Small segments and messages, so that the snapshots purge the log behind them (by whole segments).
        try (Cluster cluster = Cluster.start("catch-up-snapshot", 3, "--snapshot-every-entries", "16",
                "--log-segment-bytes-max", Integer.toString(1 << 20), "--message-bytes-max", Integer.toString(64 << 10))) {
            NodeProcess late = cluster.node(3);
            late.kill();
            writeWhileDown(cluster.node(1), "from-snapshot", 400, 16 << 10);
            for (NodeProcess node : List.of(cluster.node(1), cluster.node(2))) {
                Cluster.await(node.nodeId() + " took a snapshot", 60,
                        () -> node.output().stream().anyMatch(l -> l.contains("event=snapshot_taken")));
            }
            int before = late.output().size();
            late.startAgain();
            assertCaughtUp(cluster, late, "from-snapshot", 400);
            List<String> output = List.copyOf(late.output()); // the node keeps writing to its output
            List<String> since = output.subList(before, output.size());
            assertTrue(since.stream().anyMatch(l -> l.contains("event=snapshot_loaded")),
                    "the node loaded a snapshot it did not take before it went down:\n" + String.join("\n", since));
        }
    }

    @Test
    void aNodeWhoseGapsMessagesWereReclaimedGetsASnapshotThoughTheLogStillHoldsTheGap() throws Exception {
        // Small store segments and snapshots by settled bytes; the log's segments stay at their default
        // (32 MiB), so the log behind the snapshots is never purged here: only the store's reclaim makes
        // the leader unable to send the gap's entries with their messages.
        try (Cluster cluster = Cluster.start("catch-up-reclaimed", 3, "--store-segment-bytes-max",
                Integer.toString(1 << 20), "--snapshot-log-bytes", Integer.toString(1 << 20))) {
            NodeProcess late = cluster.node(3);
            // Ratis rolls its log at a term change, and a purge behind a snapshot may take the closed segment.
            // Should n3's gap begin at or before the open segment's first entry, Ratis would send the snapshot
            // itself: so n3 is not the leader, and it has an entry of the term past that first one.
            makeNotLeader(late, "n1");
            NodeProcess n1 = cluster.node(1);
            try (Connection connection = Cluster.factory(n1).newConnection(); Channel ch = connection.createChannel()) {
                ch.queueDeclare("reclaimed", true, false, false, null);
            }
            cluster.awaitAgreement("list_queues", "columns", "name");
            late.kill();
            try (Connection connection = Cluster.factory(n1).newConnection(); Channel ch = connection.createChannel()) {
                ch.confirmSelect();
                byte[] filler = new byte[1024];
                for (int i = 0; i < 6000; i++) {
                    ch.basicPublish("", "reclaimed", com.rabbitmq.client.MessageProperties.PERSISTENT_BASIC, filler);
                    if (i % 500 == 499) {
                        ch.waitForConfirmsOrDie(30_000);
                    }
                }
                ch.waitForConfirmsOrDie(30_000);
                int drained = 0;
                while (ch.basicGet("reclaimed", true) != null) {
                    drained++;
                }
                assertEquals(6000, drained, "the filler is consumed");
            }
            for (NodeProcess node : List.of(n1, cluster.node(2))) {
                Cluster.await(node.nodeId() + " reclaimed the settled filler", 60,
                        () -> node.output().stream().anyMatch(l -> l.contains("event=store_reclaimed")));
            }
            writeWhileDown(n1, "reclaimed", 50, 0);
            late.startAgain();
            assertCaughtUp(cluster, late, "reclaimed", 50);
            assertTrue(cluster.nodes().stream().anyMatch(node -> node.output().stream()
                    .anyMatch(l -> l.contains("event=follower_sent_snapshot") && l.contains("follower=n3"))),
                    "the leader sent n3 a snapshot, not entries whose messages are gone");
        }
    }

    @Test
    void aServingNodeWhoseStateASnapshotReplacesClosesItsClientsWith320AndServesAgain() throws Exception {
        // Liveness timings far beyond the pause, so that only the snapshot can end n3's epoch.
        try (Cluster cluster = Cluster.start("snapshot-replaced", 3, "--snapshot-every-entries", "16",
                "--log-segment-bytes-max", Integer.toString(1 << 20), "--message-bytes-max", Integer.toString(64 << 10),
                "--node-down-after-ms", "300000", "--quorum-lost-after-ms", "299000")) {
            NodeProcess paused = cluster.node(3);
            makeNotLeader(paused, "n1");
            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            Connection client = Cluster.factory(paused).newConnection();
            client.addShutdownListener(closed::complete);
            paused.pause();
            try {
                writeWhileDown(cluster.node(1), "replaced", 400, 16 << 10);
                for (NodeProcess node : List.of(cluster.node(1), cluster.node(2))) {
                    Cluster.await(node.nodeId() + " took a snapshot", 60,
                            () -> node.output().stream().anyMatch(l -> l.contains("event=snapshot_taken")));
                }
            } finally {
                paused.resume();
            }
            ShutdownSignalException signal = closed.get(120, TimeUnit.SECONDS);
            client.abort(); // closed by the node already; this only releases the client's threads
            com.rabbitmq.client.AMQP.Connection.Close close = (com.rabbitmq.client.AMQP.Connection.Close) signal.getReason();
            assertEquals(320, close.getReplyCode(), close.getReplyText());
            assertTrue(close.getReplyText().contains("a snapshot from the leader replaced its state"), close.getReplyText());
            Cluster.await("n3 rejoined under a new epoch", 120,
                    () -> paused.output().stream().anyMatch(l -> l.contains("event=node_rejoined")));
            assertCaughtUp(cluster, paused, "replaced", 400);
        }
    }

    private static void makeNotLeader(NodeProcess node, String successor) throws Exception {
        if (node.role().equals("leader")) {
            node.admin("transfer_leadership", "name", successor);
            Cluster.await(node.nodeId() + " no longer leads", 60, () -> !node.role().equals("leader"));
        }
    }

    /** One confirmed message per publish, each in its own entry, so the log grows past the snapshot gap. */
    private static void writeWhileDown(NodeProcess node, String queue, int count, int padding) throws Exception {
        try (Connection connection = Cluster.factory(node).newConnection(); Channel ch = connection.createChannel()) {
            ch.queueDeclare(queue, true, false, false, null);
            ch.confirmSelect();
            for (int i = 0; i < count; i++) {
                ch.basicPublish("", queue, new com.rabbitmq.client.AMQP.BasicProperties.Builder().deliveryMode(2)
                        .headers(java.util.Map.of("padding", "x".repeat(padding))).build(),
                        (queue + "-" + i).getBytes(StandardCharsets.UTF_8));
                ch.waitForConfirmsOrDie(30_000);
            }
        }
    }

    private static void assertCaughtUp(Cluster cluster, NodeProcess late, String queue, int count) throws Exception {
        cluster.awaitAgreement("list_queues", "columns", "name,messages_ready,messages_unacknowledged,durable");
        try (Connection connection = Cluster.factory(late).newConnection(); Channel ch = connection.createChannel()) {
            assertEquals(count, ch.queueDeclarePassive(queue).getMessageCount());
            List<String> bodies = new ArrayList<>();
            GetResponse got;
            while ((got = ch.basicGet(queue, true)) != null) {
                bodies.add(new String(got.getBody(), StandardCharsets.UTF_8));
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                expected.add(queue + "-" + i);
            }
            assertEquals(expected, bodies, "the late node serves every message, in order");
        }
    }
}
