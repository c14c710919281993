package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.NodeProcess;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, point 5: a no-ack consumer that stops reading its socket is not sent the whole backlog. The
 * node grants deliveries in windows only while the socket takes writes, so the messages wait in the
 * store; when the consumer reads again it gets every one, once.
 */
class SlowConsumerTest {
    private static final int MESSAGES = 20_000;

    @Test
    void aNoAckConsumerThatStopsReadingHoldsOnlyAWindowOfDeliveries() throws Exception {
        try (NodeProcess node = NodeProcess.start("slow-consumer")) {
            ConnectionFactory factory = Cluster.factory(node);
            try (Connection connection = factory.newConnection(); Channel ch = connection.createChannel()) {
                ch.queueDeclare("slow", true, false, false, null);
                ch.confirmSelect();
                byte[] body = new byte[4096];
                for (int i = 0; i < MESSAGES; i++) {
                    body[0] = (byte) i;
                    ch.basicPublish("", "slow", new AMQP.BasicProperties.Builder().deliveryMode(2)
                            .messageId(Integer.toString(i)).build(), body);
                    if (i % 1000 == 999) {
                        ch.waitForConfirmsOrDie(60_000);
                    }
                }
                ch.waitForConfirmsOrDie(60_000);
            }
            CountDownLatch stalled = new CountDownLatch(1);
            Set<String> seen = ConcurrentHashMap.newKeySet();
            CountDownLatch all = new CountDownLatch(MESSAGES);
            try (Connection consumer = factory.newConnection(); Connection observer = factory.newConnection()) {
                Channel ch = consumer.createChannel();
                ch.basicConsume("slow", true, new DefaultConsumer(ch) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties,
                            byte[] ignored) {
                        try {
                            // The client stops reading its socket once 1000 deliveries wait behind this one.
                            stalled.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        if (seen.add(properties.getMessageId())) {
                            all.countDown();
                        }
                    }
                });
                Cluster.await("the node holds deliveries back", Cluster.WAIT_SECONDS,
                        () -> node.output().stream().anyMatch(l -> l.contains("event=credit_withheld")));
                int ready = observer.createChannel().queueDeclarePassive("slow").getMessageCount();
                assertTrue(ready >= MESSAGES / 2, "most of the backlog still waits in the queue, not in memory: "
                        + ready + " of " + MESSAGES + " ready");
                stalled.countDown();
                assertTrue(all.await(Cluster.WAIT_SECONDS, TimeUnit.SECONDS),
                        "every message arrives once the consumer reads: " + seen.size());
                assertEquals(MESSAGES, seen.size());
                assertEquals(0, observer.createChannel().queueDeclarePassive("slow").getMessageCount());
            }
        }
    }
}
