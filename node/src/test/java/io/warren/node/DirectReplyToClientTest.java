package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import io.warren.node.testing.ClientPair;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.JavaTutorials;
import io.warren.node.testing.PikaTutorials;
import io.warren.node.testing.Refusals;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14, point 4: direct reply-to with the Java client and pika, the requester on node 1 and the responder
 * on node 2, and the errors RabbitMQ 3.10 gives (probed). Runs against RabbitMQ in reference mode.
 */
@Tag("reference")
class DirectReplyToClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("direct-reply-to");
    private static final String REPLY_TO = "amq.rabbitmq.reply-to";

    @Test
    void aRequestersRepliesComeStraightBackAcrossNodes() throws Exception {
        BlockingQueue<Delivery> replies = new LinkedBlockingQueue<>();
        Channel requester = CLIENTS.publishing().createChannel();
        requester.basicConsume(REPLY_TO, true, (tag, delivery) -> replies.add(delivery), tag -> { });
        Channel responder = CLIENTS.reading().createChannel();
        responder.queueDeclare("rt-requests", false, false, false, null);
        BlockingQueue<String> seenReplyTo = new LinkedBlockingQueue<>();
        responder.basicConsume("rt-requests", true, (tag, request) -> {
            seenReplyTo.add(request.getProperties().getReplyTo());
            responder.basicPublish("", request.getProperties().getReplyTo(), new AMQP.BasicProperties.Builder()
                    .correlationId(request.getProperties().getCorrelationId()).build(),
                    ("re: " + new String(request.getBody(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        }, tag -> { });
        requester.basicPublish("", "rt-requests", new AMQP.BasicProperties.Builder().replyTo(REPLY_TO)
                .correlationId("c1").build(), "ping".getBytes(StandardCharsets.UTF_8));
        Delivery reply = replies.poll(Cluster.WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(reply, "no reply");
        assertEquals("re: ping", new String(reply.getBody(), StandardCharsets.UTF_8));
        assertEquals("c1", reply.getProperties().getCorrelationId());
        String address = seenReplyTo.poll(Cluster.WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(address.startsWith(REPLY_TO + "."), address);
        assertEquals(address, reply.getEnvelope().getRoutingKey(), "delivered with the address as its key");
        assertEquals("", reply.getEnvelope().getExchange());
        AMQP.Queue.DeclareOk live = responder.queueDeclarePassive(address);
        assertEquals(0, live.getMessageCount());
        requester.close();
        responder.confirmSelect();
        responder.basicPublish("", address, null, "late".getBytes(StandardCharsets.UTF_8));
        assertTrue(responder.waitForConfirms(Cluster.WAIT_SECONDS * 1000), "a reply nobody waits for is confirmed");
        assertEquals(404, closeCode(() -> CLIENTS.reading().createChannel().queueDeclarePassive(address)),
                "the address ends with its channel");
        responder.close();
    }

    @Test
    void theServerAnnouncesDirectReplyTo() {
        Map<String, Object> properties = CLIENTS.publishing().getServerProperties();
        @SuppressWarnings("unchecked")
        Map<String, Object> capabilities = (Map<String, Object>) properties.get("capabilities");
        assertEquals(true, capabilities.get("direct_reply_to"));
    }

    @Test
    void misuseIs406WithRabbitMqsTexts() throws Exception {
        assertEquals("PRECONDITION_FAILED - reply consumer cannot acknowledge", closeText(() -> CLIENTS.publishing()
                .createChannel().basicConsume(REPLY_TO, false, (tag, d) -> { }, tag -> { })));
        assertEquals("PRECONDITION_FAILED - fast reply consumer does not exist", closeText(() -> {
            Channel channel = CLIENTS.publishing().createChannel();
            channel.basicPublish("", "nowhere", new AMQP.BasicProperties.Builder().replyTo(REPLY_TO).build(),
                    new byte[0]);
            channel.queueDeclarePassive(REPLY_TO); // a round trip, which the channel error overtakes
        }));
        Channel twice = CLIENTS.publishing().createChannel();
        twice.basicConsume(REPLY_TO, true, (tag, d) -> { }, tag -> { });
        assertEquals("PRECONDITION_FAILED - reply consumer already set", closeText(() -> twice.basicConsume(REPLY_TO,
                true, (tag, d) -> { }, tag -> { })));
        assertEquals(404, closeCode(() -> CLIENTS.reading().createChannel()
                .queueDeclarePassive(REPLY_TO + ".bogus")));
        assertEquals(1, CLIENTS.reading().createChannel().queueDeclarePassive(REPLY_TO).getConsumerCount());
    }

    @Test
    void pikaRpcOverDirectReplyTo() throws Exception {
        PikaTutorials.prepare("direct_reply_to.py").run("rpc", CLIENTS.broker().factory(1).getPort(),
                CLIENTS.broker().factory(2).getPort());
    }

    private static String closeText(JavaTutorials.ThrowingRunnable call) throws Exception {
        return Refusals.of(call).text();
    }

    private static int closeCode(JavaTutorials.ThrowingRunnable call) throws Exception {
        return Refusals.of(call).code();
    }
}
