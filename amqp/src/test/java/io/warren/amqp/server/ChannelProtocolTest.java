package io.warren.amqp.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.frame.ContentBodyFrame;
import io.warren.amqp.frame.ContentHeaderFrame;
import io.warren.amqp.method.BasicMethod;
import io.warren.amqp.method.ChannelMethod;
import io.warren.amqp.method.ConfirmMethod;
import io.warren.amqp.method.ConnectionMethod;
import io.warren.amqp.method.ExchangeMethod;
import io.warren.amqp.method.QueueMethod;
import io.warren.amqp.method.TxMethod;
import io.warren.amqp.testing.InMemoryBroker;
import io.warren.amqp.testing.LeakRecorder;
import io.warren.amqp.testing.ScriptedClient;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Goal: channels behave as the spec (sections 2.2.5, 4.2.6, 4.2.7) and RabbitMQ say: open and close in
 * both directions with their races, discarding on a closing channel, errors in the right scope with
 * RabbitMQ's codes, replies in request order, content split and reassembled at frame_max, and bounded
 * input. Method: scripted client against the server pipeline in an EmbeddedChannel.
 */
class ChannelProtocolTest {
    private static final int FRAME_MAX = 4096;
    private final InMemoryBroker broker = new InMemoryBroker();
    private final AmqpServerConfig config = AmqpServerConfig.defaults().withChannelMax(4).withMessageSizeMax(1 << 20);
    private final ScriptedClient client = new ScriptedClient(config, broker);

    @BeforeEach
    void open() {
        client.handshake(0, FRAME_MAX, 0);
        client.openChannel(1);
    }

    @AfterEach
    void close() {
        client.close();
    }

    @AfterAll
    static void noLeaks() {
        LeakRecorder.assertNoLeaks();
    }

    private void declare(int channel, String queue) {
        client.send(channel, new QueueMethod.Declare(queue, false, false, false, false, false, FieldTable.EMPTY));
        client.expect(channel, QueueMethod.DeclareOk.class);
    }

    @Test
    void shouldCloseAChannelOnRequestAndLetItsNumberBeReused() {
        client.send(1, new ChannelMethod.Close(200, "bye", 0, 0));
        client.expect(1, ChannelMethod.CloseOk.class);
        assertEquals(List.of(1), broker.closedChannels);
        client.openChannel(1);
    }

    @Test
    void shouldCloseTheChannelWithNotFoundAndKeepTheConnection() {
        client.send(1, new QueueMethod.Declare("missing", true, false, false, false, false, FieldTable.EMPTY));
        ChannelMethod.Close close = client.expectChannelClose(1, 404);
        assertEquals("NOT_FOUND - no queue 'missing' in vhost '/'", close.replyText());
        assertEquals(50, close.failingClassId());
        assertEquals(10, close.failingMethodId());
        client.send(1, new ChannelMethod.CloseOk());
        client.openChannel(1);
        client.openChannel(2);
    }

    @Test
    void shouldDiscardFramesOnAClosingChannelUntilCloseOk() {
        client.send(1, new QueueMethod.Declare("missing", true, false, false, false, false, FieldTable.EMPTY));
        client.expectChannelClose(1, 404);
        client.publish(1, new BasicMethod.Publish("", "q", false, false), BasicProperties.EMPTY, new byte[10000], 4000);
        client.send(1, new QueueMethod.Declare("q", false, false, false, false, false, FieldTable.EMPTY));
        client.assertNothingMore();
        client.send(1, new ChannelMethod.CloseOk());
        client.openChannel(1);
    }

    @Test
    void shouldAnswerCrossingChannelClosesWithCloseOk() {
        client.send(1, new QueueMethod.Declare("missing", true, false, false, false, false, FieldTable.EMPTY));
        client.send(1, new ChannelMethod.Close(200, "bye", 0, 0));
        client.expectChannelClose(1, 404);
        client.expect(1, ChannelMethod.CloseOk.class);
        client.send(1, new ChannelMethod.CloseOk());
        client.openChannel(1);
    }

    @Test
    void shouldRefuseAChannelAboveChannelMaxWithNotAllowed() {
        for (int channel = 2; channel <= 4; channel++) {
            client.openChannel(channel);
        }
        client.send(5, new ChannelMethod.Open());
        client.expectConnectionClose(530);
    }

    @Test
    void shouldRefuseUseOfAChannelThatIsNotOpenWithChannelError() {
        client.send(3, new QueueMethod.Declare("q", false, false, false, false, false, FieldTable.EMPTY));
        assertEquals("CHANNEL_ERROR - expected 'channel.open' on channel 3", client.expectConnectionClose(504).replyText());
    }

    @Test
    void shouldRefuseASecondOpenOfTheSameChannelWithChannelError() {
        client.send(1, new ChannelMethod.Open());
        client.expectConnectionClose(504);
    }

    @Test
    void shouldRefuseAChannelMethodOnChannelZeroWithCommandInvalid() {
        client.send(0, new QueueMethod.Declare("q", false, false, false, false, false, FieldTable.EMPTY));
        client.expectConnectionClose(503);
    }

    @Test
    void shouldRefuseAConnectionMethodOnAChannelWithCommandInvalid() {
        client.send(1, new ConnectionMethod.Open("/"));
        client.expectConnectionClose(503);
    }

    @Test
    void shouldRefuseContentOnChannelZeroWithUnexpectedFrame() {
        client.sendFrame(new ContentHeaderFrame(0, 60, 0, 1, BasicProperties.EMPTY));
        client.expectConnectionClose(505);
    }

    @Test
    void shouldRefuseABodyWithoutItsMethodWithUnexpectedFrame() {
        client.sendFrame(new ContentBodyFrame(1, Unpooled.wrappedBuffer(new byte[3])));
        client.expectConnectionClose(505);
    }

    @Test
    void shouldRefuseAMethodFromTheServersSideWithCommandInvalid() {
        client.send(1, new QueueMethod.DeclareOk("q", 0, 0));
        client.expectConnectionClose(503);
    }

    @Test
    void shouldRefuseAContentMethodFromTheServersSideOnceItsContentArrives() {
        // As in RabbitMQ, basic.deliver carries content, so the refusal comes after its body.
        client.send(1, new BasicMethod.Deliver("ctag", 1, false, "", "q"));
        client.sendFrame(new ContentHeaderFrame(1, 60, 0, 1, BasicProperties.EMPTY));
        client.assertNothingMore();
        client.sendFrame(new ContentBodyFrame(1, Unpooled.wrappedBuffer(new byte[1])));
        client.expectConnectionClose(503);
    }

    @Test
    void shouldRefuseAnOversizeFrameWithFrameErrorAndClose() {
        client.sendRaw(new byte[] {3, 0, 1, 0, 0, 0x20, 0});
        client.expectConnectionClose(501);
        client.assertClosed();
    }

    @Test
    void shouldRefuseAMessageAnnouncedOverTheMaximumBeforeBufferingIt() {
        declare(1, "q");
        client.send(1, new BasicMethod.Publish("", "q", false, false));
        client.sendFrame(new ContentHeaderFrame(1, 60, 0, 4L << 30, BasicProperties.EMPTY));
        ChannelMethod.Close close = client.expectChannelClose(1, 406);
        assertEquals("PRECONDITION_FAILED - message size 4294967296 is larger than configured max size 1048576",
                close.replyText());
        // The rest of the announced body arrives and is dropped, not buffered.
        for (int i = 0; i < 100; i++) {
            client.sendFrame(new ContentBodyFrame(1, Unpooled.wrappedBuffer(new byte[FRAME_MAX - 8])));
        }
        client.assertNothingMore();
        assertEquals(0, broker.queueDepth("q"));
    }

    @Test
    void shouldRefuseImmediateWithNotImplemented() {
        client.publish(1, new BasicMethod.Publish("", "q", false, true), BasicProperties.EMPTY, new byte[1], 1);
        client.expectConnectionClose(540);
    }

    @Test
    void shouldAcceptFlowOnAndRefuseFlowOffWithNotImplemented() {
        client.send(1, new ChannelMethod.Flow(true));
        assertTrue(client.expect(1, ChannelMethod.FlowOk.class).active());
        client.send(1, new ChannelMethod.Flow(false));
        client.expectConnectionClose(540);
    }

    @Test
    void shouldRefuseTxAfterConfirmSelectWithPreconditionFailed() {
        client.send(1, new ConfirmMethod.Select(false));
        client.expect(1, ConfirmMethod.SelectOk.class);
        client.send(1, new TxMethod.Select());
        client.expectChannelClose(1, 406);
    }

    @Test
    void shouldRefuseTxCommitOnANonTransactionalChannelWithPreconditionFailed() {
        client.send(1, new TxMethod.Commit());
        client.expectChannelClose(1, 406);
    }

    @Test
    void shouldSendRepliesInRequestOrderWhateverOrderTheBrokerAnswersIn() {
        broker.holdReplies(true);
        client.send(1, new QueueMethod.Declare("a", false, false, false, false, false, FieldTable.EMPTY));
        client.send(1, new QueueMethod.Declare("b", false, false, false, false, false, FieldTable.EMPTY));
        client.send(1, new ExchangeMethod.Declare("x", "direct", false, false, false, false, false, FieldTable.EMPTY));
        client.assertNothingMore();
        broker.releaseHeldReplies(true);
        assertEquals("a", client.expect(1, QueueMethod.DeclareOk.class).queue());
        assertEquals("b", client.expect(1, QueueMethod.DeclareOk.class).queue());
        client.expect(1, ExchangeMethod.DeclareOk.class);
    }

    @Test
    void shouldSendNoReplyForNoWaitMethods() {
        client.send(1, new QueueMethod.Declare("q", false, false, false, false, true, FieldTable.EMPTY));
        client.assertNothingMore();
        assertEquals(0, broker.queueDepth("q"));
    }

    @Test
    void shouldReassembleAPublishSplitIntoFramesAndSplitTheDeliveryAtFrameMax() {
        declare(1, "q");
        byte[] body = new byte[3 * FRAME_MAX + 17];
        new java.util.Random(7).nextBytes(body);
        client.send(1, new ConfirmMethod.Select(false));
        client.expect(1, ConfirmMethod.SelectOk.class);
        client.publish(1, new BasicMethod.Publish("", "q", false, false), BasicProperties.EMPTY.withDeliveryMode(2),
                body, 1000);
        assertEquals(1L, client.expect(1, BasicMethod.Ack.class).deliveryTag());
        client.publish(1, new BasicMethod.Publish("", "q", false, false), BasicProperties.EMPTY, new byte[0], 1);
        assertEquals(2L, client.expect(1, BasicMethod.Ack.class).deliveryTag());
        client.send(1, new BasicMethod.Get("q", false));
        client.expect(1, BasicMethod.GetOk.class);
        assertArrayEquals(body, client.expectContent(1));
        client.send(1, new BasicMethod.Get("q", true));
        client.expect(1, BasicMethod.GetOk.class);
        assertArrayEquals(new byte[0], client.expectContent(1));
        client.send(1, new BasicMethod.Get("q", true));
        client.expect(1, BasicMethod.GetEmpty.class);
    }

    @Test
    void shouldSendConsumeOkBeforeAnyDeliveryAndReturnUnroutableMandatoryMessages() {
        declare(1, "q");
        client.publish(1, new BasicMethod.Publish("", "q", false, false), BasicProperties.EMPTY, "m1".getBytes(), 10);
        client.send(1, new BasicMethod.Consume("q", "", false, false, false, false, FieldTable.EMPTY));
        String tag = client.expect(1, BasicMethod.ConsumeOk.class).consumerTag();
        BasicMethod.Deliver deliver = client.expect(1, BasicMethod.Deliver.class);
        assertEquals(tag, deliver.consumerTag());
        assertArrayEquals("m1".getBytes(), client.expectContent(1));
        client.publish(1, new BasicMethod.Publish("", "nowhere", true, false), BasicProperties.EMPTY, "m2".getBytes(), 10);
        assertEquals(312, client.expect(1, BasicMethod.Return.class).replyCode());
        assertArrayEquals("m2".getBytes(), client.expectContent(1));
    }

    @Test
    void shouldSendADeliveryDecidedBeforeACancelBeforeItsCancelOk() {
        declare(1, "q");
        client.send(1, new BasicMethod.Consume("q", "c1", false, false, false, false, FieldTable.EMPTY));
        client.expect(1, BasicMethod.ConsumeOk.class);
        broker.holdReplies(true);
        client.send(1, new BasicMethod.Cancel("c1", false));
        // The broker delivered to c1 before it applied the cancel; its cancel-ok is still on the way.
        broker.clientChannels.get(0).deliver(new BasicMethod.Deliver("c1", 1, false, "", "q"), BasicProperties.EMPTY,
                io.netty.buffer.Unpooled.copiedBuffer("before the cancel".getBytes()));
        assertEquals("c1", client.expect(1, BasicMethod.Deliver.class).consumerTag());
        assertArrayEquals("before the cancel".getBytes(), client.expectContent(1));
        broker.releaseHeldReplies(false);
        assertEquals("c1", client.expect(1, BasicMethod.CancelOk.class).consumerTag());
        client.assertNothingMore();
    }

    @Test
    void shouldHoldBrokerOutputBehindAConsumeOkNotYetWrittenButNotBehindOtherReplies() {
        declare(1, "q");
        ClientChannelProbe probe = new ClientChannelProbe(broker.clientChannels.get(0));
        broker.holdReplies(true);
        client.send(1, new QueueMethod.Declare("other", false, false, false, false, false, FieldTable.EMPTY));
        probe.confirm(1);
        assertEquals(1L, client.expect(1, BasicMethod.Ack.class).deliveryTag(), "a confirm overtakes a pending reply");
        client.send(1, new BasicMethod.Consume("q", "c2", false, false, false, false, FieldTable.EMPTY));
        probe.confirm(2);
        probe.deliver("c2", "after consume-ok");
        client.assertNothingMore();
        broker.releaseHeldReplies(false);
        client.expect(1, QueueMethod.DeclareOk.class);
        client.expect(1, BasicMethod.ConsumeOk.class);
        assertEquals(2L, client.expect(1, BasicMethod.Ack.class).deliveryTag());
        assertEquals("c2", client.expect(1, BasicMethod.Deliver.class).consumerTag());
        assertArrayEquals("after consume-ok".getBytes(), client.expectContent(1));
    }

    /** The broker's side of channel 1, as the test drives it. */
    private record ClientChannelProbe(io.warren.amqp.broker.ClientChannel channel) {
        void confirm(long sequence) {
            channel.confirm(sequence, false, true);
        }

        void deliver(String tag, String body) {
            channel.deliver(new BasicMethod.Deliver(tag, 1, false, "", "q"), BasicProperties.EMPTY,
                    io.netty.buffer.Unpooled.copiedBuffer(body.getBytes()));
        }
    }

    @Test
    void shouldCloseTheChannelWithPreconditionFailedOnAnUnknownDeliveryTag() {
        client.send(1, new BasicMethod.Ack(99, false));
        assertEquals("PRECONDITION_FAILED - unknown delivery tag 99", client.expectChannelClose(1, 406).replyText());
    }

    @Test
    void shouldTellAConsumerItsQueueWasDeleted() {
        declare(1, "q");
        client.send(1, new BasicMethod.Consume("q", "c1", false, false, false, false, FieldTable.EMPTY));
        client.expect(1, BasicMethod.ConsumeOk.class);
        client.send(1, new QueueMethod.Delete("q", false, false, false));
        // The broker's cancel queues behind the reply the channel was already waiting for.
        client.expect(1, QueueMethod.DeleteOk.class);
        BasicMethod.Cancel cancel = client.expect(1, BasicMethod.Cancel.class);
        assertEquals("c1", cancel.consumerTag());
        assertTrue(cancel.noWait(), "RabbitMQ sends its basic.cancel with no-wait");
    }

    @Test
    void shouldPauseReadingWhileTooManyRepliesAreAwaited() {
        client.close();
        ScriptedClient limited = new ScriptedClient(config.withPendingRepliesMax(4), broker);
        try {
            limited.handshake();
            limited.openChannel(1);
            broker.holdReplies(true);
            for (int i = 0; i < 4; i++) {
                limited.send(1, new QueueMethod.Declare("q" + i, false, false, false, false, false, FieldTable.EMPTY));
            }
            assertEquals(false, limited.server.config().isAutoRead());
            broker.releaseHeldReplies(false);
            limited.server.runPendingTasks();
            assertEquals(true, limited.server.config().isAutoRead());
            for (int i = 0; i < 4; i++) {
                limited.expect(1, QueueMethod.DeclareOk.class);
            }
        } finally {
            limited.close();
        }
    }

    @Test
    void shouldReturnUnackedMessagesWhenTheChannelCloses() {
        declare(1, "q");
        client.publish(1, new BasicMethod.Publish("", "q", false, false), BasicProperties.EMPTY, "m".getBytes(), 10);
        client.send(1, new BasicMethod.Get("q", false));
        client.expect(1, BasicMethod.GetOk.class);
        client.expectContent(1);
        assertEquals(0, broker.queueDepth("q"));
        client.send(1, new ChannelMethod.Close(200, "bye", 0, 0));
        client.expect(1, ChannelMethod.CloseOk.class);
        assertEquals(1, broker.queueDepth("q"));
    }

}
