package io.warren.raft.core;

import io.warren.proto.Refusal;
import io.warren.proto.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Read-only views of the core for the node's edges: authentication, the admin API (warrenctl
 * list_queues, list_bindings, ...). Callers hold the adapter's lock while they call these; the
 * returned values are copies and stay valid after it is released.
 */
public final class BrokerQueries {
    private final BrokerState state;

    BrokerQueries(BrokerState state) {
        this.state = state;
    }

    /** One row of list_queues; bytes are of bodies, as RabbitMQ counts message_bytes. */
    public record QueueView(String vhost, String name, boolean durable, boolean autoDelete, boolean exclusive,
            int messagesReady, int messagesUnacknowledged, int consumers, Table arguments, String policy,
            String operatorPolicy, Table effectivePolicyDefinition, long messageBytesReady,
            long messageBytesUnacknowledged, MessageStats messageStats) {}

    /** One row of list_bindings; source "" is the default exchange. */
    public record BindingView(String vhost, String source, String destination, String destinationKind,
            String routingKey, Table arguments) {}

    /** One row of list_exchanges. */
    public record ExchangeView(String vhost, String name, String type, boolean durable, boolean autoDelete,
            boolean internal) {}

    /** One row of list_connections. */
    public record ConnectionView(String node, long epoch, long id, String name, String user, String vhost,
            int channels, String clientName) {}

    /** The core's clock (ms since the epoch): the latest leader time applied. */
    public long clockMs() {
        return state.clockMs;
    }

    public Optional<UserRecord> user(String name) {
        return Optional.ofNullable(state.access.users.get(name));
    }

    public List<UserRecord> users() {
        return List.copyOf(state.access.users.values());
    }

    public List<String> vhosts() {
        return List.copyOf(state.vhosts.keySet());
    }

    public boolean vhostExists(String vhost) {
        return state.vhosts.containsKey(vhost);
    }

    public Optional<Permission> permission(String user, String vhost) {
        return Optional.ofNullable(state.access.permission(user, vhost));
    }

    public List<Permission> permissions() {
        return List.copyOf(state.access.permissions.values());
    }

    public List<TopicPermission> topicPermissions() {
        return List.copyOf(state.access.topicPermissions.values());
    }

    /**
     * A node as the log knows it: its current epoch, whether the leader declared it down, and the resource
     * alarms it reported for this epoch.
     */
    public record NodeView(String node, long epoch, boolean down, boolean memoryAlarm, boolean diskAlarm) {}

    public List<NodeView> nodes() {
        return state.nodes.values().stream()
                .map(n -> new NodeView(n.node, n.epoch, n.down, n.memoryAlarm, n.diskAlarm)).toList();
    }

    /** True while {@code epoch} is {@code node}'s current epoch and the node is not declared down. */
    public boolean isLive(String node, long epoch) {
        NodeRecord record = state.nodes.get(node);
        return record != null && record.live(epoch);
    }

    /**
     * The epoch that the process start {@code incarnation} of {@code node} registered, or 0: how a node
     * finds its registration when a snapshot from the leader covered the entry that answered it.
     */
    public long epochRegisteredBy(String node, byte[] incarnation) {
        NodeRecord record = state.nodes.get(node);
        return record != null && record.incarnation.equals(com.google.protobuf.ByteString.copyFrom(incarnation))
                ? record.epoch : 0;
    }

    public long epochOf(String node) {
        NodeRecord record = state.nodes.get(node);
        return record == null ? 0 : record.epoch;
    }

    /** A vhost's policies (or operator policies) by name, as set; empty for an unknown vhost. */
    public List<io.warren.proto.SetPolicy> policies(String vhost, boolean operator) {
        VhostState state = this.state.vhosts.get(vhost);
        if (state == null) {
            return List.of();
        }
        return (operator ? state.operatorPolicies : state.policies).values().stream().map(Policy::toProto).toList();
    }

    /** The whole broker's message counts since this node started (RabbitMQ's overview message_stats). */
    public MessageStats messageStats() {
        return state.totals.view();
    }

    public List<QueueView> queues(String vhost) {
        List<QueueView> views = new ArrayList<>();
        VhostState state = this.state.vhosts.get(vhost);
        if (state != null) {
            java.util.Map<QueueState, Long> unackedBytes = new java.util.IdentityHashMap<>();
            for (ChannelState ch : this.state.channels.values()) {
                for (ChannelState.Unacked u : ch.unacked.values()) {
                    unackedBytes.merge(u.queue(), (long) u.entry().size(), Long::sum);
                }
            }
            for (QueueState q : state.queues.values()) {
                views.add(new QueueView(vhost, q.name, q.durable, q.autoDelete, q.exclusiveOwner != null,
                        q.ready.size(), q.unackedCount, q.consumers.size(), q.arguments, q.policy, q.operatorPolicy,
                        Policies.effectiveDefinition(q.policy == null ? null : state.policies.get(q.policy),
                                q.operatorPolicy == null ? null : state.operatorPolicies.get(q.operatorPolicy)),
                        q.ready.bytes(), unackedBytes.getOrDefault(q, 0L), q.totals.view()));
            }
        }
        return views;
    }

    /** As rabbitmqctl list_bindings: the default exchange's implicit binding of each queue first. */
    public List<BindingView> bindings(String vhost) {
        List<BindingView> views = new ArrayList<>();
        VhostState state = this.state.vhosts.get(vhost);
        if (state == null) {
            return views;
        }
        for (QueueState q : state.queues.values()) {
            views.add(new BindingView(vhost, "", q.name, "queue", q.name, Table.getDefaultInstance()));
        }
        for (ExchangeState exchange : state.exchanges.values()) {
            for (Binding b : exchange.bindings) {
                views.add(new BindingView(vhost, b.source(), b.destination(),
                        b.destinationIsQueue() ? "queue" : "exchange", b.routingKey(), b.arguments()));
            }
        }
        return views;
    }

    public List<ExchangeView> exchanges(String vhost) {
        List<ExchangeView> views = new ArrayList<>();
        VhostState state = this.state.vhosts.get(vhost);
        if (state != null) {
            for (ExchangeState x : state.exchanges.values()) {
                views.add(new ExchangeView(vhost, x.name, x.type.wireName, x.durable, x.autoDelete, x.internal));
            }
        }
        return views;
    }

    /**
     * Why {@code user} may not publish to {@code exchange} with {@code routingKey} in {@code vhost}, as the
     * publish itself would be refused (unknown or internal exchange, write or topic permission), or empty.
     */
    public Optional<Refusal> publishRefusal(String user, String vhost, String exchange, String routingKey) {
        VhostState v = state.vhosts.get(vhost);
        ExchangeState x = v == null ? null : v.exchanges.get(exchange);
        AmqpMethod method = AmqpMethod.BASIC_PUBLISH;
        try {
            if (x == null) {
                throw method.refuse(ReplyCodes.NOT_FOUND, "no exchange '" + exchange + "' in vhost '" + vhost + "'");
            }
            if (x.internal) {
                throw method.refuse(ReplyCodes.ACCESS_REFUSED, "cannot publish to internal exchange '" + exchange
                        + "' in " + v.describe());
            }
            state.access.check(user, vhost, AccessControl.Access.WRITE, "exchange", exchange, method);
            if (x.type == ExchangeType.TOPIC) {
                state.access.checkTopic(user, vhost, exchange, routingKey, AccessControl.Access.WRITE, method);
            }
            return Optional.empty();
        } catch (Refused refused) {
            return Optional.of(refused.toRefusal());
        }
    }

    /** How many queues a message with this routing key and headers would go to now (0 for no exchange). */
    public int routedQueueCount(String vhost, String exchange, String routingKey, Table headers) {
        VhostState v = state.vhosts.get(vhost);
        ExchangeState x = v == null ? null : v.exchanges.get(exchange);
        return x == null ? 0 : Router.routeAll(v, x, routingKey, headers).size();
    }

    /** One channel: its connection, AMQP number, consumers, unacknowledged deliveries and prefetch. */
    public record ChannelView(ConnectionView connection, int number, int consumers, int unacknowledged,
            int prefetch, int globalPrefetch, boolean transactional) {}

    /** One consumer: its queue, tag, channel, ack mode, exclusivity, prefetch and arguments. */
    public record ConsumerView(String vhost, String queue, String tag, ChannelView channel, boolean ackRequired,
            boolean exclusive, int prefetch, Table arguments) {}

    public List<ChannelView> channels() {
        Map<ConnectionState, ConnectionView> connections = connectionViews();
        List<ChannelView> views = new ArrayList<>();
        for (ChannelState ch : state.channels.values()) {
            views.add(channelView(ch, connections));
        }
        return views;
    }

    public List<ConsumerView> consumers() {
        Map<ConnectionState, ConnectionView> connections = connectionViews();
        List<ConsumerView> views = new ArrayList<>();
        for (ChannelState ch : state.channels.values()) {
            ChannelView channel = null;
            for (ConsumerState c : ch.consumers.values()) {
                channel = channel == null ? channelView(ch, connections) : channel;
                views.add(new ConsumerView(ch.connection.vhost(), c.queue.name, c.tag, channel, !c.noAck, c.exclusive,
                        c.prefetch, c.arguments));
            }
        }
        return views;
    }

    private static ChannelView channelView(ChannelState ch, Map<ConnectionState, ConnectionView> connections) {
        ConnectionView connection = connections.get(ch.connection);
        if (connection == null) { // not expected: a connection's channels go with it
            connection = connectionView(ch.connection, 0);
        }
        return new ChannelView(connection, ch.ref.getNumber(), ch.consumers.size(),
                ch.unacked.size(), ch.consumerPrefetch, ch.globalPrefetch, ch.tx != null);
    }

    /**
     * Every connection's view, its channels counted in one pass over the channels (a scrape or an API
     * request runs this under the state's lock, so not once per connection).
     */
    private Map<ConnectionState, ConnectionView> connectionViews() {
        Map<ConnectionState, Integer> channels = new java.util.IdentityHashMap<>();
        for (ChannelState ch : state.channels.values()) {
            channels.merge(ch.connection, 1, Integer::sum);
        }
        Map<ConnectionState, ConnectionView> views = new java.util.LinkedHashMap<>();
        for (ConnectionState c : state.connections.values()) {
            views.put(c, connectionView(c, channels.getOrDefault(c, 0)));
        }
        return views;
    }

    private static ConnectionView connectionView(ConnectionState c, int channels) {
        return new ConnectionView(c.key.node(), c.key.epoch(), c.key.id(), c.opened.getName(), c.user(), c.vhost(),
                channels, c.opened.getClientName());
    }

    public List<ConnectionView> connections() {
        return List.copyOf(connectionViews().values());
    }
}
