package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
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
 * Issue 14, point 5, seen by the Java client on three nodes: alternate exchanges as an exchange argument —
 * a chain, a cycle that ends in basic.return, and RabbitMQ's 406 for a value that is not text. Runs against
 * RabbitMQ 3.10 in reference mode.
 */
@Tag("reference")
class AlternateExchangeClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("alternate");

    @Test
    void unroutableMessagesFollowTheAlternatesAndACycleReturnsThem() throws Exception {
        try (Channel channel = CLIENTS.publishing().createChannel()) {
            channel.exchangeDeclare("ae-alt", "fanout");
            channel.exchangeDeclare("ae-main", "direct", false, false, Map.of("alternate-exchange", "ae-alt"));
            channel.exchangeDeclare("ae-loop1", "direct", false, false, Map.of("alternate-exchange", "ae-loop2"));
            channel.exchangeDeclare("ae-loop2", "direct", false, false, Map.of("alternate-exchange", "ae-loop1"));
            channel.queueDeclare("ae-q-main", true, false, false, null);
            channel.queueDeclare("ae-q-alt", true, false, false, null);
            channel.queueBind("ae-q-main", "ae-main", "k");
            channel.queueBind("ae-q-alt", "ae-alt", "");
            List<String> returned = new CopyOnWriteArrayList<>();
            channel.addReturnListener(r -> returned.add(r.getExchange() + "/" + new String(r.getBody())));
            channel.confirmSelect();
            channel.basicPublish("ae-main", "k", true, null, "1".getBytes());
            channel.basicPublish("ae-main", "z", true, null, "2".getBytes());
            channel.basicPublish("ae-loop1", "z", true, null, "3".getBytes());
            channel.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
            assertEquals(List.of("ae-loop1/3"), returned, "only the cycle's message comes back");
        }
        try (Channel channel = CLIENTS.reading().createChannel()) {
            assertEquals("1", new String(channel.basicGet("ae-q-main", true).getBody()));
            GetResponse alternate = channel.basicGet("ae-q-alt", true);
            assertEquals("2", new String(alternate.getBody()));
            assertEquals("ae-main", alternate.getEnvelope().getExchange(), "delivered as published to ae-main");
            assertNull(channel.basicGet("ae-q-alt", true));
        }
    }

    @Test
    void aValueThatIsNotTextIs406() throws Exception {
        Channel channel = CLIENTS.publishing().createChannel();
        try {
            channel.exchangeDeclare("ae-int", "direct", false, false, Map.of("alternate-exchange", 5));
            throw new AssertionError("accepted");
        } catch (IOException e) {
            AMQP.Channel.Close close = (AMQP.Channel.Close) channel.getCloseReason().getReason();
            assertEquals(406, close.getReplyCode());
            assertEquals("PRECONDITION_FAILED - invalid type 'signedint' for arg 'alternate-exchange' in exchange"
                    + " 'ae-int' in vhost '/'", close.getReplyText());
        }
    }
}
