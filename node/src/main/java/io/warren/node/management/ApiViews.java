package io.warren.node.management;

import io.warren.node.management.ManagementBackend.NodeStatus;
import io.warren.proto.SetPolicy;
import io.warren.raft.core.BrokerQueries;
import io.warren.raft.core.MessageStats;
import io.warren.raft.core.Permission;
import io.warren.raft.core.UserRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON objects of the management API, field names and kinds as RabbitMQ 3.10's management plugin
 * writes them for the same objects. Fields of RabbitMQ's that describe Erlang internals (reductions,
 * garbage collection, process memory) are left out; docs/compliance.md lists what differs.
 */
final class ApiViews {
    private ApiViews() {}

    static final String RABBITMQ_VERSION = ManagementApi.RABBITMQ_VERSION;
    static final String WARREN_VERSION = ManagementApi.VERSION;

    static Map<String, Object> queue(BrokerQueries.QueueView q, List<String> members, String leader,
            List<String> online, MessageRates.Window rates) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> arguments = TableJson.toJson(q.arguments());
        out.put("arguments", arguments);
        out.put("auto_delete", q.autoDelete());
        out.put("consumers", q.consumers());
        out.put("durable", q.durable());
        out.put("effective_policy_definition", TableJson.toJson(q.effectivePolicyDefinition()));
        out.put("exclusive", q.exclusive());
        out.put("leader", leader);
        out.put("members", members);
        long ready = q.messagesReady();
        long unacked = q.messagesUnacknowledged();
        out.put("message_bytes", q.messageBytesReady() + q.messageBytesUnacknowledged());
        out.put("message_bytes_ready", q.messageBytesReady());
        out.put("message_bytes_unacknowledged", q.messageBytesUnacknowledged());
        depth(out, ready, unacked, rates);
        out.put("message_stats", messageStats(q.messageStats(), rates, false));
        out.put("name", q.name());
        out.put("node", leader);
        out.put("online", online);
        out.put("operator_policy", q.operatorPolicy());
        out.put("policy", q.policy());
        out.put("state", "running");
        Object type = arguments.get("x-queue-type");
        out.put("type", type instanceof String s ? s : "classic");
        out.put("vhost", q.vhost());
        return out;
    }

    static Map<String, Object> exchange(BrokerQueries.ExchangeView x) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("arguments", Map.of());
        out.put("auto_delete", x.autoDelete());
        out.put("durable", x.durable());
        out.put("internal", x.internal());
        out.put("name", x.name());
        out.put("type", x.type());
        out.put("user_who_performed_action", "rmq-internal");
        out.put("vhost", x.vhost());
        return out;
    }

    static Map<String, Object> binding(BrokerQueries.BindingView b) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("source", b.source());
        out.put("vhost", b.vhost());
        out.put("destination", b.destination());
        out.put("destination_type", b.destinationKind());
        out.put("routing_key", b.routingKey());
        out.put("arguments", TableJson.toJson(b.arguments()));
        out.put("properties_key", propertiesKey(b));
        return out;
    }

    /**
     * How RabbitMQ names a binding in a URL: the routing key (with {@code ~} before an arguments hash when
     * there are arguments), {@code ~} alone for the empty key.
     */
    static String propertiesKey(BrokerQueries.BindingView b) {
        String key = b.routingKey().isEmpty() ? "~" : b.routingKey().replace("%", "%25").replace("~", "%7E");
        if (b.arguments().getEntriesCount() == 0) {
            return key;
        }
        return key + "~" + Integer.toUnsignedString(b.arguments().hashCode(), 36);
    }

    static Map<String, Object> vhost(String name) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("description", name.equals("/") ? "Default virtual host" : "");
        out.put("tags", List.of());
        out.put("default_queue_type", "undefined");
        out.put("metadata", Map.of("description", name.equals("/") ? "Default virtual host" : "", "tags",
                List.of()));
        out.put("tracing", false);
        return out;
    }

    static Map<String, Object> user(UserRecord user) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", user.name());
        out.put("password_hash", java.util.Base64.getEncoder().encodeToString(user.passwordHash().toByteArray()));
        out.put("hashing_algorithm", "rabbit_password_hashing_sha256");
        out.put("tags", user.tags());
        out.put("limits", Map.of());
        return out;
    }

    static Map<String, Object> permission(Permission p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user", p.user());
        out.put("vhost", p.vhost());
        out.put("configure", p.configure());
        out.put("write", p.write());
        out.put("read", p.read());
        return out;
    }

    static Map<String, Object> policy(SetPolicy p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("vhost", p.getVhost());
        out.put("name", p.getName());
        out.put("pattern", p.getPattern());
        out.put("apply-to", p.getApplyTo().isEmpty() ? "all" : p.getApplyTo());
        out.put("definition", TableJson.toJson(p.getDefinition()));
        out.put("priority", p.getPriority());
        return out;
    }

    /** A connection as RabbitMQ shows it, named by its client's and its node's address. */
    static Map<String, Object> connection(BrokerQueries.ConnectionView c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", connectionName(c));
        out.put("node", c.node());
        out.put("user", c.user());
        out.put("vhost", c.vhost());
        out.put("channels", c.channels());
        out.put("protocol", "AMQP 0-9-1");
        out.put("state", "running");
        out.put("type", "network");
        out.put("client_properties", c.clientName().isEmpty() ? Map.of() : Map.of("connection_name",
                c.clientName()));
        out.put("user_provided_name", c.clientName().isEmpty() ? null : c.clientName());
        return out;
    }

    /** RabbitMQ's name: "client:port -> server:port" (the management API's own: its node, epoch and id). */
    static String connectionName(BrokerQueries.ConnectionView c) {
        return c.name().isEmpty() || c.name().equals("management API")
                ? c.node() + ":" + c.epoch() + ":" + c.id() + " (management API)" : c.name();
    }

    static Map<String, Object> channel(BrokerQueries.ChannelView ch) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", connectionName(ch.connection()) + " (" + ch.number() + ")");
        out.put("number", ch.number());
        out.put("node", ch.connection().node());
        out.put("user", ch.connection().user());
        out.put("vhost", ch.connection().vhost());
        out.put("connection_details", Map.of("name", connectionName(ch.connection())));
        out.put("consumer_count", ch.consumers());
        out.put("messages_unacknowledged", ch.unacknowledged());
        out.put("prefetch_count", ch.prefetch());
        out.put("global_prefetch_count", ch.globalPrefetch());
        out.put("transactional", ch.transactional());
        out.put("state", "running");
        return out;
    }

    static Map<String, Object> consumer(BrokerQueries.ConsumerView c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("arguments", TableJson.toJson(c.arguments()));
        out.put("ack_required", c.ackRequired());
        out.put("active", true);
        out.put("activity_status", "up");
        out.put("channel_details", Map.of("name", connectionName(c.channel().connection()) + " ("
                + c.channel().number() + ")", "number", c.channel().number(), "node", c.channel().connection().node(),
                "user", c.channel().connection().user(), "connection_name", connectionName(c.channel().connection())));
        out.put("consumer_tag", c.tag());
        out.put("exclusive", c.exclusive());
        out.put("prefetch_count", c.prefetch());
        out.put("queue", Map.of("name", c.queue(), "vhost", c.vhost()));
        return out;
    }

    static Map<String, Object> node(NodeStatus n) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", n.name());
        out.put("type", "disc");
        out.put("running", n.running());
        out.put("mem_alarm", n.memoryAlarm());
        out.put("disk_free_alarm", n.diskAlarm());
        out.put("mem_used", n.memoryUsed());
        out.put("mem_limit", n.memoryLimit());
        out.put("disk_free", n.diskFree());
        out.put("disk_free_limit", n.diskFreeLimit());
        out.put("uptime", n.uptimeMs());
        out.put("raft_role", n.raftRole());
        out.put("raft_term", n.term());
        out.put("raft_commit_index", n.commitIndex());
        out.put("raft_lag", n.lag());
        return out;
    }

    /** messages, messages_ready, messages_unacknowledged, each with its rate of change. */
    static void depth(Map<String, Object> out, long ready, long unacked, MessageRates.Window rates) {
        out.put("messages", ready + unacked);
        out.put("messages_details", rate(rates.rate(f -> f.messages())));
        out.put("messages_ready", ready);
        out.put("messages_ready_details", rate(rates.rate(f -> f.ready())));
        out.put("messages_unacknowledged", unacked);
        out.put("messages_unacknowledged_details", rate(rates.rate(f -> f.unacked())));
    }

    /**
     * RabbitMQ's {@code message_stats}: each count with its {@code _details} rate. A queue's have no
     * confirm or unroutable counts (a publisher's, not a queue's).
     */
    static Map<String, Object> messageStats(MessageStats now, MessageRates.Window rates, boolean overall) {
        Map<String, Object> out = new LinkedHashMap<>();
        count(out, "ack", MessageStats::ack, now, rates);
        if (overall) {
            count(out, "confirm", MessageStats::confirm, now, rates);
        }
        count(out, "deliver", MessageStats::deliver, now, rates);
        count(out, "deliver_get", MessageStats::deliverGet, now, rates);
        count(out, "deliver_no_ack", MessageStats::deliverNoAck, now, rates);
        if (overall) {
            count(out, "drop_unroutable", MessageStats::dropUnroutable, now, rates);
        }
        count(out, "get", MessageStats::get, now, rates);
        count(out, "get_no_ack", MessageStats::getNoAck, now, rates);
        count(out, "publish", MessageStats::publish, now, rates);
        count(out, "redeliver", MessageStats::redeliver, now, rates);
        if (overall) {
            count(out, "return_unroutable", MessageStats::returnUnroutable, now, rates);
        }
        return out;
    }

    /** One count of {@code message_stats} and its {@code _details} rate. */
    private static void count(Map<String, Object> out, String name, java.util.function.ToLongFunction<MessageStats> of,
            MessageStats now, MessageRates.Window rates) {
        out.put(name, of.applyAsLong(now));
        out.put(name + "_details", rate(rates.statsRate(of)));
    }

    /** RabbitMQ's {@code *_details}: the rate over its sample window. */
    static Map<String, Object> rate(double perSecond) {
        return Map.of("rate", perSecond);
    }

    static List<Map<String, Object>> exchangeTypes() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String[] t : new String[][] {{"direct", "AMQP direct exchange, as per the AMQP specification"},
                {"fanout", "AMQP fanout exchange, as per the AMQP specification"},
                {"headers", "AMQP headers exchange, as per the AMQP specification"},
                {"topic", "AMQP topic exchange, as per the AMQP specification"}}) {
            out.add(Map.of("name", t[0], "description", t[1], "enabled", true));
        }
        return out;
    }
}
