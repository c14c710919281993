package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.node.testing.ClientPair;
import java.io.IOException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14, point 7, seen by the Java client: a redeclare of a predeclared amq.* exchange with its own type
 * and flags is answered with declare-ok, one that differs gets RabbitMQ's 406, and only an amq.* exchange that
 * would be created is refused (403); basic.recover with requeue=false is 540, as RabbitMQ 3.10 answers it.
 * Runs against RabbitMQ 3.10 in reference mode.
 */
@Tag("reference")
class PredeclaredExchangesClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("predeclared");

    private interface ChannelCall {
        void run(Channel channel) throws IOException;
    }

    /** The close a call on a fresh channel ends in: the channel's, or the connection's. */
    private static com.rabbitmq.client.Method closeOf(Connection connection, ChannelCall call) throws Exception {
        Channel channel = connection.createChannel();
        try {
            call.run(channel);
            throw new AssertionError("accepted");
        } catch (IOException e) {
            return ((ShutdownSignalException) e.getCause()).getReason();
        }
    }

    @Test
    void aMatchingRedeclareOfAPredeclaredExchangeIsAnsweredAndAnotherIsRefused() throws Exception {
        try (Channel channel = CLIENTS.publishing().createChannel()) {
            channel.exchangeDeclare("amq.direct", "direct", true);
            channel.exchangeDeclare("amq.fanout", "fanout", true);
            channel.exchangeDeclare("amq.topic", "topic", true);
            channel.exchangeDeclare("amq.headers", "headers", true);
            channel.exchangeDeclare("amq.match", "headers", true);
        }
        AMQP.Channel.Close otherType = (AMQP.Channel.Close) closeOf(CLIENTS.publishing(),
                channel -> channel.exchangeDeclare("amq.direct", "fanout", true));
        assertEquals(406, otherType.getReplyCode());
        assertEquals("PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'amq.direct' in vhost '/': received"
                + " 'fanout' but current is 'direct'", otherType.getReplyText());
        AMQP.Channel.Close created = (AMQP.Channel.Close) closeOf(CLIENTS.publishing(),
                channel -> channel.exchangeDeclare("amq.new", "direct", true));
        assertEquals(403, created.getReplyCode());
        assertEquals("ACCESS_REFUSED - exchange name 'amq.new' contains reserved prefix 'amq.*'", created.getReplyText());
    }

    @Test
    void recoverWithoutRequeueIs540() throws Exception {
        Connection connection = CLIENTS.broker().factory(1).newConnection();
        try {
            AMQP.Connection.Close close = (AMQP.Connection.Close) closeOf(connection, channel -> channel.basicRecover(false));
            assertEquals(540, close.getReplyCode());
            assertEquals("NOT_IMPLEMENTED - requeue=false", close.getReplyText());
        } finally {
            connection.abort(); // closed by the broker: nothing left to close politely
        }
    }
}
