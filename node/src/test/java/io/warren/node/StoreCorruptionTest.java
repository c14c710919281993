package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, point 7, on real processes: one byte of a waiting message's body is flipped in a stopped
 * node's store. Restarted, the node serves until it reaches that message, then stops with one
 * {@code event=store_corrupt} line rather than deliver it; the cluster loses nothing, and the message is
 * consumed intact from another node.
 */
class StoreCorruptionTest {
    private static final int MESSAGES = 4_000;
    private static final int BODY_BYTES = 1024;
    private static final int DAMAGED = 300;

    @Test
    void aNodeStopsRatherThanServeADamagedBodyAndTheMessageComesIntactFromAnother() throws Exception {
        try (Cluster cluster = Cluster.start("store-corrupt", 3, "--store-segment-bytes-max",
                Integer.toString(1 << 20))) {
            NodeProcess n1 = cluster.node(1);
            NodeProcess n3 = cluster.node(3);
            try (Connection connection = Cluster.factory(n1).newConnection(); Channel ch = connection.createChannel()) {
                ch.queueDeclare("q", true, false, false, null);
                ch.confirmSelect();
                for (int i = 0; i < MESSAGES; i++) {
                    ch.basicPublish("", "q", MessageProperties.PERSISTENT_BASIC, body(i));
                }
                ch.waitForConfirmsOrDie(60_000);
            }
            Cluster.await("n3 holds every message", Cluster.WAIT_SECONDS, () -> queueLength(n3) == MESSAGES);
            n3.stop();
            Path damaged = flipAByteOfTheBody(n3.dataDir(), body(DAMAGED));

            n3.startAgain();
            Map<Integer, byte[]> received = new ConcurrentHashMap<>();
            try (Connection connection = Cluster.factory(n3).newConnection()) {
                Channel ch = connection.createChannel();
                ch.basicQos(50);
                ch.basicConsume("q", false, collector(ch, received));
                Cluster.await("n3 stops at the damaged message", Cluster.WAIT_SECONDS, () -> !n3.isAlive());
            } catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
                // the node went away under the client: expected
            }
            List<String> corrupt = n3.output().stream().filter(l -> l.contains("event=store_corrupt")).toList();
            assertEquals(1, corrupt.size(), "one line says why the node stopped: " + corrupt);
            assertTrue(corrupt.get(0).contains("action=stop_node"), corrupt.get(0));
            assertFalse(received.containsKey(DAMAGED), "the damaged message is never served, " + damaged);
            received.forEach((i, got) -> assertArrayEquals(body(i), got, "message " + i + " as published"));

            try (Connection connection = Cluster.factory(n1).newConnection()) {
                Channel ch = connection.createChannel();
                ch.basicQos(200);
                ch.basicConsume("q", false, collector(ch, received));
                Cluster.await("every message arrives from n1, unacked ones of n3 once it is declared down",
                        Cluster.WAIT_SECONDS, () -> received.size() == MESSAGES);
            }
            for (int i = 0; i < MESSAGES; i++) {
                assertArrayEquals(body(i), received.get(i), "message " + i + " as published");
            }
        }
    }

    /** Acks each delivery after checking it is whole (a mismatch is recorded as is, and fails the test). */
    private static DefaultConsumer collector(Channel ch, Map<Integer, byte[]> received) {
        return new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                received.put(ByteBuffer.wrap(body).getInt(), body);
                ch.basicAck(envelope.getDeliveryTag(), false);
            }
        };
    }

    private static int queueLength(NodeProcess node) {
        try (Connection connection = Cluster.factory(node).newConnection(); Channel ch = connection.createChannel()) {
            return ch.queueDeclarePassive("q").getMessageCount();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Finds the body in the node's store segments and flips one byte in its middle; returns the file. */
    private static Path flipAByteOfTheBody(Path dataDir, byte[] body) throws IOException {
        List<Path> segments;
        try (Stream<Path> files = Files.walk(dataDir.resolve("raft"))) {
            segments = files.filter(p -> p.getFileName().toString().endsWith(".dat")
                    && p.getParent().getFileName().toString().equals("store")
                    && p.getParent().getParent().getFileName().toString().equals("sm")).sorted().toList();
        }
        for (Path segment : segments) {
            byte[] bytes = Files.readAllBytes(segment);
            int at = indexOf(bytes, body);
            if (at >= 0) {
                bytes[at + body.length / 2] ^= 0x5a;
                Files.write(segment, bytes);
                return segment;
            }
        }
        throw new AssertionError("the body is in none of " + segments);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Message i: its number, then bytes that depend on it, so each body is unique in the store. */
    private static byte[] body(int i) {
        ByteBuffer body = ByteBuffer.allocate(BODY_BYTES).putInt(i);
        while (body.hasRemaining()) {
            body.put((byte) (i * 31 + body.position()));
        }
        return body.array();
    }
}
