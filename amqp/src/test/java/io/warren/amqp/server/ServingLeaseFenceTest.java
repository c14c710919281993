package io.warren.amqp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.warren.amqp.broker.Broker;
import io.warren.amqp.broker.BrokerConnection;
import io.warren.amqp.broker.ClientChannel;
import io.warren.amqp.broker.ClientConnection;
import io.warren.amqp.broker.ConnectionInfo;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.method.BasicMethod;
import io.warren.amqp.method.ConnectionMethod;
import io.warren.amqp.testing.InMemoryBroker;
import io.warren.amqp.testing.ScriptedClient;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Goal: a broker whose serving lease lapsed sends its clients nothing it decided (DESIGN invariant 5, issue 19).
 * Method: a broker that says when its lease holds; deliveries, confirms and replies asked for after the lapse,
 * and output written before it but not yet flushed, must not reach the client; the connection ends with 320,
 * or, when unflushed output would have to go first, with the socket closed.
 */
class ServingLeaseFenceTest {
    private final LeasedBroker broker = new LeasedBroker();

    @Test
    void shouldDropOutputAskedForAfterTheLeaseLapsedAndCloseWith320() {
        try (ScriptedClient client = new ScriptedClient(AmqpServerConfig.defaults(), broker)) {
            client.handshake();
            client.openChannel(1);
            ClientChannel channel = broker.inner.clientChannels.get(0);
            deliver(channel, 1, "before");
            client.expect(1, BasicMethod.Deliver.class);
            assertEquals("before", new String(client.expectContent(1), StandardCharsets.UTF_8));

            broker.lapse();
            deliver(channel, 2, "stale");
            channel.confirm(7, false, true);
            ConnectionMethod.Close close = client.expectConnectionClose(320);
            assertTrue(close.replyText().contains("serving lease lapsed"), close.replyText());
            channel.confirm(8, false, true);
            client.assertNothingMore();
            client.send(0, new ConnectionMethod.CloseOk());
            client.assertClosed();
            assertEquals(1, broker.inner.closedConnections.size(), "the broker was told the connection ended");
        }
    }

    @Test
    void shouldCloseTheSocketWhenOutputWrittenUnderTheLeaseWasNotFlushedBeforeItLapsed() {
        try (ScriptedClient client = new ScriptedClient(AmqpServerConfig.defaults(), broker)) {
            client.handshake();
            client.openChannel(1);
            ClientChannel channel = broker.inner.clientChannels.get(0);
            // The write looks once (held); the flush it schedules runs after the lapse, as after a pause.
            broker.holdForLooks(1);
            deliver(channel, 1, "written, not flushed");
            assertNull(client.nextFrame(), "nothing written before the lapse may leave once it lapsed");
            client.assertClosed();
            assertEquals(1, broker.inner.closedConnections.size());
        }
    }

    @Test
    void shouldRefuseToOpenAConnectionWhileTheLeaseIsLapsed() {
        try (ScriptedClient client = new ScriptedClient(AmqpServerConfig.defaults(), broker)) {
            client.authenticate();
            broker.lapse();
            client.send(0, new ConnectionMethod.TuneOk(0, 0, 0));
            client.send(0, new ConnectionMethod.Open("/"));
            client.expectConnectionClose(320);
            assertTrue(broker.inner.openedConnections.isEmpty(), "the broker never saw the connection");
        }
    }

    @Test
    void shouldServeAsBeforeWhileTheLeaseHolds() {
        try (ScriptedClient client = new ScriptedClient(AmqpServerConfig.defaults(), broker)) {
            client.handshake();
            client.openChannel(1);
            ClientChannel channel = broker.inner.clientChannels.get(0);
            for (int tag = 1; tag <= 3; tag++) {
                deliver(channel, tag, "m" + tag);
                assertEquals(tag, client.expect(1, BasicMethod.Deliver.class).deliveryTag());
                client.expectContent(1);
            }
            assertTrue(client.isOpen());
        }
    }

    private static void deliver(ClientChannel channel, long tag, String body) {
        channel.deliver(new BasicMethod.Deliver("ctag", tag, false, "", "q"), BasicProperties.EMPTY,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    /** The in-memory broker, with a lease the test ends: at once, or after a number of looks. */
    private static final class LeasedBroker implements Broker {
        final InMemoryBroker inner = new InMemoryBroker();
        private final AtomicInteger looksLeft = new AtomicInteger(Integer.MAX_VALUE);

        void lapse() {
            looksLeft.set(0);
        }

        void holdForLooks(int looks) {
            looksLeft.set(looks);
        }

        @Override
        public BrokerConnection openConnection(ConnectionInfo connection, ClientConnection client) {
            return inner.openConnection(connection, client);
        }

        @Override
        public boolean holdsServingLease() {
            return looksLeft.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : Math.max(0, n - 1)) > 0;
        }
    }
}
