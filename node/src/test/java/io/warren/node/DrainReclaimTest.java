package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.NodeProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, point 2 on real nodes: once a backlog is drained and the cluster goes idle, every node gives
 * its disk back (store segments, the snapshots' hard links to them, the log behind the last snapshot)
 * without another message arriving to make Ratis ask for a snapshot.
 */
class DrainReclaimTest {
    private static final int MESSAGES = 40_000;
    private static final int BODY_BYTES = 1024;
    private static final long STORE_SEGMENT_BYTES = 1 << 20;
    private static final long LOG_SEGMENT_BYTES = 1 << 20;
    /** An idle node may keep its open store segment, one sealed one, two log segments and snapshot indexes. */
    private static final long IDLE_DISK_BYTES_MAX = 2 * STORE_SEGMENT_BYTES + 2 * LOG_SEGMENT_BYTES + (1 << 20);
    /** A superseded snapshot is kept this long for a follower that may still be receiving it. */
    private static final long RECLAIM_WAIT_SECONDS = Cluster.WAIT_SECONDS + 60;

    @Test
    void aDrainedQueueGivesItsDiskBackOnEveryNodeOnceIdle() throws Exception {
        try (Cluster cluster = Cluster.start("drain-reclaim", 3, "--store-segment-bytes-max",
                Long.toString(STORE_SEGMENT_BYTES), "--log-segment-bytes-max", Long.toString(LOG_SEGMENT_BYTES),
                "--snapshot-log-bytes", Long.toString(4L << 20), "--snapshot-interval-ms", "2000")) {
            NodeProcess n1 = cluster.node(1);
            try (Connection connection = Cluster.factory(n1).newConnection(); Channel ch = connection.createChannel()) {
                ch.queueDeclare("drained", true, false, false, null);
                ch.confirmSelect();
                byte[] body = new byte[BODY_BYTES];
                for (int i = 0; i < MESSAGES; i++) {
                    ch.basicPublish("", "drained", MessageProperties.PERSISTENT_BASIC, body);
                    if (i % 500 == 499) {
                        ch.waitForConfirmsOrDie(60_000);
                    }
                }
                ch.waitForConfirmsOrDie(60_000);
            }
            long backlogBytes = (long) MESSAGES * BODY_BYTES;
            for (NodeProcess node : cluster.nodes()) {
                long disk = diskBytes(node.dataDir());
                assertTrue(disk >= backlogBytes, node.nodeId() + " holds the backlog on disk: " + disk + " bytes");
            }

            NodeProcess n2 = cluster.node(2);
            try (Connection connection = Cluster.factory(n2).newConnection(); Channel ch = connection.createChannel()) {
                AtomicInteger received = new AtomicInteger();
                ch.basicQos(500);
                ch.basicConsume("drained", false, new DefaultConsumer(ch) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties,
                            byte[] body) throws IOException {
                        if (received.incrementAndGet() % 100 == 0) {
                            ch.basicAck(envelope.getDeliveryTag(), true);
                        }
                    }
                });
                Cluster.await("every message is delivered", Cluster.WAIT_SECONDS, () -> received.get() == MESSAGES);
                Cluster.await("the queue is empty", Cluster.WAIT_SECONDS, () -> messageCount(n1) == 0);
            }

            // Nothing is published or consumed from here on.
            for (NodeProcess node : cluster.nodes()) {
                Cluster.await(node.nodeId() + " gives the drained backlog's disk back", RECLAIM_WAIT_SECONDS,
                        () -> diskBytes(node.dataDir()) <= IDLE_DISK_BYTES_MAX);
            }
            for (NodeProcess node : cluster.nodes()) {
                assertTrue(node.output().stream().anyMatch(l -> l.contains("event=store_reclaimed")),
                        node.nodeId() + " logged its reclaim");
            }
            assertEquals(0, messageCount(n1), "nothing came back");
        }
    }

    private static int messageCount(NodeProcess node) {
        try (Connection connection = Cluster.factory(node).newConnection(); Channel ch = connection.createChannel()) {
            return ch.queueDeclarePassive("drained").getMessageCount();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Bytes under {@code dir}, a file with several hard links counted once (as du counts them). */
    static long diskBytes(Path dir) {
        Set<Object> seen = new HashSet<>();
        try (Stream<Path> files = Files.walk(dir)) {
            return files.mapToLong(p -> {
                try {
                    BasicFileAttributes attributes = Files.readAttributes(p, BasicFileAttributes.class);
                    if (!attributes.isRegularFile() || !seen.add(attributes.fileKey())) {
                        return 0;
                    }
                    return attributes.size();
                } catch (java.nio.file.NoSuchFileException gone) {
                    return 0; // deleted while walking: reclaim at work
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return Long.MAX_VALUE; // a directory went while walking: try again
        }
    }
}
