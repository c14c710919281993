package io.warren.amqp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.codec.FieldValue;
import io.warren.amqp.codec.LongString;
import io.warren.amqp.frame.HeartbeatFrame;
import io.warren.amqp.method.ConnectionMethod;
import io.warren.amqp.testing.InMemoryBroker;
import io.warren.amqp.testing.LeakRecorder;
import io.warren.amqp.testing.ScriptedClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Goal: the connection protocol behaves as RabbitMQ's does (AMQP 0-9-1 section 2.2.4 and 4.2):
 * protocol header, start with capabilities, SASL PLAIN and AMQPLAIN, tune negotiation, open of a
 * virtual host, heartbeats, the handshake timeout, and close in both directions including races.
 * Method: a scripted client against the server pipeline in an EmbeddedChannel with frozen time.
 */
class ConnectionHandshakeTest {
    private final InMemoryBroker broker = new InMemoryBroker();
    private final AmqpServerConfig config = AmqpServerConfig.defaults().withChannelMax(8);
    private final ScriptedClient client = new ScriptedClient(config, broker);

    @AfterEach
    void close() {
        client.close();
    }

    @AfterAll
    static void noLeaks() {
        LeakRecorder.assertNoLeaks();
    }

    @Test
    void shouldAnnounceVersionMechanismsAndOnlyTheConfiguredCapabilities() {
        client.sendProtocolHeader();
        ConnectionMethod.Start start = client.expect(0, ConnectionMethod.Start.class);
        assertEquals(0, start.versionMajor());
        assertEquals(9, start.versionMinor());
        assertEquals("PLAIN AMQPLAIN", start.mechanisms().asUtf8());
        assertEquals("en_US", start.locales().asUtf8());
        FieldTable capabilities = ((FieldValue.Table) start.serverProperties().get("capabilities")).value();
        assertEquals(config.capabilities(), capabilities);
        for (String name : new String[] {"publisher_confirms", "exchange_exchange_bindings", "basic.nack",
            "consumer_cancel_notify", "connection.blocked", "authentication_failure_close", "per_consumer_qos"}) {
            assertTrue(capabilities.getBoolean(name, false), name);
        }
        assertEquals(FieldValue.Text.of("Warren"), start.serverProperties().get("product"));
    }

    @Test
    void shouldCompleteTheHandshakeWithPlainAndNegotiateLimits() {
        client.handshake(0, 0, 0);
        assertEquals(1, broker.openedConnections.size());
        assertEquals("guest", broker.openedConnections.get(0).user());
        assertEquals("/", broker.openedConnections.get(0).virtualHost());
    }

    @Test
    void shouldAcceptAmqplain() {
        client.sendProtocolHeader();
        client.expect(0, ConnectionMethod.Start.class);
        ByteBuf table = Unpooled.buffer();
        io.warren.amqp.codec.MethodArgumentsWriter writer = new io.warren.amqp.codec.MethodArgumentsWriter(table);
        writer.writeTable(FieldTable.builder().put("LOGIN", "guest").put("PASSWORD", "guest").build());
        writer.finish();
        table.skipBytes(4); // AMQPLAIN sends the table without its length
        byte[] response = new byte[table.readableBytes()];
        table.readBytes(response);
        client.send(0, new ConnectionMethod.StartOk(FieldTable.EMPTY, "AMQPLAIN", LongString.of(response), "en_US"));
        client.expect(0, ConnectionMethod.Tune.class);
    }

    @Test
    void shouldAnswerAWrongProtocolHeaderWithItsOwnAndClose() {
        client.sendRaw(new byte[] {'A', 'M', 'Q', 'P', 1, 1, 0, 9});
        client.server.runPendingTasks();
        ByteBuf reply = client.server.readOutbound();
        byte[] bytes = new byte[reply.readableBytes()];
        reply.readBytes(bytes);
        reply.release();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1}, bytes);
        client.assertClosed();
    }

    @Test
    void shouldRefuseAWrongPasswordWithAccessRefusedWhenTheClientCanHearIt() {
        client.sendProtocolHeader();
        client.expect(0, ConnectionMethod.Start.class);
        client.send(0, new ConnectionMethod.StartOk(ScriptedClient.ALL_CAPABILITIES, "PLAIN",
                ScriptedClient.plain("guest", "wrong"), "en_US"));
        ConnectionMethod.Close close = client.expectConnectionClose(403);
        assertEquals("ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the "
                + "broker logfile.", close.replyText());
        client.send(0, new ConnectionMethod.CloseOk());
        client.assertClosed();
        assertTrue(broker.openedConnections.isEmpty());
    }

    @Test
    void shouldDropTheSocketOnAWrongPasswordWhenTheClientLacksAuthenticationFailureClose() {
        client.sendProtocolHeader();
        client.expect(0, ConnectionMethod.Start.class);
        client.send(0, new ConnectionMethod.StartOk(FieldTable.EMPTY, "PLAIN", ScriptedClient.plain("guest", "x"),
                "en_US"));
        assertNull(client.nextFrame());
        client.assertClosed();
    }

    @Test
    void shouldRefuseAnUnknownMechanismWithCommandInvalid() {
        client.sendProtocolHeader();
        client.expect(0, ConnectionMethod.Start.class);
        client.send(0, new ConnectionMethod.StartOk(ScriptedClient.ALL_CAPABILITIES, "EXTERNAL", LongString.EMPTY,
                "en_US"));
        client.expectConnectionClose(503);
    }

    @Test
    void shouldRefuseAMalformedPlainResponseWithAccessRefused() {
        client.sendProtocolHeader();
        client.expect(0, ConnectionMethod.Start.class);
        client.send(0, new ConnectionMethod.StartOk(ScriptedClient.ALL_CAPABILITIES, "PLAIN",
                LongString.of("guest:guest"), "en_US"));
        client.expectConnectionClose(403);
    }

    @Test
    void shouldRefuseAnUnknownVirtualHostWithNotAllowed() {
        client.authenticate();
        client.send(0, new ConnectionMethod.TuneOk(0, 0, 0));
        client.send(0, new ConnectionMethod.Open("/nowhere"));
        ConnectionMethod.Close close = client.expectConnectionClose(530);
        assertEquals("NOT_ALLOWED - vhost /nowhere not found", close.replyText());
        assertEquals(10, close.failingClassId());
        assertEquals(40, close.failingMethodId());
    }

    @Test
    void shouldRefuseAFrameMaxAboveTheServersWithNotAllowed() {
        client.authenticate();
        client.send(0, new ConnectionMethod.TuneOk(0, config.frameMax() + 1, 0));
        client.expectConnectionClose(530);
    }

    @Test
    void shouldRefuseAFrameMaxBelowTheMinimumWithNotAllowed() {
        client.authenticate();
        client.send(0, new ConnectionMethod.TuneOk(0, 1024, 0));
        client.expectConnectionClose(530);
    }

    @Test
    void shouldRefuseAChannelMaxAboveTheServersWithNotAllowed() {
        client.authenticate();
        client.send(0, new ConnectionMethod.TuneOk(9, 0, 0));
        client.expectConnectionClose(530);
    }

    @Test
    void shouldRefuseMethodsOutOfHandshakeOrderWithCommandInvalid() {
        client.sendProtocolHeader();
        client.expect(0, ConnectionMethod.Start.class);
        client.send(0, new ConnectionMethod.Open("/"));
        client.expectConnectionClose(503);
    }

    @Test
    void shouldRefuseUpdateSecretWithNotImplemented() {
        client.handshake();
        client.send(0, new ConnectionMethod.UpdateSecret(LongString.of("token"), "refresh"));
        client.expectConnectionClose(540);
    }

    @Test
    void shouldRefuseAChannelFrameBeforeTheConnectionIsOpenWithCommandInvalid() {
        client.authenticate();
        client.send(1, new io.warren.amqp.method.ChannelMethod.Open());
        client.expectConnectionClose(503);
    }

    @Test
    void shouldSendHeartbeatsWhenIdleAndCloseASilentPeer() {
        client.handshake(0, 0, 2);
        client.advanceSeconds(1);
        assertInstanceOf(HeartbeatFrame.class, client.nextFrame());
        client.sendFrame(HeartbeatFrame.INSTANCE);
        assertTrue(client.isOpen());
        // Nothing from the client for two intervals: the server gives up on it.
        client.advanceSeconds(4);
        while (client.nextFrame() != null) {
            // heartbeats the server sent meanwhile
        }
        client.assertClosed();
        assertEquals(1, broker.closedConnections.size());
    }

    @Test
    void shouldKeepAConnectionWhoseClientSendsHeartbeats() {
        client.handshake(0, 0, 2);
        for (int i = 0; i < 10; i++) {
            client.advanceSeconds(1);
            client.sendFrame(HeartbeatFrame.INSTANCE);
        }
        assertTrue(client.isOpen());
    }

    @Test
    void shouldCloseAConnectionThatNeverCompletesTheHandshake() {
        client.sendProtocolHeader();
        client.expect(0, ConnectionMethod.Start.class);
        client.advanceSeconds(config.handshakeTimeoutMs() / 1000 + 1);
        client.assertClosed();
    }

    @Test
    void shouldAnswerAClientCloseWithCloseOkAndTellTheBroker() {
        client.handshake();
        client.openChannel(1);
        client.send(0, new ConnectionMethod.Close(200, "bye", 0, 0));
        client.expect(0, ConnectionMethod.CloseOk.class);
        client.assertClosed();
        assertEquals(1, broker.closedConnections.size());
        assertEquals(java.util.List.of(1), broker.closedChannels);
    }

    @Test
    void shouldAnswerCrossingClosesWithCloseOk() {
        client.handshake();
        broker.clients.get(0).close(AmqpException.of(ReplyCode.CONNECTION_FORCED, "shutdown"));
        client.expectConnectionClose(320);
        // The client closed at the same moment, without having seen ours.
        client.send(0, new ConnectionMethod.Close(200, "bye", 0, 0));
        client.expect(0, ConnectionMethod.CloseOk.class);
        client.assertClosed();
    }

    @Test
    void shouldCloseTheSocketOnCloseOkAfterAServerClose() {
        client.handshake();
        broker.clients.get(0).close(AmqpException.of(ReplyCode.CONNECTION_FORCED, "shutdown"));
        client.expectConnectionClose(320);
        assertTrue(client.isOpen());
        client.send(0, new ConnectionMethod.CloseOk());
        client.assertClosed();
    }

    @Test
    void shouldCloseTheSocketWhenCloseOkNeverComes() {
        client.handshake();
        broker.clients.get(0).close(AmqpException.of(ReplyCode.CONNECTION_FORCED, "shutdown"));
        client.expectConnectionClose(320);
        client.advanceSeconds(config.closeTimeoutMs() / 1000 + 1);
        client.assertClosed();
    }

    @Test
    void shouldDiscardEverythingButCloseOkWhileClosing() {
        client.handshake();
        client.openChannel(1);
        broker.clients.get(0).close(AmqpException.of(ReplyCode.CONNECTION_FORCED, "shutdown"));
        client.expectConnectionClose(320);
        client.publish(1, new io.warren.amqp.method.BasicMethod.Publish("", "q", false, false),
                io.warren.amqp.codec.BasicProperties.EMPTY, new byte[100], 50);
        client.send(1, new io.warren.amqp.method.ChannelMethod.Open());
        client.assertNothingMore();
        assertTrue(client.isOpen());
    }

    @Test
    void shouldSendBlockedAndUnblockedAndStopReadingMeanwhile() {
        client.handshake();
        broker.clients.get(0).block("low on memory");
        assertEquals("low on memory", client.expect(0, ConnectionMethod.Blocked.class).reason());
        assertFalse(client.server.config().isAutoRead());
        broker.clients.get(0).unblock();
        client.expect(0, ConnectionMethod.Unblocked.class);
        assertTrue(client.server.config().isAutoRead());
    }
}
