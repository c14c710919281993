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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's end of the effects: every node applies every entry, and this class performs only the
 * effects addressed to this node and its current epoch (DESIGN invariant 4): it routes each to the
 * channel it names ({@link LocalSessions}), to the request or registration waiting on it
 * ({@link PendingReplies}), or to the publish gate (alarms), and turns an entry Raft could not commit
 * into nacks and 320s.
 *
 * <p>Threads: {@link #perform} runs on the Ratis updater thread; {@link #failed} on Ratis client threads;
 * registration and lookups on Netty event loops. The maps are concurrent; each channel orders its own
 * output on its event loop.
 */
final class EffectDispatcher implements EffectSink, CommandSubmitter.Listener {
    private static final Logger log = LoggerFactory.getLogger(EffectDispatcher.class);

    private final String node;
    private volatile long epoch;
    private final AtomicLong nextLocalId = new AtomicLong();
    private final PendingReplies replies = new PendingReplies();
    private final LocalSessions sessions = new LocalSessions();
    private final PublishGate gate = new PublishGate();
    private volatile LongConsumer epochEnded = epoch -> { };
    /** Null until the node has an epoch to submit in: dead letters asked for before are asked for again. */
    private volatile DeadLetterForwarder deadLetters;

    EffectDispatcher(String node) {
        this.node = node;
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
        return replies.expectReply(command);
    }

    CompletableFuture<Long> expectRegistration(byte[] incarnation) {
        return replies.expectRegistration(incarnation);
    }

    void add(NodeConnection connection) {
        sessions.add(connection);
    }

    void remove(NodeConnection connection) {
        sessions.remove(connection);
    }

    void add(NodeChannel channel) {
        sessions.add(channel);
    }

    void remove(NodeChannel channel) {
        sessions.remove(channel);
    }

    /** The open channels of one connection. */
    List<NodeChannel> channelsOf(NodeConnection connection) {
        return sessions.channelsOf(connection);
    }

    int connectionCount() {
        return sessions.connectionCount();
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
                var waiting = replies.takeRegistration(registered.getIncarnation());
                if (waiting != null) {
                    waiting.complete(registered.getEpoch());
                }
                continue;
            }
            if (effect.epoch() != epoch) {
                continue;
            }
            if (effect instanceof Effect.ForceCloseConnection close) {
                sessions.forceClose(close.connection().getId(), AmqpException.of(ReplyCode.CONNECTION_FORCED,
                        close.reason()));
                continue;
            }
            if (effect instanceof Effect.EpochEnded ended) {
                log.warn("event=epoch_ended epoch={}", ended.epoch());
                epochEnded.accept(ended.epoch());
                continue;
            }
            if (effect instanceof Effect.Confirm confirm) {
                NodeChannel channel = sessions.channel(confirm.channel().getId());
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
            CompletableFuture<Reply> waiting = replies.takeReply(answer.request());
            if (waiting != null) {
                waiting.complete(withMessage(answer.reply(), messages));
            }
            return;
        }
        Effect.ToChannel toChannel = (Effect.ToChannel) effect;
        NodeChannel channel = sessions.channel(toChannel.channel().getId());
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
                CompletableFuture<Reply> waiting = replies.takeReply(command.getRequest());
                if (waiting != null) {
                    waiting.completeExceptionally(error);
                }
                continue;
            }
            NodeChannel channel = sessions.channel(command.getChannel().getId());
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
        log.info("event=backpressure blocked={} connections={}", blocked, sessions.connectionCount());
        if (gate.backlog(blocked)) {
            applyGate();
        }
    }

    /** The cluster's alarms changed: publishing connections are blocked while there are any. */
    private void alarms(List<String> active) {
        if (gate.alarms(active)) {
            log.warn("event=alarms active=\"{}\" connections={}", String.join(", ", active),
                    sessions.connectionCount());
            applyGate();
        }
    }

    private void applyGate() {
        for (NodeConnection connection : sessions.connections()) {
            connection.applyGate(gate);
        }
    }

    PublishGate gate() {
        return gate;
    }

    void closeAll(AmqpException error) {
        sessions.closeAll(error);
    }

}
