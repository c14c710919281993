package io.warren.node;

import io.warren.amqp.AmqpException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connections and channels open on this node, by id: where an effect addressed to one of them finds
 * it. Added and removed on Netty event loops, read on the apply thread; the maps are concurrent.
 */
final class LocalSessions {
    private final Map<Long, NodeChannel> channels = new ConcurrentHashMap<>();
    private final Map<Long, NodeConnection> connections = new ConcurrentHashMap<>();

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

    /** The open channel with this id, or null (closed meanwhile, or never on this node). */
    NodeChannel channel(long id) {
        return channels.get(id);
    }

    /** The open channels of one connection. */
    List<NodeChannel> channelsOf(NodeConnection connection) {
        return channels.values().stream().filter(channel -> channel.connection() == connection).toList();
    }

    Collection<NodeConnection> connections() {
        return connections.values();
    }

    int connectionCount() {
        return connections.size();
    }

    /** Closes one client connection (an operator's close), if this node still holds it. */
    void forceClose(long connectionId, AmqpException error) {
        NodeConnection connection = connections.get(connectionId);
        if (connection != null) {
            connection.forceClose(error);
        }
    }

    void closeAll(AmqpException error) {
        for (NodeConnection connection : connections.values()) {
            connection.forceClose(error);
        }
    }
}
