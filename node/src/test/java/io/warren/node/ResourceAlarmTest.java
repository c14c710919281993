package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.NodeProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, point 5: a memory or disk alarm on any node blocks the publishing connections of every node
 * (connection.blocked, reading paused), leaves consume-only connections working, and lifts when the
 * alarm clears; the thresholds are set as rabbitmqctl sets them, and bad values are refused.
 */
class ResourceAlarmTest {

    @Test
    void anAlarmOnOneNodeBlocksPublishersOnEveryNodeUntilItClears() throws Exception {
        try (Cluster cluster = Cluster.start("alarms", 3)) {
            NodeProcess n1 = cluster.node(1);
            NodeProcess n2 = cluster.node(2);
            NodeProcess n3 = cluster.node(3);
            LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
            try (Connection publishing = Cluster.factory(n1).newConnection();
                    Connection consuming = Cluster.factory(n1).newConnection()) {
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
                pub.queueDeclare("alarmed", true, false, false, null);
                pub.confirmSelect();
                publish(pub, "before");

                n2.admin("set_vm_memory_high_watermark", "fraction", "0");
                String blocked = events.poll(Cluster.WAIT_SECONDS, TimeUnit.SECONDS);
                assertEquals("blocked: low on memory", blocked, "an alarm on n2 blocks n1's publisher");

                Channel con = consuming.createChannel();
                var got = con.basicGet("alarmed", false);
                assertNotNull(got, "a consume-only connection still works during the alarm");
                assertEquals("before", new String(got.getBody(), StandardCharsets.UTF_8));
                con.basicAck(got.getEnvelope().getDeliveryTag(), false);

                n2.admin("set_vm_memory_high_watermark", "fraction", "0.99");
                assertEquals("unblocked", events.poll(Cluster.WAIT_SECONDS, TimeUnit.SECONDS));
                publish(pub, "after memory");

                n3.admin("set_disk_free_limit", "limit", "1000000GB");
                assertEquals("blocked: low on disk", events.poll(Cluster.WAIT_SECONDS, TimeUnit.SECONDS));
                n3.admin("set_disk_free_limit", "limit", "50MB");
                assertEquals("unblocked", events.poll(Cluster.WAIT_SECONDS, TimeUnit.SECONDS));
                publish(pub, "after disk");
                assertEquals(2, con.queueDeclarePassive("alarmed").getMessageCount(), "nothing was lost");
            }
            IOException badFraction = assertThrows(IOException.class,
                    () -> n1.admin("set_vm_memory_high_watermark", "fraction", "2"));
            assertTrue(badFraction.getMessage().contains("400") && badFraction.getMessage().contains("from 0 to 1"),
                    badFraction.getMessage());
            IOException badLimit = assertThrows(IOException.class, () -> n1.admin("set_disk_free_limit", "limit", "lots"));
            assertTrue(badLimit.getMessage().contains("400"), badLimit.getMessage());
        }
    }

    private static void publish(Channel channel, String body) throws Exception {
        channel.basicPublish("", "alarmed", MessageProperties.PERSISTENT_TEXT_PLAIN, body.getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
    }
}
