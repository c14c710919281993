package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.warren.amqp.AmqpException;
import io.warren.amqp.broker.ClientChannel;
import io.warren.amqp.broker.ClientConnection;
import io.warren.amqp.broker.ConnectionInfo;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.method.BasicMethod;
import io.warren.amqp.method.QueueMethod;
import io.warren.proto.ChannelRef;
import io.warren.proto.ConnectionRef;
import io.warren.raft.core.Effect;
import io.warren.raft.ratis.CommandSubmitter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When Raft cannot commit an entry its outcome is unknown, and no client may be told it worked: a
 * confirmed publish is nacked, a method waiting for its -ok fails with 320 CONNECTION_FORCED, and a
 * publish outside confirm mode (whose loss the client could not otherwise learn of) closes its
 * connection with 320. The node's channel, connection and dispatcher are the real ones; the log fails
 * every append and the client ends record what they are told.
 */
class UnknownOutcomeTest {
    private final RecordingClient client = new RecordingClient();
    private EffectDispatcher dispatcher;
    private CommandSubmitter submitter;
    private NodeChannel channel;

    @BeforeEach
    void openChannel() {
        dispatcher = new EffectDispatcher("n1");
        dispatcher.useEpoch(1);
        submitter = new CommandSubmitter(entry -> CompletableFuture.failedFuture(new IOException("no majority")),
                "n1", new CommandSubmitter.Limits(1, 1 << 16, 1 << 20, 0), dispatcher);
        submitter.useEpoch(1);
        submitter.start();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", 5672);
        NodeConnection connection = new NodeConnection(dispatcher, submitter,
                new ConnectionInfo("test", "guest", "/", address, address, FieldTable.EMPTY), client, new MessageCounters());
        dispatcher.add(connection);
        connection.open();
        channel = (NodeChannel) connection.openChannel(1, client);
    }

    @AfterEach
    void close() {
        submitter.close();
    }

    @Test
    void aConfirmedPublishWhoseEntryFailedIsNacked() throws Exception {
        channel.publish(new BasicMethod.Publish("", "q", false, false), BasicProperties.EMPTY, body(), 7);
        assertEquals("nack 7", client.events.poll(10, TimeUnit.SECONDS));
        assertEquals(List.of(), List.copyOf(client.events), "a nack, and the connection stays open");
    }

    @Test
    void aNackedPublishWhoseEntryAppliesAfterAllIsNotAnsweredTwice() throws Exception {
        channel.publish(new BasicMethod.Publish("", "q", false, false), BasicProperties.EMPTY, body(), 7);
        assertEquals("nack 7", client.events.poll(10, TimeUnit.SECONDS));
        channel.publish(new BasicMethod.Publish("", "q", false, false), BasicProperties.EMPTY, body(), 8);
        assertEquals("nack 8", client.events.poll(10, TimeUnit.SECONDS));
        // The entries' outcome was unknown, not failed: they commit after all (the simulator's seed 11 did this).
        ChannelRef ref = ChannelRef.newBuilder().setConnection(ConnectionRef.newBuilder().setNode("n1").setEpoch(1))
                .setId(channel.id()).build();
        dispatcher.perform(5, List.of(new Effect.Confirm(ref, 7, true), new Effect.Confirm(ref, 8, true)), key -> {
            throw new AssertionError("no message is read for a confirm");
        });
        assertNull(client.events.poll(300, TimeUnit.MILLISECONDS), "the client has its answers already");
    }

    @Test
    void aMethodWaitingForItsOkFailsWith320() throws Exception {
        var declared = channel.queueDeclare(new QueueMethod.Declare("q", false, true, false, false, false,
                FieldTable.EMPTY)).toCompletableFuture();
        ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> declared.get(10, TimeUnit.SECONDS));
        AmqpException error = assertInstanceOf(AmqpException.class, failure.getCause());
        assertEquals(320, error.replyCode().code());
        assertTrue(error.getMessage().contains("could not replicate"), error.getMessage());
    }

    @Test
    void aPublishOutsideConfirmModeWhoseEntryFailedClosesTheConnectionWith320() throws Exception {
        channel.publish(new BasicMethod.Publish("", "q", false, false), BasicProperties.EMPTY, body(), 0);
        String event = client.events.poll(10, TimeUnit.SECONDS);
        assertTrue(event != null && event.startsWith("connection closed 320"), String.valueOf(event));
    }

    private static ByteBuf body() {
        return Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
    }

    /** Both client ends of one connection, recording what the node tells them. */
    private static final class RecordingClient implements ClientConnection, ClientChannel {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override public void deliver(BasicMethod.Deliver deliver, BasicProperties properties, ByteBuf body) {
            body.release();
            events.add("deliver");
        }

        @Override public void returnMessage(BasicMethod.Return returned, BasicProperties properties, ByteBuf body) {
            body.release();
            events.add("return");
        }

        @Override public void confirm(long sequence, boolean multiple, boolean ack) {
            events.add((ack ? "ack " : "nack ") + sequence);
        }

        @Override public void cancelConsumer(String consumerTag) {
            events.add("cancel " + consumerTag);
        }

        @Override public boolean isWritable() {
            return true;
        }

        @Override public void block(String reason) {
            events.add("blocked");
        }

        @Override public void unblock() {
            events.add("unblocked");
        }

        @Override public void close(AmqpException error) {
            events.add("connection closed " + error.replyCode().code() + " " + error.getMessage());
        }
    }
}
