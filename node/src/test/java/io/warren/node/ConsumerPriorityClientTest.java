package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.warren.node.testing.ClientPair;
import io.warren.node.testing.Cluster;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14, point 2, seen by the Java client on three nodes: consumer priorities on classic and quorum
 * queues — the highest priority with credit gets the messages, and one held back by its prefetch lets the
 * lower one have them. Runs against RabbitMQ 3.10 in reference mode.
 */
@Tag("reference")
class ConsumerPriorityClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("consumer-priority");

    @Test
    void theHighestPriorityWithCreditGetsTheMessages() throws Exception {
        for (String type : List.of("classic", "quorum")) {
            String queue = "priority-" + type;
            List<String> got = new CopyOnWriteArrayList<>();
            Channel high = CLIENTS.reading().createChannel();
            Channel low = CLIENTS.reading().createChannel();
            high.queueDeclare(queue, true, false, false, Map.of("x-queue-type", type));
            high.basicQos(1);
            high.basicConsume(queue, false, Map.of("x-priority", 10), (tag, m) -> got.add("high"), tag -> { });
            low.basicConsume(queue, true, Map.of("x-priority", 1), (tag, m) -> got.add("low"), tag -> { });
            try (Channel publishing = CLIENTS.publishing().createChannel()) {
                publishing.confirmSelect();
                for (int i = 0; i < 4; i++) {
                    publishing.basicPublish("", queue, null, ("m" + i).getBytes());
                }
                publishing.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
            }
            Cluster.await(type + ": four deliveries", Cluster.WAIT_SECONDS, () -> got.size() == 4);
            // Two channels' callbacks: the order they run in says nothing; how many each got does.
            List<String> sorted = got.stream().sorted().toList();
            assertEquals(List.of("high", "low", "low", "low"), sorted, type + ": the high one holds one unacked");
            high.close();
            low.close();
        }
    }

    @Test
    void aPriorityThatIsNotAnIntegerIs406() throws Exception {
        Channel channel = CLIENTS.reading().createChannel();
        channel.queueDeclare("priority-bad", true, false, false, null);
        try {
            channel.basicConsume("priority-bad", true, Map.of("x-priority", "x"), (tag, m) -> { }, tag -> { });
            throw new AssertionError("accepted");
        } catch (IOException e) {
            AMQP.Channel.Close close = (AMQP.Channel.Close) channel.getCloseReason().getReason();
            assertEquals(406, close.getReplyCode());
            assertEquals("PRECONDITION_FAILED - invalid arg 'x-priority' for queue 'priority-bad' in vhost '/':"
                    + " \"expected integer, got longstr\"", close.getReplyText());
        }
    }
}
