package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.NodeProcess;
import io.warren.node.testing.WarrenCtlRun;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, point 3: a newcomer added to a cluster that holds a large backlog, whose log is long purged
 * behind snapshots, is sent a snapshot with the store segments of the waiting messages, and every message
 * can then be consumed from it, byte for byte.
 */
class NewcomerBacklogTest {
    private static final int MESSAGES = 30_000;
    private static final int BODY_BYTES = 1024;

    @Test
    void aNewcomerGetsTheWaitingMessagesWithTheSnapshotAndServesEveryOne() throws Exception {
        try (Cluster cluster = Cluster.start("newcomer-backlog", 3, "--snapshot-every-entries", "64",
                "--store-segment-bytes-max", Integer.toString(2 << 20), "--log-segment-bytes-max",
                Integer.toString(1 << 20))) {
            NodeProcess n1 = cluster.node(1);
            try (Connection connection = Cluster.factory(n1).newConnection(); Channel ch = connection.createChannel()) {
                ch.queueDeclare("backlog", true, false, false, null);
                ch.confirmSelect();
                for (int i = 0; i < MESSAGES; i++) {
                    ch.basicPublish("", "backlog", MessageProperties.PERSISTENT_BASIC, body(i));
                    if (i % 500 == 499) {
                        ch.waitForConfirmsOrDie(60_000);
                    }
                }
                ch.waitForConfirmsOrDie(60_000);
            }
            for (NodeProcess node : cluster.nodes()) {
                Cluster.await(node.nodeId() + " snapshotted the backlog", Cluster.WAIT_SECONDS,
                        () -> node.output().stream().anyMatch(l -> l.contains("event=snapshot_taken")
                                && !l.contains("store_segments=0")));
            }

            String members = cluster.nodes().stream().map(n -> n.nodeId() + "=" + n.raftAddress())
                    .reduce((a, b) -> a + "," + b).orElseThrow();
            NodeProcess n4 = NodeProcess.newcomer(n1.dataDir().getParent(), "n4", "--peers", members);
            cluster.add(n4);
            n4.launch();
            WarrenCtlRun.run(n1.adminPort(), "add_cluster_node", "n4", n4.raftAddress()).requireSuccess();
            n4.awaitReady();
            assertTrue(n4.output().stream().anyMatch(l -> l.contains("event=snapshot_loaded")),
                    "the newcomer caught up from a snapshot, not from the log");

            try (Connection connection = Cluster.factory(n4).newConnection(); Channel ch = connection.createChannel()) {
                assertEquals(MESSAGES, ch.queueDeclarePassive("backlog").getMessageCount());
                LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
                ch.basicQos(500);
                ch.basicConsume("backlog", false, new DefaultConsumer(ch) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties,
                            byte[] body) throws IOException {
                        // Ack first: the test closes the channel as soon as it holds the last message.
                        if (envelope.getDeliveryTag() % 100 == 0) {
                            ch.basicAck(envelope.getDeliveryTag(), true);
                        }
                        received.add(body);
                    }
                });
                for (int i = 0; i < MESSAGES; i++) {
                    byte[] got = received.poll(Cluster.WAIT_SECONDS, TimeUnit.SECONDS);
                    assertTrue(got != null, "message " + i + " is delivered by the newcomer");
                    assertTrue(Arrays.equals(body(i), got), "message " + i + " arrives in order, byte for byte");
                }
            }
        }
    }

    /** Message i: its number, then bytes that depend on it, so a body served from the wrong place shows. */
    private static byte[] body(int i) {
        ByteBuffer body = ByteBuffer.allocate(BODY_BYTES).putInt(i);
        while (body.hasRemaining()) {
            body.put((byte) (i * 31 + body.position()));
        }
        return body.array();
    }
}
