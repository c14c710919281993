package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.warren.node.testing.ClientPair;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.TestBroker;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14, point 1, seen by the Java client on three nodes: x-single-active-consumer. Only the first
 * consumer gets messages; when its channel closes the next takes over and gets what it left unacked; on a
 * quorum queue a cancel hands over at once. Runs against RabbitMQ 3.10 in reference mode, except the one
 * test of where Warren's classic queues differ (they hand over at a cancel too).
 */
@Tag("reference")
class SingleActiveConsumerClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("single-active");

    private record Consumer(Channel channel, String tag) {}

    private static Consumer consume(String queue, String name, List<String> got) throws IOException {
        Channel channel = CLIENTS.reading().createChannel();
        channel.basicQos(1);
        String tag = channel.basicConsume(queue, false, (t, m) -> got.add(name + ":" + new String(m.getBody())), t -> { });
        return new Consumer(channel, tag);
    }

    private static void declareAndPublish(String queue, String type, int messages) throws Exception {
        try (Channel channel = CLIENTS.publishing().createChannel()) {
            channel.queueDelete(queue);
            channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", type, "x-single-active-consumer", true));
        }
        publish(queue, messages);
    }

    private static void publish(String queue, int messages) throws Exception {
        try (Channel channel = CLIENTS.publishing().createChannel()) {
            channel.confirmSelect();
            for (int i = 0; i < messages; i++) {
                channel.basicPublish("", queue, null, ("m" + i).getBytes());
            }
            channel.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
        }
    }

    @Test
    void theNextConsumerTakesOverWhenTheActiveOnesChannelCloses() throws Exception {
        for (String type : List.of("classic", "quorum")) {
            String queue = "sac-close-" + type;
            List<String> got = new CopyOnWriteArrayList<>();
            try (Channel setUp = CLIENTS.publishing().createChannel()) {
                setUp.queueDelete(queue);
                setUp.queueDeclare(queue, true, false, false, Map.of("x-queue-type", type, "x-single-active-consumer", true));
            }
            Consumer a = consume(queue, "a", got);
            Consumer b = consume(queue, "b", got);
            publish(queue, 2);
            Cluster.await(type + ": a has one", Cluster.WAIT_SECONDS, () -> got.size() == 1);
            assertEquals(List.of("a:m0"), got, type + ": only the first consumer, though b has credit");
            a.channel().close();
            Cluster.await(type + ": b took over", Cluster.WAIT_SECONDS, () -> got.size() == 2);
            assertEquals(List.of("a:m0", "b:m0"), got, type + ": b gets what a left unacked first");
            b.channel().close();
        }
    }

    @Test
    void onAQuorumQueueACancelHandsOverAtOnce() throws Exception {
        assertACancelHandsOverAtOnce("sac-cancel", "quorum");
    }

    /** The active consumer takes one and cancels; the next one gets the next message at once. */
    private static void assertACancelHandsOverAtOnce(String queue, String type) throws Exception {
        declareAndPublish(queue, type, 2);
        List<String> got = new CopyOnWriteArrayList<>();
        Consumer a = consume(queue, "a", got);
        Consumer b = consume(queue, "b", got);
        Cluster.await("a has one", Cluster.WAIT_SECONDS, () -> got.size() == 1);
        a.channel().basicCancel(a.tag());
        Cluster.await("b took over", Cluster.WAIT_SECONDS, () -> got.size() == 2);
        assertEquals(List.of("a:m0", "b:m1"), got, type);
        a.channel().close();
        b.channel().close();
    }

    @Test
    void theArgumentIsABoolean() throws Exception {
        Channel channel = CLIENTS.publishing().createChannel();
        try {
            channel.queueDeclare("sac-bad", true, false, false, Map.of("x-single-active-consumer", "yes"));
            throw new AssertionError("accepted");
        } catch (IOException e) {
            AMQP.Channel.Close close = (AMQP.Channel.Close) channel.getCloseReason().getReason();
            assertEquals(406, close.getReplyCode());
            assertEquals("PRECONDITION_FAILED - invalid arg 'x-single-active-consumer' for queue 'sac-bad' in vhost '/':"
                    + " {unacceptable_type,longstr}", close.getReplyText());
        }
    }

    /** Where Warren differs: its classic queues hand over at a cancel too (RabbitMQ's wait for the unacked). */
    @Test
    void aClassicQueueHandsOverAtACancelInWarren() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(TestBroker.referenceMode(), "Warren's behaviour, not RabbitMQ's");
        assertACancelHandsOverAtOnce("sac-cancel-classic", "classic");
    }
}
