package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.warren.node.testing.ClientPair;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The arguments one queue type takes and the other refuses, and x-queue-mode on a classic queue, with
 * RabbitMQ 3.10's texts. Runs against RabbitMQ 3.10 in reference mode.
 */
@Tag("reference")
class QueueTypeArgumentsClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("queue-type-arguments");

    private static String refusal(Map<String, Object> arguments) throws Exception {
        Channel channel = CLIENTS.publishing().createChannel();
        try {
            channel.queueDeclare("qta", true, false, false, arguments);
            throw new AssertionError(arguments + " accepted");
        } catch (IOException e) {
            AMQP.Channel.Close close = (AMQP.Channel.Close) channel.getCloseReason().getReason();
            assertEquals(406, close.getReplyCode());
            return close.getReplyText();
        }
    }

    @Test
    void eachTypeRefusesTheOthersArguments() throws Exception {
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'qta' in vhost '/' of queue type"
                + " rabbit_quorum_queue", refusal(Map.of("x-queue-type", "quorum", "x-max-priority", 5)));
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-queue-mode' for queue 'qta' in vhost '/' of queue type"
                + " rabbit_quorum_queue", refusal(Map.of("x-queue-type", "quorum", "x-queue-mode", "lazy")));
    }

    @Test
    void aClassicQueueTakesLazyOrDefaultOnly() throws Exception {
        try (Channel channel = CLIENTS.publishing().createChannel()) {
            channel.queueDeclare("qta-lazy", true, false, false, Map.of("x-queue-mode", "lazy"));
            channel.queueDeclare("qta-default", true, false, false, Map.of("x-queue-mode", "default"));
        }
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-queue-mode' for queue 'qta' in vhost '/': \"unsupported"
                + " queue mode 'other'\"", refusal(Map.of("x-queue-mode", "other")));
        assertEquals("PRECONDITION_FAILED - invalid arg 'x-queue-mode' for queue 'qta' in vhost '/':"
                + " {unacceptable_type,signedint}", refusal(Map.of("x-queue-mode", 5)));
    }
}
