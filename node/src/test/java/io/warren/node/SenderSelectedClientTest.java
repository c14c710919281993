package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.warren.node.testing.ClientPair;
import io.warren.node.testing.Cluster;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14, point 5, seen by the Java client on three nodes: sender-selected distribution (the CC and BCC
 * headers route a message to more keys; BCC never reaches a consumer) and user_id checked against the login
 * user. Runs against RabbitMQ 3.10 in reference mode.
 */
@Tag("reference")
class SenderSelectedClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("sender-selected");

    private static GetResponse take(String queue) throws Exception {
        try (Channel channel = CLIENTS.reading().createChannel()) {
            return channel.basicGet(queue, true);
        }
    }

    @Test
    void ccAndBccRouteTheMessageAndBccIsStripped() throws Exception {
        try (Channel channel = CLIENTS.publishing().createChannel()) {
            for (String q : List.of("ss-a", "ss-b", "ss-c")) {
                channel.queueDelete(q);
                channel.queueDeclare(q, true, false, false, null);
                channel.queueBind(q, "amq.direct", q.substring(3));
            }
            channel.confirmSelect();
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                    .headers(Map.of("CC", List.of("b"), "BCC", List.of("c"), "other", 1)).build();
            channel.basicPublish("amq.direct", "a", properties, "m".getBytes());
            channel.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
        }
        for (String q : List.of("ss-a", "ss-b", "ss-c")) {
            GetResponse got = take(q);
            assertEquals("a", got.getEnvelope().getRoutingKey(), q + ": delivered with its own routing key");
            Map<String, Object> headers = got.getProps().getHeaders();
            assertFalse(headers.containsKey("BCC"), q + ": BCC is stripped");
            assertEquals("[b]", String.valueOf(headers.get("CC")), q + ": CC is kept (an array of long strings)");
            assertNull(take(q), q + ": once");
        }
    }

    @Test
    void aCcThatIsNotAnArrayIs406() throws Exception {
        Channel channel = CLIENTS.publishing().createChannel();
        channel.basicPublish("", "ss-nowhere", new AMQP.BasicProperties.Builder().headers(Map.of("CC", "b")).build(),
                "m".getBytes());
        assertEquals("PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,\"CC\",longstr}",
                closeText(channel));
    }

    @Test
    void aUserIdOtherThanTheLoginUsersIs406() throws Exception {
        Channel channel = CLIENTS.publishing().createChannel();
        channel.basicPublish("", "ss-nowhere", new AMQP.BasicProperties.Builder().userId("bob").build(), "m".getBytes());
        assertEquals("PRECONDITION_FAILED - user_id property set to 'bob' but authenticated user was 'guest'",
                closeText(channel));
        try (Channel own = CLIENTS.publishing().createChannel()) {
            own.confirmSelect();
            own.basicPublish("", "ss-nowhere", new AMQP.BasicProperties.Builder().userId("guest").build(), "m".getBytes());
            own.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
        }
    }

    /** A round trip on the channel after a publish: the broker's close comes first; its text. */
    private static String closeText(Channel channel) throws Exception {
        try {
            channel.queueDeclarePassive("ss-a");
            throw new AssertionError("the publish was accepted");
        } catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
            AMQP.Channel.Close close = (AMQP.Channel.Close) channel.getCloseReason().getReason();
            assertEquals(406, close.getReplyCode());
            return close.getReplyText();
        }
    }
}
