package io.warren.node;

import io.warren.proto.Table;
import io.warren.raft.core.BrokerQueries;
import io.warren.raft.core.Permission;
import io.warren.raft.core.TopicPermission;
import io.warren.raft.core.UserRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Formats admin answers as rabbitmqctl does: a header line of column names, then tab-separated rows. Every
 * list takes the columns to show, by rabbitmqctl's names, in the order given.
 */
final class AdminTables {
    private AdminTables() {}

    static final List<String> QUEUE_DEFAULT = List.of("name", "messages_ready", "messages_unacknowledged", "consumers");
    static final List<String> BINDING_DEFAULT = List.of("source_name", "source_kind", "destination_name",
            "destination_kind", "routing_key", "arguments");

    /** Where every queue lives: one Raft group, so the same leader, members and online members for all. */
    record Placement(String leader, List<String> members, List<String> online) {}

    static String queues(List<BrokerQueries.QueueView> queues, String columns, Placement placement) {
        Map<String, Function<BrokerQueries.QueueView, Object>> all = new LinkedHashMap<>();
        all.put("name", BrokerQueries.QueueView::name);
        all.put("messages_ready", BrokerQueries.QueueView::messagesReady);
        all.put("messages_unacknowledged", BrokerQueries.QueueView::messagesUnacknowledged);
        all.put("messages", q -> q.messagesReady() + q.messagesUnacknowledged());
        all.put("consumers", BrokerQueries.QueueView::consumers);
        all.put("durable", BrokerQueries.QueueView::durable);
        all.put("auto_delete", BrokerQueries.QueueView::autoDelete);
        all.put("exclusive", BrokerQueries.QueueView::exclusive);
        all.put("arguments", q -> arguments(q.arguments()));
        all.put("policy", q -> q.policy() == null ? "" : q.policy());
        // two columns of RabbitMQ's HTTP API that its rabbitmqctl 3.10 does not list
        all.put("operator_policy", q -> q.operatorPolicy() == null ? "" : q.operatorPolicy());
        all.put("effective_policy_definition", q -> PolicyDefinitionJson.print(q.effectivePolicyDefinition()));
        all.put("type", q -> q.arguments().getEntriesList().stream().filter(e -> e.getKey().equals("x-queue-type"))
                .map(e -> e.getValue().getLongString().toStringUtf8()).findFirst().orElse("classic"));
        all.put("leader", q -> placement.leader());
        all.put("members", q -> "[" + String.join(", ", placement.members()) + "]");
        all.put("online", q -> "[" + String.join(", ", placement.online()) + "]");
        all.put("message_bytes", q -> q.messageBytesReady() + q.messageBytesUnacknowledged());
        all.put("message_bytes_ready", BrokerQueries.QueueView::messageBytesReady);
        all.put("message_bytes_unacknowledged", BrokerQueries.QueueView::messageBytesUnacknowledged);
        return render(queues, all, columns, QUEUE_DEFAULT);
    }

    static String channels(List<BrokerQueries.ChannelView> channels, String columns) {
        Map<String, Function<BrokerQueries.ChannelView, Object>> all = new LinkedHashMap<>();
        all.put("connection", ch -> ch.connection().name());
        all.put("number", BrokerQueries.ChannelView::number);
        all.put("user", ch -> ch.connection().user());
        all.put("vhost", ch -> ch.connection().vhost());
        all.put("node", ch -> ch.connection().node());
        all.put("consumer_count", BrokerQueries.ChannelView::consumers);
        all.put("messages_unacknowledged", BrokerQueries.ChannelView::unacknowledged);
        all.put("prefetch_count", BrokerQueries.ChannelView::prefetch);
        all.put("global_prefetch_count", BrokerQueries.ChannelView::globalPrefetch);
        all.put("transactional", BrokerQueries.ChannelView::transactional);
        return render(channels, all, columns, List.copyOf(all.keySet()));
    }

    static String consumers(List<BrokerQueries.ConsumerView> consumers, String vhost, String columns) {
        Map<String, Function<BrokerQueries.ConsumerView, Object>> all = new LinkedHashMap<>();
        all.put("queue_name", BrokerQueries.ConsumerView::queue);
        all.put("channel_pid", c -> c.channel().connection().name() + " (" + c.channel().number() + ")");
        all.put("consumer_tag", BrokerQueries.ConsumerView::tag);
        all.put("ack_required", BrokerQueries.ConsumerView::ackRequired);
        all.put("prefetch_count", BrokerQueries.ConsumerView::prefetch);
        all.put("exclusive", BrokerQueries.ConsumerView::exclusive);
        all.put("arguments", c -> arguments(c.arguments()));
        return render(consumers.stream().filter(c -> c.vhost().equals(vhost)).toList(), all, columns,
                List.copyOf(all.keySet()));
    }

    static String bindings(List<BrokerQueries.BindingView> bindings, String columns) {
        Map<String, Function<BrokerQueries.BindingView, Object>> all = new LinkedHashMap<>();
        all.put("source_name", BrokerQueries.BindingView::source);
        all.put("source_kind", b -> "exchange");
        all.put("destination_name", BrokerQueries.BindingView::destination);
        all.put("destination_kind", BrokerQueries.BindingView::destinationKind);
        all.put("routing_key", BrokerQueries.BindingView::routingKey);
        all.put("arguments", b -> arguments(b.arguments()));
        return render(bindings, all, columns, BINDING_DEFAULT);
    }

    static String exchanges(List<BrokerQueries.ExchangeView> exchanges, String columns) {
        Map<String, Function<BrokerQueries.ExchangeView, Object>> all = new LinkedHashMap<>();
        all.put("name", BrokerQueries.ExchangeView::name);
        all.put("type", BrokerQueries.ExchangeView::type);
        all.put("durable", BrokerQueries.ExchangeView::durable);
        all.put("auto_delete", BrokerQueries.ExchangeView::autoDelete);
        all.put("internal", BrokerQueries.ExchangeView::internal);
        return render(exchanges, all, columns, List.copyOf(all.keySet()));
    }

    static String connections(List<BrokerQueries.ConnectionView> connections, String columns) {
        Map<String, Function<BrokerQueries.ConnectionView, Object>> all = new LinkedHashMap<>();
        all.put("name", BrokerQueries.ConnectionView::name);
        all.put("user", BrokerQueries.ConnectionView::user);
        all.put("vhost", BrokerQueries.ConnectionView::vhost);
        all.put("node", BrokerQueries.ConnectionView::node);
        all.put("channels", BrokerQueries.ConnectionView::channels);
        return render(connections, all, columns, List.copyOf(all.keySet()));
    }

    static String users(List<UserRecord> users, String columns) {
        Map<String, Function<UserRecord, Object>> all = new LinkedHashMap<>();
        all.put("user", UserRecord::name);
        all.put("tags", u -> "[" + String.join(", ", u.tags()) + "]");
        return render(users, all, columns, List.copyOf(all.keySet()));
    }

    /** Every node the Raft configuration or the log knows: membership, leadership, epoch, state. */
    static String cluster(io.warren.raft.ratis.GroupView view, List<BrokerQueries.NodeView> nodes) {
        java.util.TreeSet<String> names = new java.util.TreeSet<>(view.members());
        nodes.forEach(n -> names.add(n.node()));
        StringBuilder out = new StringBuilder("node\tmember\tleader\tepoch\tstate\n");
        for (String name : names) {
            var record = nodes.stream().filter(n -> n.node().equals(name)).findFirst();
            String state = record.isEmpty() ? "not_registered" : record.get().down() ? "down" : "running";
            out.append(name).append('\t').append(view.members().contains(name)).append('\t')
                    .append(name.equals(view.leader())).append('\t').append(record.map(r -> r.epoch()).orElse(0L))
                    .append('\t').append(state).append('\n');
        }
        return out.toString();
    }

    static String vhosts(List<String> vhosts, String columns) {
        Map<String, Function<String, Object>> all = new LinkedHashMap<>();
        all.put("name", v -> v);
        return render(vhosts, all, columns, List.copyOf(all.keySet()));
    }

    /** As rabbitmqctl list_policies prints them. */
    static String policies(List<io.warren.proto.SetPolicy> policies, String columns) {
        Map<String, Function<io.warren.proto.SetPolicy, Object>> all = new LinkedHashMap<>();
        all.put("vhost", io.warren.proto.SetPolicy::getVhost);
        all.put("name", io.warren.proto.SetPolicy::getName);
        all.put("pattern", io.warren.proto.SetPolicy::getPattern);
        all.put("apply-to", io.warren.proto.SetPolicy::getApplyTo);
        all.put("definition", policy -> PolicyDefinitionJson.print(policy.getDefinition()));
        all.put("priority", io.warren.proto.SetPolicy::getPriority);
        return render(policies, all, columns, List.copyOf(all.keySet()));
    }

    static String permissions(List<Permission> permissions, String vhost, String columns) {
        Map<String, Function<Permission, Object>> all = new LinkedHashMap<>();
        all.put("user", Permission::user);
        all.put("configure", Permission::configure);
        all.put("write", Permission::write);
        all.put("read", Permission::read);
        return render(permissions.stream().filter(p -> p.vhost().equals(vhost)).toList(), all, columns,
                List.copyOf(all.keySet()));
    }

    /** rabbitmqctl list_topic_permissions (first column user) and list_user_topic_permissions (vhost). */
    static String topicPermissions(List<TopicPermission> permissions, Predicate<TopicPermission> shown,
            String firstColumn, String columns) {
        Map<String, Function<TopicPermission, Object>> all = new LinkedHashMap<>();
        all.put(firstColumn, firstColumn.equals("user") ? TopicPermission::user : TopicPermission::vhost);
        all.put("exchange", TopicPermission::exchange);
        all.put("write", TopicPermission::write);
        all.put("read", TopicPermission::read);
        return render(permissions.stream().filter(shown).toList(), all, columns, List.copyOf(all.keySet()));
    }

    private static <T> String render(List<T> rows, Map<String, Function<T, Object>> all, String columns,
            List<String> defaults) {
        List<String> chosen = columns == null || columns.isBlank() ? defaults : List.of(columns.split(","));
        for (String column : chosen) {
            if (!all.containsKey(column)) {
                throw new AdminServer.AdminError(400, "unknown column '" + column + "' (known: "
                        + String.join(", ", all.keySet()) + ")");
            }
        }
        StringBuilder out = new StringBuilder(String.join("\t", chosen)).append('\n');
        for (T row : rows) {
            List<String> cells = new ArrayList<>();
            for (String column : chosen) {
                cells.add(String.valueOf(all.get(column).apply(row)));
            }
            out.append(String.join("\t", cells)).append('\n');
        }
        return out.toString();
    }

    /** Arguments as rabbitmqctl prints them: [{key,value}, ...]. */
    static String arguments(Table table) {
        List<String> items = new ArrayList<>();
        for (var entry : table.getEntriesList()) {
            var value = ProtoTables.fromProto(entry.getValue());
            items.add("{" + entry.getKey() + "," + display(value) + "}");
        }
        return "[" + String.join(",", items) + "]";
    }

    private static String display(io.warren.amqp.codec.FieldValue value) {
        return switch (value) {
            case io.warren.amqp.codec.FieldValue.Text t -> new String(t.value().toByteArray(), java.nio.charset.StandardCharsets.UTF_8);
            case io.warren.amqp.codec.FieldValue.Void v -> "void";
            default -> value.toString().replaceAll("^[A-Za-z0-9]+\\[value=(.*)]$", "$1");
        };
    }
}
