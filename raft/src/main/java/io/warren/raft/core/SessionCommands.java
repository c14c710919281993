package io.warren.raft.core;

import io.warren.proto.CloseConnection;
import io.warren.proto.DeclareNodeDown;
import io.warren.proto.NodeRegistered;
import io.warren.proto.OpenConnection;
import io.warren.proto.RegisterNode;
import io.warren.proto.Reply;
import io.warren.proto.SetAlarms;
import java.util.ArrayList;
import java.util.List;

/**
 * Node epochs and the lifecycle of connections and channels. A node's new epoch ends everything its
 * earlier epochs held, exactly as a RabbitMQ node restart does: connections close (their unacked
 * deliveries return, redelivered), exclusive and non-durable queues and non-durable exchanges homed on
 * the node are deleted, and durable classic queues homed there lose their transient messages.
 */
final class SessionCommands {
    private final BrokerState state;
    private final Dispatcher dispatcher;

    SessionCommands(BrokerState state, Dispatcher dispatcher) {
        this.state = state;
        this.dispatcher = dispatcher;
    }

    /**
     * A new epoch for the node. The same registration twice (its incarnation, random per attempt, already
     * gave the current epoch: the entry was sent again after its outcome was unknown, or again to a new
     * leader) changes nothing and answers that epoch; a second epoch would end the first at once.
     */
    void registerNode(RegisterNode cmd, ApplyContext ctx) {
        String node = cmd.getNode();
        NodeRecord previous = state.nodes.get(node);
        if (previous != null && !cmd.getIncarnation().isEmpty() && cmd.getIncarnation().equals(previous.incarnation)) {
            ctx.answer(Reply.newBuilder().setNodeRegistered(NodeRegistered.newBuilder().setNode(node)
                    .setEpoch(previous.epoch).setIncarnation(cmd.getIncarnation())).build());
            return;
        }
        long epoch = previous == null ? 1 : previous.epoch + 1;
        if (previous != null) {
            releaseNode(node, ctx);
        }
        NodeRecord record = new NodeRecord(node, epoch, 0, false);
        record.incarnation = cmd.getIncarnation();
        if (cmd.getConsumerTimeoutMs() > 0) {
            record.consumerTimeoutMs = cmd.getConsumerTimeoutMs();
        }
        state.nodes.put(node, record);
        ctx.answer(Reply.newBuilder().setNodeRegistered(NodeRegistered.newBuilder().setNode(node).setEpoch(epoch)
                .setIncarnation(cmd.getIncarnation())).build());
        // The new epoch starts without alarms, and learns those of the others.
        ctx.emit(new Effect.Alarms(activeAlarms()));
    }

    /** A node's alarms changed; every node hears the cluster's set when it does. */
    void setAlarms(SetAlarms cmd, ApplyContext ctx) {
        NodeRecord record = state.nodes.get(cmd.getNode());
        if (record != null && !record.down && cmd.getNode().equals(ctx.node)
                && (record.memoryAlarm != cmd.getMemory() || record.diskAlarm != cmd.getDisk())) {
            record.memoryAlarm = cmd.getMemory();
            record.diskAlarm = cmd.getDisk();
            ctx.emit(new Effect.Alarms(activeAlarms()));
        }
        ctx.answer(Dispatcher.done());
    }

    /** The alarms in force, as "node: memory" and "node: disk", by node. */
    private List<String> activeAlarms() {
        List<String> active = new ArrayList<>();
        for (NodeRecord record : state.nodes.values()) {
            if (record.memoryAlarm) {
                active.add(record.node + ": memory");
            }
            if (record.diskAlarm) {
                active.add(record.node + ": disk");
            }
        }
        return List.copyOf(active);
    }

    /**
     * What RabbitMQ does when a node goes down (rabbit_amqqueue:on_node_down): its connections end, so
     * their unacked deliveries return to their queues, redelivered, and their consumers and exclusive
     * queues go; its non-durable queues and exchanges are deleted. Messages stay: they are replicated,
     * and the node's transient messages are dropped only if it restarts (registerNode).
     */
    void declareNodeDown(DeclareNodeDown cmd, ApplyContext ctx) {
        NodeRecord record = state.nodes.get(cmd.getNode());
        if (record != null && record.live(cmd.getEpoch())) {
            record.down = true;
            releaseConnectionsAndTransientEntities(cmd.getNode(), ctx);
            ctx.emit(new Effect.EpochEnded(cmd.getNode(), cmd.getEpoch()));
            if (record.memoryAlarm || record.diskAlarm) {
                record.memoryAlarm = false;
                record.diskAlarm = false;
                ctx.emit(new Effect.Alarms(activeAlarms()));
            }
        }
        ctx.answer(Dispatcher.done());
    }

    private void releaseNode(String node, ApplyContext ctx) {
        releaseConnectionsAndTransientEntities(node, ctx);
        for (VhostState vhost : state.vhosts.values()) {
            for (QueueState queue : vhost.queues.values()) {
                if (queue.homeNode.equals(node) && !isQuorum(queue)) {
                    queue.ready.removeIf(entry -> {
                        if (!entry.persistent()) {
                            state.references.release(entry.key(), ctx);
                        }
                        return !entry.persistent();
                    });
                }
            }
        }
    }

    private void releaseConnectionsAndTransientEntities(String node, ApplyContext ctx) {
        for (ConnectionState connection : new ArrayList<>(state.connections.values())) {
            if (connection.key.node().equals(node)) {
                dispatcher.closeConnection(connection, ctx);
            }
        }
        for (VhostState vhost : state.vhosts.values()) {
            for (QueueState queue : new ArrayList<>(vhost.queues.values())) {
                if (!queue.homeNode.equals(node)) {
                    continue;
                }
                if (!queue.durable) {
                    dispatcher.deleteQueue(vhost, queue, ctx);
                }
            }
            for (ExchangeState exchange : new ArrayList<>(vhost.exchanges.values())) {
                if (exchange.homeNode.equals(node) && !exchange.durable) {
                    dispatcher.deleteExchange(vhost, exchange, ctx);
                }
            }
        }
    }

    /** A queue declared with x-queue-type=quorum keeps transient messages over restarts, as RabbitMQ's do. */
    private static boolean isQuorum(QueueState queue) {
        var type = Tables.get(queue.arguments, "x-queue-type");
        return type != null && "quorum".equals(Tables.text(type));
    }

    void openConnection(OpenConnection cmd, ApplyContext ctx) {
        AmqpMethod method = AmqpMethod.CONNECTION_OPEN;
        ConnectionKey key = ConnectionKey.of(cmd.getConnection());
        if (!key.node().equals(ctx.node) || key.epoch() != ctx.epoch) {
            throw method.refuse(ReplyCodes.NOT_ALLOWED, "a node may open connections only for itself");
        }
        if (!state.vhosts.containsKey(cmd.getVhost())) {
            throw method.refuse(ReplyCodes.NOT_ALLOWED, "vhost '" + cmd.getVhost() + "' not found");
        }
        if (!cmd.getTrusted() && state.access.permission(cmd.getUser(), cmd.getVhost()) == null) {
            throw method.refuse(ReplyCodes.NOT_ALLOWED, "access to vhost '" + cmd.getVhost()
                    + "' refused for user '" + cmd.getUser() + "'");
        }
        state.connections.putIfAbsent(key, new ConnectionState(key, cmd));
        ctx.answer(Dispatcher.done());
    }

    void closeConnection(CloseConnection cmd, ApplyContext ctx) {
        ConnectionState connection = state.connections.get(ConnectionKey.of(cmd.getConnection()));
        if (connection != null) {
            dispatcher.closeConnection(connection, ctx);
            if (!cmd.getForcedReason().isEmpty()) {
                ctx.emit(new Effect.ForceCloseConnection(cmd.getConnection(), cmd.getForcedReason()));
            }
        } else if (!cmd.getForcedReason().isEmpty()) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.NOT_FOUND, "no connection " + cmd.getConnection().getNode()
                    + ":" + cmd.getConnection().getEpoch() + ":" + cmd.getConnection().getId());
        }
        ctx.answer(Dispatcher.done());
    }
}
