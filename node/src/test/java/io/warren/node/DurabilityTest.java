package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.NodeProcess;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * DESIGN's durability promise with the RabbitMQ Java client and a real node process: a publisher streams
 * persistent messages in confirm mode; the node is killed with kill -9 in the middle of the stream (once
 * some hundreds are confirmed); after a restart every confirmed message is in the durable queue, and
 * non-durable state is gone as after a RabbitMQ restart. Snapshots run every 16 entries here and the kill
 * waits for one, so the restart loads a snapshot and replays the log's tail.
 */
class DurabilityTest {

    @Test
    void shouldKeepEveryConfirmedMessageAcrossKillDashNineInTheMiddleOfAPublishStream() throws Exception {
        try (NodeProcess node = NodeProcess.start("durability", "--snapshot-every-entries", "16")) {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setPort(node.amqpPort());
            Set<String> confirmed = new ConcurrentSkipListSet<>();
            CountDownLatch enoughConfirmed = new CountDownLatch(500);
            AtomicReference<Throwable> publisherEnd = new AtomicReference<>();
            try (Connection setup = factory.newConnection(); Channel ch = setup.createChannel()) {
                ch.queueDeclare("orders", true, false, false, null);
                ch.queueDeclare("scratch", false, false, false, null);
                ch.basicPublish("", "orders", MessageProperties.MINIMAL_BASIC, "transient".getBytes(StandardCharsets.UTF_8));
            }
            Thread publisher = new Thread(() -> publishUntilCut(factory, confirmed, enoughConfirmed, publisherEnd));
            publisher.start();
            assertTrue(enoughConfirmed.await(120, TimeUnit.SECONDS), "500 confirms within 120 s");
            // Entries carry many commands each, so 500 confirms may be fewer than 16 entries: the kill waits
            // for a snapshot, which the restart must load, while the publisher goes on streaming.
            Cluster.await("a snapshot taken while publishing", 120,
                    () -> node.output().stream().anyMatch(l -> l.contains("event=snapshot_taken")));
            node.kill();
            publisher.join(60_000);
            assertTrue(publisherEnd.get() != null, "the publisher saw the connection drop");

            node.startAgain();
            try (Connection after = factory.newConnection(); Channel ch = after.createChannel()) {
                AMQP.Queue.DeclareOk ok = ch.queueDeclare("orders", true, false, false, null);
                Set<String> found = new HashSet<>();
                GetResponse message;
                while ((message = ch.basicGet("orders", true)) != null) {
                    found.add(new String(message.getBody(), StandardCharsets.UTF_8));
                }
                Set<String> lost = new HashSet<>(confirmed);
                lost.removeAll(found);
                assertEquals(Set.of(), lost, "confirmed messages lost across kill -9");
                assertTrue(!found.contains("transient"), "a transient message does not survive a restart");
                assertTrue(ok.getMessageCount() >= confirmed.size());
                assertTrue(node.output().stream().anyMatch(l -> l.contains("event=snapshot_loaded")),
                        "the restart loaded a snapshot");
                try (Channel probe = after.createChannel()) {
                    probe.queueDeclarePassive("scratch");
                    throw new AssertionError("a non-durable queue survived the restart");
                } catch (java.io.IOException e) {
                    assertTrue(e.getCause().getMessage().contains("404"), e.getCause().getMessage());
                } catch (com.rabbitmq.client.AlreadyClosedException e) {
                    assertTrue(e.getMessage().contains("404"), e.getMessage());
                }
            }
        }
    }

    private static void publishUntilCut(ConnectionFactory factory, Set<String> confirmed, CountDownLatch enough,
            AtomicReference<Throwable> end) {
        try (Connection connection = factory.newConnection(); Channel ch = connection.createChannel()) {
            ch.confirmSelect();
            java.util.concurrent.ConcurrentNavigableMap<Long, String> outstanding =
                    new java.util.concurrent.ConcurrentSkipListMap<>();
            ch.addConfirmListener((tag, multiple) -> {
                var acked = multiple ? outstanding.headMap(tag, true) : outstanding.subMap(tag, true, tag, true);
                acked.values().forEach(id -> {
                    confirmed.add(id);
                    enough.countDown();
                });
                acked.clear();
            }, (tag, multiple) -> {
                var nacked = multiple ? outstanding.headMap(tag, true) : outstanding.subMap(tag, true, tag, true);
                nacked.clear();
            });
            for (int i = 0; ; i++) {
                while (outstanding.size() > 200) {
                    ch.waitForConfirms(10_000);
                }
                String id = "m-" + i;
                outstanding.put(ch.getNextPublishSeqNo(), id);
                ch.basicPublish("", "orders", MessageProperties.PERSISTENT_BASIC, id.getBytes(StandardCharsets.UTF_8));
            }
        } catch (Throwable e) {
            end.set(e);
        }
    }
}
