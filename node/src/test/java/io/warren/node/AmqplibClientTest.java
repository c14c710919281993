package io.warren.node;

import io.warren.node.testing.ClientPair;
import io.warren.node.testing.NodeClients;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14, point 9: Node's amqplib against three nodes (src/test/resources/amqplib/clients.js), publishing
 * on node 1 and consuming on node 2. Runs against RabbitMQ 3.10 in reference mode too.
 */
@Tag("reference")
class AmqplibClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("amqplib");
    private static NodeClients amqplib;

    @BeforeAll
    static void install() throws Exception {
        amqplib = NodeClients.prepare();
    }

    private static void run(String scenario) throws Exception {
        amqplib.run(scenario, CLIENTS.broker().factory(1).getPort(), CLIENTS.broker().factory(2).getPort());
    }

    @Test
    void publishesWithConfirmsAndConsumesWithAcks() throws Exception {
        run("confirms_and_consume");
    }

    @Test
    void rpcWithAReplyQueueAndWithDirectReplyTo() throws Exception {
        run("rpc");
    }

    @Test
    void aChannelErrorReachesTheClientAndTheConnectionGoesOn() throws Exception {
        run("channel_error");
    }
}
