package io.warren.raft.core;

import io.warren.proto.Batch;
import io.warren.proto.Command;
import io.warren.proto.Refusal;
import io.warren.proto.Reply;
import java.util.ArrayList;
import java.util.List;

/**
 * The replicated broker: batches in, effects out. Pure and deterministic (DESIGN invariant 1): no IO,
 * clocks, randomness or threads; the result depends only on the state and the batch. Refused commands
 * are ordinary replies and change nothing (invariant 8). A resent batch, recognised by its
 * (node, epoch, sequence), is applied once (invariant 9).
 *
 * <p>Not thread-safe: the Ratis adapter applies on its one updater thread and guards the read-only
 * queries of {@link BrokerQueries} with the same lock.
 */
public final class BrokerCore {
    private final BrokerState state;
    private final Dispatcher dispatcher;
    private final SessionCommands sessions;
    private final ExchangeCommands exchanges;
    private final QueueCommands queues;
    private final BasicCommands basic;
    private final AckCommands acks;
    private final TxCommands transactions;
    private final AdminCommands admin;
    private final DeadLetterCommands deadLetters;
    private final PolicyCommands policies;

    private BrokerCore(BrokerState state) {
        this.state = state;
        this.dispatcher = new Dispatcher(state);
        this.sessions = new SessionCommands(state, dispatcher);
        this.exchanges = new ExchangeCommands(state, dispatcher);
        this.queues = new QueueCommands(state, dispatcher);
        this.basic = new BasicCommands(state, dispatcher);
        this.acks = new AckCommands(state, dispatcher);
        this.transactions = new TxCommands(state, basic, acks);
        this.admin = new AdminCommands(state, dispatcher);
        this.deadLetters = new DeadLetterCommands(state, dispatcher);
        this.policies = new PolicyCommands(state, dispatcher);
    }

    /** A broker that has applied nothing: vhost "/", the standard exchanges, user guest. */
    public static BrokerCore initial() {
        return new BrokerCore(BrokerState.initial());
    }

    static BrokerCore of(BrokerState state) {
        return new BrokerCore(state);
    }

    BrokerState state() {
        return state;
    }

    public BrokerQueries queries() {
        return new BrokerQueries(state);
    }

    /**
     * At or before the earliest time (the core's clock, ms) a queue's head expires, {@code Long.MAX_VALUE}
     * for never: once the leader's clock is past it, the leader sends a Tick.
     */
    public long earliestExpiryMs() {
        return state.earliestExpiryMs;
    }

    /**
     * The keys of every message held (ready, out unacknowledged, staged in a transaction, a pending dead
     * letter, or held by a delayed exchange), ascending, each once.
     */
    public long[] liveMessageKeys() {
        long[] keys = new long[Math.toIntExact(SnapshotRecords.heldMessages(state))];
        int[] filled = {0};
        for (VhostState vhost : state.vhosts.values()) {
            for (QueueState queue : vhost.queues.values()) {
                queue.ready.forEach(entry -> keys[filled[0]++] = entry.key());
            }
        }
        for (ChannelState channel : state.channels.values()) {
            for (ChannelState.Unacked u : channel.unacked.values()) {
                keys[filled[0]++] = u.entry().key();
            }
            if (channel.tx != null) {
                channel.tx.forEachHeldKey(key -> keys[filled[0]++] = key);
            }
        }
        for (DeadLetters.Pending pending : state.deadLetters.all()) {
            keys[filled[0]++] = pending.key;
        }
        for (DelayedMessages.Delayed delayed : state.delayed.all()) {
            keys[filled[0]++] = delayed.key();
        }
        java.util.Arrays.sort(keys);
        int distinct = 0;
        for (int i = 0; i < keys.length; i++) {
            if (i == 0 || keys[i] != keys[i - 1]) {
                keys[distinct++] = keys[i];
            }
        }
        return distinct == keys.length ? keys : java.util.Arrays.copyOf(keys, distinct);
    }

    public long appliedIndex() {
        return state.appliedIndex;
    }

    /**
     * Applies one log entry.
     *
     * @param logIndex the entry's Raft log index, the only source of fresh names
     * @return the effects, in the order they must be performed, each addressed to its node
     */
    public List<Effect> apply(long logIndex, long term, Batch batch) {
        state.appliedIndex = logIndex;
        state.appliedTerm = term;
        state.clockMs = Math.max(state.clockMs, batch.getLeaderTimeMs());
        List<Effect> effects = new ArrayList<>();
        if (!accept(batch, effects)) {
            // Refused whole: the messages its publishes stored go again.
            for (int position = 0; position < batch.getCommandsCount(); position++) {
                if (carriesMessage(batch.getCommands(position))) {
                    effects.add(new Effect.Discard(MessageKeys.key(logIndex, position)));
                }
            }
            return effects;
        }
        for (int position = 0; position < batch.getCommandsCount(); position++) {
            Command command = batch.getCommands(position);
            ApplyContext ctx = new ApplyContext(logIndex, position, batch.getNode(), batch.getEpoch(), command,
                    effects, state.references);
            applyCommand(ctx);
            if (carriesMessage(command) && !ctx.publishedMessage()) {
                // Refused, or ignored on a closing channel: nothing holds the stored message.
                effects.add(new Effect.Discard(ctx.messageKey()));
            }
        }
        return effects;
    }

    /** A publish or a dead-lettered copy: its message is stored beside the entry under the command's key. */
    public static boolean carriesMessage(Command command) {
        return command.hasPublish() || command.hasDeadLetter();
    }

    /**
     * Registration batches (epoch 0) always apply; others only from the node's live epoch, once each. A
     * batch from an ended epoch tells its node so, which reaches a node that missed the news (it was cut
     * off, or caught up from a snapshot).
     */
    private boolean accept(Batch batch, List<Effect> effects) {
        if (batch.getEpoch() == 0) {
            return batch.getCommandsList().stream().allMatch(Command::hasRegisterNode);
        }
        NodeRecord node = state.nodes.get(batch.getNode());
        if (node == null || !node.live(batch.getEpoch())) {
            effects.add(new Effect.EpochEnded(batch.getNode(), batch.getEpoch()));
            return false;
        }
        return !node.alreadyApplied(batch.getSequence());
    }

    private void applyCommand(ApplyContext ctx) {
        Command command = ctx.command;
        Session session = null;
        try {
            if (isChannelCommand(command)) {
                session = session(ctx);
                if (session == null) {
                    return;
                }
            }
            route(command, session, ctx);
        } catch (Refused refused) {
            refuse(ctx, session, refused.toRefusal());
        }
    }

    private void route(Command command, Session session, ApplyContext ctx) {
        switch (command.getKindCase()) {
            case REGISTER_NODE -> sessions.registerNode(command.getRegisterNode(), ctx);
            case DECLARE_NODE_DOWN -> sessions.declareNodeDown(command.getDeclareNodeDown(), ctx);
            case SET_ALARMS -> sessions.setAlarms(command.getSetAlarms(), ctx);
            case TICK -> {
                dispatcher.tick(ctx);
                basic.releaseDelayed(ctx);
            }
            case DEAD_LETTER -> deadLetters.deadLetter(command.getDeadLetter(), ctx);
            case OPEN_CONNECTION -> sessions.openConnection(command.getOpenConnection(), ctx);
            case CLOSE_CONNECTION -> sessions.closeConnection(command.getCloseConnection(), ctx);
            case CLOSE_CHANNEL -> {
                dispatcher.closeChannel(session.channel(), ctx);
                ctx.answer(Dispatcher.done());
            }
            case DECLARE_EXCHANGE -> exchanges.declare(session, command.getDeclareExchange(), ctx);
            case DELETE_EXCHANGE -> exchanges.delete(session, command.getDeleteExchange(), ctx);
            case BIND_EXCHANGE -> exchanges.bind(session, command.getBindExchange(), ctx);
            case UNBIND_EXCHANGE -> exchanges.unbind(session, command.getUnbindExchange(), ctx);
            case DECLARE_QUEUE -> queues.declare(session, command.getDeclareQueue(), ctx);
            case BIND_QUEUE -> queues.bind(session, command.getBindQueue(), ctx);
            case UNBIND_QUEUE -> queues.unbind(session, command.getUnbindQueue(), ctx);
            case PURGE_QUEUE -> queues.purge(session, command.getPurgeQueue(), ctx);
            case DELETE_QUEUE -> queues.delete(session, command.getDeleteQueue(), ctx);
            case QOS -> basic.qos(session, command.getQos(), ctx);
            case CONSUME -> basic.consume(session, command.getConsume(), ctx);
            case CANCEL -> basic.cancel(session, command.getCancel(), ctx);
            case GET -> basic.get(session, command.getGet(), ctx);
            case PUBLISH -> {
                basic.publish(session, command.getPublish(), ctx);
                endReadyTransactions(command.getPublish().getTxOp(), session, ctx);
            }
            case ACK -> {
                acks.ack(session, command.getAck(), ctx);
                endReadyTransactions(command.getAck().getTxOp(), session, ctx);
            }
            case NACK -> {
                acks.nack(session, command.getNack(), ctx);
                endReadyTransactions(command.getNack().getTxOp(), session, ctx);
            }
            case TX_COMMIT -> transactions.end(session, command.getTxCommit().getThrough(), true, ctx);
            case TX_ROLLBACK -> transactions.end(session, command.getTxRollback().getThrough(), false, ctx);
            case RECOVER -> acks.recover(session, command.getRecover(), ctx);
            case CREDIT -> basic.credit(session, command.getCredit(), ctx);
            case PUT_USER -> admin.putUser(command.getPutUser(), ctx);
            case DELETE_USER -> admin.deleteUser(command.getDeleteUser(), ctx);
            case PUT_VHOST -> admin.putVhost(command.getPutVhost(), ctx);
            case DELETE_VHOST -> admin.deleteVhost(command.getDeleteVhost(), ctx);
            case SET_PERMISSIONS -> admin.setPermissions(command.getSetPermissions(), ctx);
            case CLEAR_PERMISSIONS -> admin.clearPermissions(command.getClearPermissions(), ctx);
            case SET_POLICY -> policies.setPolicy(command.getSetPolicy(), ctx);
            case CLEAR_POLICY -> policies.clearPolicy(command.getClearPolicy(), ctx);
            case SET_TOPIC_PERMISSIONS -> admin.setTopicPermissions(command.getSetTopicPermissions(), ctx);
            case CLEAR_TOPIC_PERMISSIONS -> admin.clearTopicPermissions(command.getClearTopicPermissions(), ctx);
            case KIND_NOT_SET -> throw AmqpMethod.NONE.refuse(ReplyCodes.NOT_IMPLEMENTED, "unknown command");
        }
    }

    /** A staged op may complete a commit or rollback that waited for it (a resent batch came late). */
    private void endReadyTransactions(long txOp, Session session, ApplyContext ctx) {
        if (txOp != 0) {
            transactions.endReady(session, ctx);
        }
    }

    private static boolean isChannelCommand(Command command) {
        return switch (command.getKindCase()) {
            case REGISTER_NODE, DECLARE_NODE_DOWN, SET_ALARMS, TICK, DEAD_LETTER, OPEN_CONNECTION, CLOSE_CONNECTION,
                    PUT_USER, DELETE_USER, PUT_VHOST, DELETE_VHOST,
                    SET_PERMISSIONS, CLEAR_PERMISSIONS, SET_POLICY, CLEAR_POLICY, SET_TOPIC_PERMISSIONS,
                    CLEAR_TOPIC_PERMISSIONS, KIND_NOT_SET -> false;
            default -> true;
        };
    }

    /**
     * The channel a command came on. Null (the command is ignored) for a channel that already refused a
     * command: RabbitMQ drops what a client pipelined after the error that closes its channel.
     */
    private Session session(ApplyContext ctx) {
        var ref = ctx.command.getChannel();
        ConnectionKey connectionKey = ConnectionKey.of(ref.getConnection());
        ConnectionState connection = state.connections.get(connectionKey);
        if (!connectionKey.node().equals(ctx.node) || connectionKey.epoch() != ctx.epoch || connection == null) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.CHANNEL_ERROR, "no open connection for this channel");
        }
        ChannelKey channelKey = ChannelKey.of(ref);
        ChannelState channel = state.channels.get(channelKey);
        boolean closing = ctx.command.hasCloseChannel();
        if (channel == null) {
            if (closing) {
                ctx.answer(Dispatcher.done());
                return null;
            }
            channel = new ChannelState(ref, connection);
            state.channels.put(channelKey, channel);
        }
        if ((connection.failed || channel.failed) && !closing) {
            ctx.answer(Reply.newBuilder().setRefusal(Refusal.newBuilder().setCode(ReplyCodes.PRECONDITION_FAILED)
                    .setText("channel is closing after an earlier error")).build());
            return null;
        }
        VhostState vhost = state.vhosts.get(connection.vhost());
        if (vhost == null) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.CONNECTION_FORCED, "vhost '" + connection.vhost() + "' was deleted");
        }
        return new Session(channel, connection, vhost);
    }

    /**
     * A refusal goes to whoever waits for the reply; with nobody waiting (publish, ack) it closes the
     * channel through an effect. Either way the channel, or the connection, ignores later commands.
     */
    private static void refuse(ApplyContext ctx, Session session, Refusal refusal) {
        if (ctx.command.getRequest() != 0) {
            ctx.answer(Reply.newBuilder().setRefusal(refusal).build());
        } else if (ctx.command.hasChannel()) {
            ctx.emit(new Effect.CloseChannel(ctx.command.getChannel(), refusal));
        }
        if (session != null) {
            if (ReplyCodes.closesConnection(refusal.getCode())) {
                session.connection().failed = true;
            } else {
                session.channel().failed = true;
            }
        }
    }
}
