package io.warren.node.management;

import io.warren.proto.SetPolicy;
import io.warren.raft.core.BrokerQueries;
import io.warren.raft.core.Commands;
import io.warren.raft.core.TopicPermission;
import io.warren.raft.core.UserRecord;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RabbitMQ's definitions file: export ({@code GET /api/definitions}, or one vhost's queues, exchanges,
 * bindings and policies) and import ({@code POST}). An export leaves out what a broker makes itself (the
 * default and {@code amq.*} exchanges, the default exchange's bindings) and exclusive queues, as RabbitMQ
 * does. An import checks the whole file before it changes anything, then applies users, vhosts,
 * permissions, topic permissions, policies, exchanges, queues and bindings in that order; an object that is
 * already there the same way stays, one that differs stops the import with the broker's refusal (what was
 * applied before it stays applied, as in RabbitMQ).
 */
final class Definitions {
    private final ManagementBackend backend;

    Definitions(ManagementBackend backend) {
        this.backend = backend;
    }

    Map<String, Object> export(String onlyVhost) {
        return backend.query(q -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("rabbit_version", ManagementApi.RABBITMQ_VERSION);
            out.put("rabbitmq_version", ManagementApi.RABBITMQ_VERSION);
            out.put("product_name", "Warren");
            out.put("product_version", ManagementApi.VERSION);
            List<String> vhosts = onlyVhost == null ? q.vhosts().stream().sorted().toList() : List.of(onlyVhost);
            if (onlyVhost == null) {
                out.put("users", q.users().stream().sorted(java.util.Comparator.comparing(UserRecord::name))
                        .map(ApiViews::user).toList());
                out.put("vhosts", vhosts.stream().map(v -> Map.of("name", v)).toList());
                out.put("permissions", q.permissions().stream().map(ApiViews::permission).toList());
                out.put("topic_permissions", q.topicPermissions().stream().map(Definitions::topicPermission)
                        .toList());
            }
            List<Object> policies = new ArrayList<>();
            List<Object> queues = new ArrayList<>();
            List<Object> exchanges = new ArrayList<>();
            List<Object> bindings = new ArrayList<>();
            for (String v : vhosts) {
                q.policies(v, false).forEach(p -> policies.add(ApiViews.policy(p)));
                for (BrokerQueries.QueueView queue : q.queues(v)) {
                    if (!queue.exclusive()) {
                        Map<String, Object> item = new LinkedHashMap<>();
                        item.put("name", queue.name());
                        item.put("vhost", v);
                        item.put("durable", queue.durable());
                        item.put("auto_delete", queue.autoDelete());
                        item.put("arguments", TableJson.toJson(queue.arguments()));
                        queues.add(item);
                    }
                }
                for (BrokerQueries.ExchangeView x : q.exchanges(v)) {
                    if (!x.name().isEmpty() && !x.name().startsWith("amq.")) {
                        Map<String, Object> item = new LinkedHashMap<>();
                        item.put("name", x.name());
                        item.put("vhost", v);
                        item.put("type", x.type());
                        item.put("durable", x.durable());
                        item.put("auto_delete", x.autoDelete());
                        item.put("internal", x.internal());
                        item.put("arguments", Map.of());
                        exchanges.add(item);
                    }
                }
                for (BrokerQueries.BindingView b : q.bindings(v)) {
                    if (!b.source().isEmpty()) {
                        Map<String, Object> item = ApiViews.binding(b);
                        item.remove("properties_key");
                        bindings.add(item);
                    }
                }
            }
            out.put("parameters", List.of());
            out.put("global_parameters", List.of());
            out.put("policies", policies);
            out.put("queues", queues);
            out.put("exchanges", exchanges);
            out.put("bindings", bindings);
            return out;
        });
    }

    private static Map<String, Object> topicPermission(TopicPermission p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user", p.user());
        out.put("vhost", p.vhost());
        out.put("exchange", p.exchange());
        out.put("write", p.write());
        out.put("read", p.read());
        return out;
    }

    /** POST /api/definitions[/{vhost}]: {@code intoVhost} puts every object of the file in that vhost. */
    void importAll(String user, Map<String, Object> file, String intoVhost) {
        List<Map<String, Object>> users = items(file, "users");
        List<Map<String, Object>> vhosts = items(file, "vhosts");
        List<Map<String, Object>> permissions = items(file, "permissions");
        List<Map<String, Object>> topicPermissions = items(file, "topic_permissions");
        List<Map<String, Object>> policies = items(file, "policies");
        List<Map<String, Object>> exchanges = items(file, "exchanges");
        List<Map<String, Object>> queues = items(file, "queues");
        List<Map<String, Object>> bindings = items(file, "bindings");
        if (intoVhost != null && !(users.isEmpty() && vhosts.isEmpty() && permissions.isEmpty()
                && topicPermissions.isEmpty())) {
            throw ApiError.badRequest("a vhost's definitions hold no users, vhosts or permissions");
        }
        // Every field checked before anything is applied.
        for (Map<String, Object> u : users) {
            text(u, "name");
            if (!(u.get("password_hash") instanceof String) && !(u.get("password") instanceof String)) {
                throw ApiError.badRequest("user '" + u.get("name") + "': password_hash or password is required");
            }
        }
        vhosts.forEach(v -> text(v, "name"));
        permissions.forEach(p -> List.of("user", "vhost", "configure", "write", "read").forEach(k -> text(p, k)));
        topicPermissions.forEach(p -> List.of("user", "vhost", "exchange", "write", "read").forEach(k -> text(p, k)));
        policies.forEach(p -> List.of("name", "pattern").forEach(k -> text(p, k)));
        exchanges.forEach(x -> List.of("name", "type").forEach(k -> text(x, k)));
        queues.forEach(qu -> text(qu, "name"));
        bindings.forEach(b -> List.of("source", "destination", "destination_type").forEach(k -> text(b, k)));
        for (Map<String, Object> u : users) {
            String name = text(u, "name");
            com.google.protobuf.ByteString hash = u.get("password_hash") instanceof String h && !h.isEmpty()
                    ? decodeHash(name, h) : backend.hashPassword(String.valueOf(u.getOrDefault("password", "")));
            List<String> tags = tags(u.get("tags"));
            if (backend.query(q -> q.user(name)).isEmpty()) {
                backend.write(Commands.addUser(name, hash));
            } else {
                backend.write(Commands.changePassword(name, hash));
            }
            backend.write(Commands.setUserTags(name, tags));
        }
        for (Map<String, Object> v : vhosts) {
            String name = text(v, "name");
            boolean existed = backend.query(q -> q.vhostExists(name));
            backend.write(Commands.putVhost(name));
            if (!existed && !user.equals(ManagementApi.NODE_USER)) {
                // The file's objects are declared as the importing user, who needs rights in the new vhost
                // (warrenctl's import acts as the node and needs none).
                backend.write(Commands.setPermissions(user, name, ".*", ".*", ".*"));
            }
        }
        for (Map<String, Object> p : permissions) {
            backend.write(Commands.setPermissions(text(p, "user"), text(p, "vhost"), text(p, "configure"),
                    text(p, "write"), text(p, "read")));
        }
        for (Map<String, Object> p : topicPermissions) {
            backend.write(Commands.setTopicPermissions(text(p, "user"), text(p, "vhost"), text(p, "exchange"),
                    text(p, "write"), text(p, "read")));
        }
        for (Map<String, Object> p : policies) {
            String vhost = vhostOf(p, intoVhost);
            Object priority = p.getOrDefault("priority", 0L);
            if (!(priority instanceof Long number)) {
                throw ApiError.badRequest("policy '" + p.get("name") + "': priority must be a whole number");
            }
            backend.write(Commands.setPolicy(vhost, text(p, "name"), text(p, "pattern"),
                    String.valueOf(p.getOrDefault("apply-to", "all")), number.intValue(),
                    TableJson.fromJson(p.getOrDefault("definition", Map.of())), false));
        }
        ObjectWrites objects = new ObjectWrites(backend);
        for (Map<String, Object> x : exchanges) {
            objects.putExchange(user, vhostOf(x, intoVhost), text(x, "name"), x);
        }
        for (Map<String, Object> qu : queues) {
            objects.putQueue(user, vhostOf(qu, intoVhost), text(qu, "name"), qu);
        }
        for (Map<String, Object> b : bindings) {
            String type = text(b, "destination_type");
            if (!type.equals("queue") && !type.equals("exchange")) {
                throw ApiError.badRequest("binding destination_type must be queue or exchange, not '" + type + "'");
            }
            objects.bind(user, vhostOf(b, intoVhost), text(b, "source"), type.equals("queue"), text(b, "destination"),
                    b);
        }
    }

    private static String vhostOf(Map<String, Object> item, String intoVhost) {
        if (intoVhost != null) {
            return intoVhost;
        }
        Object vhost = item.get("vhost");
        if (!(vhost instanceof String v)) {
            throw ApiError.badRequest("'" + item.get("name") + "' names no vhost");
        }
        return v;
    }

    static com.google.protobuf.ByteString decodeHash(String user, String hash) {
        try {
            return com.google.protobuf.ByteString.copyFrom(Base64.getDecoder().decode(hash));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("user '" + user + "': password_hash is not base64");
        }
    }

    static List<String> tags(Object json) {
        if (json == null) {
            return List.of();
        }
        if (json instanceof String s) {
            return java.util.Arrays.stream(s.split("[ ,]+")).filter(t -> !t.isEmpty()).toList();
        }
        if (json instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
            return list.stream().map(String.class::cast).toList();
        }
        throw ApiError.badRequest("tags must be a string or a list of strings");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> items(Map<String, Object> file, String key) {
        Object value = file.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list) || !list.stream().allMatch(Map.class::isInstance)) {
            throw ApiError.badRequest("'" + key + "' must be a list of objects");
        }
        return (List<Map<String, Object>>) value;
    }

    private static String text(Map<String, Object> item, String key) {
        Object value = item.get(key);
        if (!(value instanceof String s)) {
            throw ApiError.badRequest("Mandatory fields missing: [" + key + "] in " + Json.write(item));
        }
        return s;
    }

    /** PUT /api/policies/{vhost}/{name}: pattern, definition (required), apply-to, priority. */
    void putPolicy(String vhost, String name, Map<String, Object> body) {
        String pattern = text(body, "pattern");
        if (!(body.get("definition") instanceof Map<?, ?> definition)) {
            throw ApiError.badRequest("Mandatory fields missing: [definition]");
        }
        Object priority = body.getOrDefault("priority", 0L);
        if (!(priority instanceof Long number)) {
            throw ApiError.badRequest("priority must be a whole number");
        }
        backend.write(Commands.setPolicy(vhost, name, pattern, String.valueOf(body.getOrDefault("apply-to", "all")),
                number.intValue(), TableJson.fromJson(definition), false));
    }

    boolean policyExists(String vhost, String name) {
        return backend.query(q -> q.policies(vhost, false)).stream().map(SetPolicy::getName)
                .anyMatch(name::equals);
    }
}
