package io.warren.node;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.proto.Command;
import io.warren.proto.Reply;
import io.warren.raft.core.Effect;
import io.warren.raft.ratis.CommandSubmitter;
import io.warren.raft.ratis.EffectSink;
import io.warren.raft.store.MessageReader;
import io.warren.raft.store.StoredMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's end of the effects: every node applies every entry, and this class performs only the
 * effects addressed to this node and its current epoch (DESIGN invariant 4). It owns the table of
 * requests waiting for a reply and the channels and connections open on this node.
 *
 * <p>Threads: {@link #perform} runs on the Ratis updater thread; {@link #failed} on Ratis client threads;
 * registration and lookups on Netty event loops. The maps are concurrent; each channel orders its own
 * output on its event loop.
 */
final class EffectDispatcher implements EffectSink, CommandSubmitter.Listener {
    private static final Logger log = LoggerFactory.getLogger(EffectDispatcher.class);

    private final String node;
    private volatile long epoch;
    private final AtomicLong nextRequest = new AtomicLong();
    private final AtomicLong nextLocalId = new AtomicLong();
    private final Map<Long, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    private final Map<Long, NodeChannel> channels = new ConcurrentHashMap<>();
    private final Map<Long, NodeConnection> connections = new ConcurrentHashMap<>();
    private final PublishGate gate = new PublishGate();
    private final Map<ByteStringKey, CompletableFuture<Long>> registrations = new ConcurrentHashMap<>();
    private volatile LongConsumer epochEnded = epoch -> { };
    /** Null until the node has an epoch to submit in: dead letters asked for before are asked for again. */
    private volatile DeadLetterForwarder deadLetters;

    /** The chaos checker's own test fault; 0 (off) everywhere else. See NodeConfig.testFaultLoseEvery. */
    private final long testFaultLoseEvery;
    private final AtomicLong testFaultCounter = new AtomicLong();

    EffectDispatcher(String node) {
        this(node, 0);
    }

    EffectDispatcher(String node, long testFaultLoseEvery) {
        this.node = node;
        this.testFaultLoseEvery = testFaultLoseEvery;
        if (testFaultLoseEvery > 0) {
            log.warn("event=test_fault_enabled fault=lose_every_nth_confirmed_publish n={} note=\"for the chaos"
                    + " checker's own test only: this node LOSES confirmed messages\"", testFaultLoseEvery);
        }
    }

    /** True for every n-th confirmed publish when the test fault is on: confirm it and drop it. */
    boolean testFaultLosesThisPublish() {
        return testFaultLoseEvery > 0 && testFaultCounter.incrementAndGet() % testFaultLoseEvery == 0;
    }

    String node() {
        return node;
    }

    long epoch() {
        return epoch;
    }

    void useEpoch(long epoch) {
        this.epoch = epoch;
    }

    /** Who hears that the log ended this node's current epoch (called on Ratis' updater thread). */
    void onEpochEnded(LongConsumer listener) {
        this.epochEnded = listener;
    }

    /** From now on, the leader's dead-letter requests are answered (see DeadLetterForwarder). */
    void forwardDeadLettersWith(DeadLetterForwarder forwarder) {
        this.deadLetters = forwarder;
    }

    long nextLocalId() {
        return nextLocalId.incrementAndGet();
    }

    /** Registers a request id for {@code command}; the returned future completes with the core's reply. */
    CompletableFuture<Reply> expectReply(Command.Builder command) {
        long request = nextRequest.incrementAndGet();
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        pending.put(request, reply);
        command.setRequest(request);
        return reply;
    }

    CompletableFuture<Long> expectRegistration(byte[] incarnation) {
        CompletableFuture<Long> registered = new CompletableFuture<>();
        registrations.put(new ByteStringKey(incarnation), registered);
        return registered;
    }

    void add(NodeConnection connection) {
        connections.put(connection.id(), connection);
    }

    void remove(NodeConnection connection) {
        connections.remove(connection.id());
    }

    void add(NodeChannel channel) {
        channels.put(channel.id(), channel);
    }

    void remove(NodeChannel channel) {
        channels.remove(channel.id());
    }

    /** The open channels of one connection. */
    List<NodeChannel> channelsOf(NodeConnection connection) {
        return channels.values().stream().filter(channel -> channel.connection() == connection).toList();
    }

    int connectionCount() {
        return connections.size();
    }

    @Override
    public void perform(long logIndex, List<Effect> effects, MessageReader messages) {
        Map<NodeChannel, List<Long>> confirms = new LinkedHashMap<>();
        for (Effect effect : effects) {
            if (effect instanceof Effect.Alarms alarms) {
                alarms(alarms.active());
                continue;
            }
            if (effect instanceof Effect.DeadLetter dead) {
                DeadLetterForwarder forwarder = deadLetters;
                if (forwarder != null) {
                    forwarder.forward(dead, messages);
                }
                continue;
            }
            if (!effect.node().equals(node)) {
                continue;
            }
            if (effect.epoch() == 0 && effect instanceof Effect.Answer answer && answer.reply().hasNodeRegistered()) {
                var registered = answer.reply().getNodeRegistered();
                var waiting = registrations.remove(new ByteStringKey(registered.getIncarnation().toByteArray()));
                if (waiting != null) {
                    waiting.complete(registered.getEpoch());
                }
                continue;
            }
            if (effect.epoch() != epoch) {
                continue;
            }
            if (effect instanceof Effect.EpochEnded ended) {
                log.warn("event=epoch_ended epoch={}", ended.epoch());
                epochEnded.accept(ended.epoch());
                continue;
            }
            if (effect instanceof Effect.Confirm confirm) {
                NodeChannel channel = channels.get(confirm.channel().getId());
                if (channel != null && confirm.ack()) {
                    confirms.computeIfAbsent(channel, c -> new ArrayList<>()).add(confirm.sequence());
                } else if (channel != null) {
                    // A queue refused the message (reject-publish): the acks gathered before it go first.
                    flushConfirms(confirms);
                    channel.nacked(confirm.sequence());
                }
                continue;
            }
            flushConfirms(confirms);
            perform(effect, messages);
        }
        flushConfirms(confirms);
    }

    /** Confirms are gathered per entry so one basic.ack with multiple can cover a run of publishes. */
    private static void flushConfirms(Map<NodeChannel, List<Long>> confirms) {
        for (var entry : confirms.entrySet()) {
            entry.getKey().confirmed(entry.getValue());
        }
        confirms.clear();
    }

    private void perform(Effect effect, MessageReader messages) {
        if (effect instanceof Effect.Answer answer) {
            CompletableFuture<Reply> waiting = pending.remove(answer.request());
            if (waiting != null) {
                waiting.complete(withMessage(answer.reply(), messages));
            }
            return;
        }
        Effect.ToChannel toChannel = (Effect.ToChannel) effect;
        NodeChannel channel = channels.get(toChannel.channel().getId());
        if (channel == null) {
            return;
        }
        switch (toChannel) {
            case Effect.Deliver deliver -> channel.deliver(deliver, messages.read(deliver.messageKey()));
            case Effect.Return returned -> channel.returned(returned, messages.read(returned.messageKey()));
            case Effect.CancelConsumer cancel -> channel.consumerCancelled(cancel.consumerTag());
            case Effect.CloseChannel close -> channel.closeWith(close.refusal());
            case Effect.Confirm confirm -> throw new IllegalStateException("confirms are gathered: " + confirm);
        }
    }

    /**
     * A basic.get answer names its message by key; it is read here, on the apply thread, before the entry's
     * discards reach the store.
     */
    private static Reply withMessage(Reply reply, MessageReader messages) {
        if (!reply.hasGotMessage()) {
            return reply;
        }
        var got = reply.getGotMessage();
        StoredMessage m = messages.read(got.getMessageKey());
        return reply.toBuilder().setGotMessage(got.toBuilder().setExchange(m.exchange()).setRoutingKey(m.routingKey())
                .setProperties(m.properties()).setBody(m.body())).build();
    }

    /**
     * A batch Ratis could not commit: its outcome is unknown, so nobody may be told it worked. Confirms
     * become nacks; waiting requests fail with 320 CONNECTION_FORCED (the client reconnects and retries);
     * a connection that lost an ack or a publish outside confirm mode is closed the same way.
     */
    @Override
    public void failed(List<Command> commands, Throwable cause) {
        AmqpException error = AmqpException.of(ReplyCode.CONNECTION_FORCED,
                "could not replicate the command: " + cause.getClass().getSimpleName());
        for (Command command : commands) {
            if (command.getRequest() != 0) {
                CompletableFuture<Reply> waiting = pending.remove(command.getRequest());
                if (waiting != null) {
                    waiting.completeExceptionally(error);
                }
                continue;
            }
            NodeChannel channel = channels.get(command.getChannel().getId());
            if (channel == null) {
                continue;
            }
            if (command.hasPublish() && command.getPublish().getConfirmSequence() != 0) {
                channel.nacked(command.getPublish().getConfirmSequence());
            } else {
                channel.connection().forceClose(error);
            }
        }
    }

    @Override
    public void backpressure(boolean blocked) {
        log.info("event=backpressure blocked={} connections={}", blocked, connections.size());
        if (gate.backlog(blocked)) {
            applyGate();
        }
    }

    /** The cluster's alarms changed: publishing connections are blocked while there are any. */
    private void alarms(List<String> active) {
        if (gate.alarms(active)) {
            log.warn("event=alarms active=\"{}\" connections={}", String.join(", ", active), connections.size());
            applyGate();
        }
    }

    private void applyGate() {
        for (NodeConnection connection : connections.values()) {
            connection.applyGate(gate);
        }
    }

    PublishGate gate() {
        return gate;
    }

    void closeAll(AmqpException error) {
        for (NodeConnection connection : connections.values()) {
            connection.forceClose(error);
        }
    }

    /** byte[] with value equality, for map keys. */
    private record ByteStringKey(byte[] bytes) {
        @Override
        public boolean equals(Object other) {
            return other instanceof ByteStringKey that && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }
}
