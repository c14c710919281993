package io.warren.node.management;

import com.google.protobuf.ByteString;
import io.warren.proto.Command;
import io.warren.raft.core.BrokerQueries;
import io.warren.raft.core.UserRecord;
import java.util.List;
import java.util.function.Function;

/**
 * What the management API needs of its node: reads of the applied state, replicated changes answered once
 * applied, password checks, and the node's and the cluster's own figures. The node binds it; tests bind a
 * core of their own.
 */
public interface ManagementBackend {
    /** A read of this node's applied state. */
    <T> T query(Function<BrokerQueries, T> query);

    /**
     * Sends a change through the log and waits until it is applied.
     *
     * @throws ApiError 404 or 400 with the core's refusal text, 503 when it was not applied in time
     */
    void write(Command.Builder command);

    /**
     * Runs {@code work} as {@code user} in {@code vhost} on one channel of a connection this node opens for it
     * and closes after (as RabbitMQ's management plugin uses a direct connection as the logged-in user, so
     * permissions apply; what the channel holds unacknowledged at the close goes back to its queues).
     */
    <T> T asUser(String user, String vhost, Function<Session, T> work);

    /** The channel {@link #asUser} gives its work. */
    interface Session {
        /**
         * Runs one channel command and returns its reply.
         *
         * @throws ApiError its refusal, the AMQP code mapped to RabbitMQ's HTTP status
         */
        io.warren.proto.Reply call(Command.Builder command);

        /**
         * Sends a channel command that has no reply (an ack, a reject); a command called after it applies
         * after it.
         */
        void send(Command.Builder command);

        /**
         * Publishes a message (without confirm) on the channel; a command called after it is applied after it.
         *
         * @param properties RabbitMQ's JSON of the basic properties (content_type, delivery_mode, headers...)
         * @throws ApiError 400 for a property of the wrong kind
         */
        void publish(String exchange, String routingKey, java.util.Map<String, Object> properties, byte[] body);
    }

    /** A stored message's properties as RabbitMQ's management API shows them (content_type, headers...). */
    java.util.Map<String, Object> messageProperties(ByteString properties);

    boolean passwordMatches(UserRecord user, String password);

    /** A salted hash of {@code password}, as the user table stores it. */
    ByteString hashPassword(String password);

    /** Users who may log in from loopback only ({@code loopback.users}). */
    boolean loopbackOnly(String user);

    /** The sampled figures message rates are computed from (RabbitMQ's basic rates mode). */
    MessageRates messageRates();

    /** This node's id. */
    String nodeName();

    /** Every node the cluster knows, with its Raft figures as this node sees them. */
    List<NodeStatus> nodes();

    /**
     * A node of the cluster.
     *
     * @param running in the Raft configuration and not declared down
     * @param raftRole leader, follower, candidate or unknown (another node's role as this node knows it)
     * @param commitIndex the Raft commit index this node knows for it, -1 when unknown
     * @param lag entries behind the leader's last, -1 when unknown
     */
    record NodeStatus(String name, boolean running, boolean memoryAlarm, boolean diskAlarm, String raftRole,
            long term, long commitIndex, long lag, long memoryUsed, long memoryLimit, long diskFree,
            long diskFreeLimit, long uptimeMs) {}
}
