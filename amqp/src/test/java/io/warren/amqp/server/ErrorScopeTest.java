package io.warren.amqp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.method.ChannelMethod;
import io.warren.amqp.method.ConnectionMethod;
import io.warren.amqp.testing.InMemoryBroker;
import io.warren.amqp.testing.ScriptedClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: each reply code ends what the spec (section 1.2, "Constants") says it ends: soft errors
 * (311, 312, 313, 403, 404, 405, 406) close the channel and leave the connection and its other
 * channels working; hard errors (320, 402, 501, 502, 503, 504, 505, 506, 530, 540, 541) close the
 * connection. Method: the broker raises each code on channel 1 while channel 2 is open.
 */
class ErrorScopeTest {

    @ParameterizedTest
    @ValueSource(ints = {311, 312, 313, 403, 404, 405, 406})
    void shouldCloseOnlyTheChannelOnASoftError(int code) {
        InMemoryBroker broker = new InMemoryBroker();
        try (ScriptedClient client = new ScriptedClient(AmqpServerConfig.defaults(), broker)) {
            client.handshake();
            client.openChannel(1);
            client.openChannel(2);
            broker.clientChannels.get(0).close(AmqpException.of(ReplyCode.of(code), "raised by the broker", 50, 10));
            ChannelMethod.Close close = client.expectChannelClose(1, code);
            assertEquals(ReplyCode.of(code).name() + " - raised by the broker", close.replyText());
            assertEquals(50, close.failingClassId());
            client.send(1, new ChannelMethod.CloseOk());
            client.send(2, new ChannelMethod.Flow(true));
            client.expect(2, ChannelMethod.FlowOk.class);
            assertTrue(client.isOpen());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {320, 402, 501, 502, 503, 504, 505, 506, 530, 540, 541})
    void shouldCloseTheConnectionOnAHardError(int code) {
        InMemoryBroker broker = new InMemoryBroker();
        try (ScriptedClient client = new ScriptedClient(AmqpServerConfig.defaults(), broker)) {
            client.handshake();
            client.openChannel(1);
            client.openChannel(2);
            broker.clientChannels.get(0).close(AmqpException.of(ReplyCode.of(code), "raised by the broker"));
            ConnectionMethod.Close close = client.expectConnectionClose(code);
            assertEquals(ReplyCode.of(code).name() + " - raised by the broker", close.replyText());
            client.send(0, new ConnectionMethod.CloseOk());
            client.assertClosed();
            assertEquals(1, broker.closedConnections.size());
            assertEquals(2, broker.closedChannels.size(), "both channels were closed in the broker");
        }
    }

    @org.junit.jupiter.api.Test
    void shouldCloseTheConnectionWithInternalErrorWhenTheBrokerFailsWithoutAnAmqpError() {
        io.warren.amqp.broker.Broker failing = (info, clientConnection) -> new io.warren.amqp.broker.BrokerConnection() {
            @Override
            public io.warren.amqp.broker.BrokerChannel openChannel(int number, io.warren.amqp.broker.ClientChannel ch) {
                return (io.warren.amqp.broker.BrokerChannel) java.lang.reflect.Proxy.newProxyInstance(
                        getClass().getClassLoader(), new Class<?>[] {io.warren.amqp.broker.BrokerChannel.class},
                        (proxy, method, args) -> {
                            if (method.getName().equals("close")) {
                                return java.util.concurrent.CompletableFuture.completedFuture(null);
                            }
                            throw new IllegalStateException("broken broker");
                        });
            }

            @Override
            public void closed() {
            }
        };
        try (ScriptedClient client = new ScriptedClient(AmqpServerConfig.defaults(), failing)) {
            client.handshake();
            client.openChannel(1);
            client.send(1, new io.warren.amqp.method.BasicMethod.Qos(0, 1, false));
            ConnectionMethod.Close close = client.expectConnectionClose(541);
            assertEquals("INTERNAL_ERROR - broker failed on basic.qos", close.replyText());
        }
    }

    @ParameterizedTest
    @EnumSource(ReplyCode.class)
    void shouldMatchTheSpecsScopeForEveryCode(ReplyCode code) {
        boolean hard = code.code() == 320 || code.code() == 402 || code.code() >= 500;
        assertEquals(hard, code.isConnectionScoped(), code.name());
    }
}
