package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.CtlRun;
import io.warren.node.testing.NodeProcess;
import io.warren.node.testing.TestBroker;
import io.warren.node.testing.WarrenBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, point 5: a memory or disk alarm on any node blocks the publishing connections of every node
 * (connection.blocked, reading paused), leaves consume-only connections working, and lifts when the
 * alarm clears; the thresholds are set as rabbitmqctl sets them, and bad values are refused. Runs against
 * RabbitMQ too in reference mode (the wording of the reasons, and what a consume-only connection may do,
 * are RabbitMQ's).
 */
@Tag("reference")
class ResourceAlarmTest {

    @Test
    void anAlarmOnOneNodeBlocksPublishersOnEveryNodeUntilItClears() throws Exception {
        try (TestBroker broker = TestBroker.start("alarms", 3)) {
            LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
            try (Connection publishing = broker.factory(1).newConnection();
                    Connection consuming = broker.factory(1).newConnection()) {
                publishing.addBlockedListener(new BlockedListener() {
                    @Override
                    public void handleBlocked(String reason) {
                        events.add("blocked: " + reason);
                    }

                    @Override
                    public void handleUnblocked() {
                        events.add("unblocked");
                    }
                });
                Channel pub = publishing.createChannel();
                pub.queueDeclare("alarmed", true, false, false, Map.of("x-queue-type", "quorum"));
                pub.confirmSelect();
                publish(pub, "before");

                broker.ctl(2, "set_vm_memory_high_watermark", "0").requireSuccess();
                // As RabbitMQ: an alarm blocks a connection when it publishes while the alarm is on, and then
                // stops reading from it; a consume-only connection is never blocked.
                int underMemoryAlarm = publishUntilBlocked(pub, events, "blocked: low on memory");

                Channel con = consuming.createChannel();
                var got = con.basicGet("alarmed", false);
                assertNotNull(got, "a consume-only connection still works during the alarm");
                assertEquals("before", new String(got.getBody(), StandardCharsets.UTF_8));
                con.basicAck(got.getEnvelope().getDeliveryTag(), false);

                broker.ctl(2, "set_vm_memory_high_watermark", "0.9").requireSuccess();
                assertEquals("unblocked", events.poll(Cluster.WAIT_SECONDS, TimeUnit.SECONDS));
                pub.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
                publish(pub, "after memory");

                broker.ctl(3, "set_disk_free_limit", "1000000GB").requireSuccess();
                int underDiskAlarm = publishUntilBlocked(pub, events, "blocked: low on disk");
                broker.ctl(3, "set_disk_free_limit", "50MB").requireSuccess();
                assertEquals("unblocked", events.poll(Cluster.WAIT_SECONDS, TimeUnit.SECONDS));
                pub.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
                publish(pub, "after disk");
                assertEquals(2 + underMemoryAlarm + underDiskAlarm, con.queueDeclarePassive("alarmed").getMessageCount(),
                        "nothing was lost: what was published under the alarms is there once they cleared");
                assertEquals(null, events.poll(), "nothing else was said: " + events);
            }
            CtlRun badLimit = broker.ctl(1, "set_disk_free_limit", "lots");
            assertNotEquals(0, badLimit.exit(), "a limit that is not a size is refused: " + badLimit);
            if (broker instanceof WarrenBroker warren) {
                // Warren's admin API: a fraction outside 0..1 is refused with 400 and says why.
                NodeProcess n1 = warren.cluster().node(1);
                IOException badFraction = assertThrows(IOException.class,
                        () -> n1.admin("set_vm_memory_high_watermark", "fraction", "2"));
                assertTrue(badFraction.getMessage().contains("400") && badFraction.getMessage().contains("from 0 to 1"),
                        badFraction.getMessage());
                IOException badBytes = assertThrows(IOException.class, () -> n1.admin("set_disk_free_limit", "limit", "lots"));
                assertTrue(badBytes.getMessage().contains("400"), badBytes.getMessage());
            }
        }
    }

    /**
     * Publishes a message every 100 ms, without waiting for confirms, until the connection is told it is
     * blocked (the alarm reaches node 1 within a check or two); returns how many it published.
     */
    private static int publishUntilBlocked(Channel channel, LinkedBlockingQueue<String> events, String expected)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Cluster.WAIT_SECONDS);
        for (int published = 1; ; published++) {
            channel.basicPublish("", "alarmed", MessageProperties.PERSISTENT_TEXT_PLAIN,
                    ("under an alarm " + published).getBytes(StandardCharsets.UTF_8));
            String event = events.poll(100, TimeUnit.MILLISECONDS);
            if (event != null) {
                assertEquals(expected, event, "the alarm blocks the publishing connection");
                return published;
            }
            assertTrue(System.nanoTime() < deadline, "not blocked within " + Cluster.WAIT_SECONDS + " s");
        }
    }

    private static void publish(Channel channel, String body) throws Exception {
        channel.basicPublish("", "alarmed", MessageProperties.PERSISTENT_TEXT_PLAIN, body.getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
    }
}
