package io.warren.node.management;

import io.warren.proto.Reply;
import io.warren.proto.Table;
import io.warren.raft.core.Commands;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The management API's changes to queues, exchanges and bindings, and its basic.get: each runs as AMQP
 * methods on a channel of the logged-in user (so permissions, argument checks and their refusals are the
 * broker's own), with RabbitMQ's HTTP answers: 201 for what was created, 204 for what existed or went.
 */
final class ObjectWrites {
    /** What a handler answers when there is no body: 201 or 204. */
    enum Outcome { CREATED, NO_CONTENT }

    private final ManagementBackend backend;

    ObjectWrites(ManagementBackend backend) {
        this.backend = backend;
    }

    /** PUT /api/queues/{vhost}/{name}: durable (default true), auto_delete, arguments. */
    Outcome putQueue(String user, String vhost, String name, Map<String, Object> body) {
        boolean durable = flag(body, "durable", true);
        boolean autoDelete = flag(body, "auto_delete", false);
        Table arguments = arguments(body);
        boolean existed = backend.query(q -> q.queues(vhost).stream().anyMatch(v -> v.name().equals(name)));
        backend.asUser(user, vhost, session -> session.call(Commands.declareQueue(name, false, durable, false,
                autoDelete, arguments)));
        return existed ? Outcome.NO_CONTENT : Outcome.CREATED;
    }

    /** DELETE /api/queues/{vhost}/{name}, with if-empty and if-unused as RabbitMQ's query parameters. */
    void deleteQueue(String user, String vhost, String name, Map<String, String> query) {
        requireQueue(vhost, name);
        backend.asUser(user, vhost, session -> session.call(Commands.deleteQueue(name,
                "true".equals(query.get("if-unused")), "true".equals(query.get("if-empty")))));
    }

    /** DELETE /api/queues/{vhost}/{name}/contents: purge. */
    void purgeQueue(String user, String vhost, String name) {
        requireQueue(vhost, name);
        backend.asUser(user, vhost, session -> session.call(Commands.purge(name)));
    }

    private void requireQueue(String vhost, String name) {
        if (backend.query(q -> q.queues(vhost).stream().noneMatch(v -> v.name().equals(name)))) {
            throw ApiError.notFound();
        }
    }

    /**
     * POST /api/queues/{vhost}/{name}/get: up to {@code count} messages by basic.get; ackmode
     * {@code ack_requeue_true} / {@code reject_requeue_true} put them back (redelivered) as the channel closes,
     * {@code ack_requeue_false} acknowledges them, {@code reject_requeue_false} rejects them (dead-lettered
     * where the queue says so). Payloads as text when they are UTF-8 and encoding is auto, else base64;
     * {@code truncate} cuts them to that many bytes.
     */
    List<Map<String, Object>> get(String user, String vhost, String name, Map<String, Object> body) {
        requireQueue(vhost, name);
        long count = number(body, "count", -1);
        if (count < 1 || count > 10_000) {
            throw ApiError.badRequest("count must be a number from 1 to 10000");
        }
        Object ackmode = body.get("ackmode");
        if (!(ackmode instanceof String mode) || !List.of("ack_requeue_true", "ack_requeue_false",
                "reject_requeue_true", "reject_requeue_false").contains(mode)) {
            throw ApiError.badRequest("ackmode must be ack_requeue_true, ack_requeue_false, reject_requeue_true"
                    + " or reject_requeue_false");
        }
        Object encoding = body.getOrDefault("encoding", "auto");
        if (!"auto".equals(encoding) && !"base64".equals(encoding)) {
            throw ApiError.badRequest("encoding must be auto or base64");
        }
        long truncate = body.containsKey("truncate") ? number(body, "truncate", -1) : Long.MAX_VALUE;
        if (truncate < 0) {
            throw ApiError.badRequest("truncate must be a number of bytes");
        }
        return backend.asUser(user, vhost, session -> {
            List<Map<String, Object>> messages = new ArrayList<>();
            for (long i = 0; i < count; i++) {
                Reply reply = session.call(Commands.get(name, false));
                if (!reply.hasGotMessage()) {
                    break;
                }
                var got = reply.getGotMessage();
                messages.add(message(got, "base64".equals(encoding), truncate));
                switch (mode) {
                    case "ack_requeue_false" -> session.send(Commands.ack(got.getDeliveryTag(), false));
                    case "reject_requeue_false" -> session.send(Commands.reject(got.getDeliveryTag(), false));
                    default -> { } // requeued as the channel closes
                }
            }
            return messages;
        });
    }

    /** The aliveness test's round trip on one channel: whether the message published came back. */
    boolean aliveness(String user, String vhost) {
        String queue = "aliveness-test";
        return backend.asUser(user, vhost, session -> {
            session.call(Commands.declareQueue(queue, false, false, false));
            session.publish("", queue, Map.of(), "test_message".getBytes(StandardCharsets.UTF_8));
            return session.call(Commands.get(queue, true)).hasGotMessage();
        });
    }

    private Map<String, Object> message(io.warren.proto.GotMessage got, boolean base64, long truncate) {
        byte[] body = got.getBody().toByteArray();
        byte[] shown = body.length > truncate ? java.util.Arrays.copyOf(body, (int) truncate) : body;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("payload_bytes", body.length);
        out.put("redelivered", got.getRedelivered());
        out.put("exchange", got.getExchange());
        out.put("routing_key", got.getRoutingKey());
        out.put("message_count", got.getMessageCount());
        out.put("properties", backend.messageProperties(got.getProperties()));
        String text = base64 ? null : utf8(shown);
        out.put("payload", text != null ? text : Base64.getEncoder().encodeToString(shown));
        out.put("payload_encoding", text != null ? "string" : "base64");
        return out;
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * POST /api/exchanges/{vhost}/{name}/publish: routing_key, payload, payload_encoding (string or base64),
     * properties; answers {@code {"routed": true|false}}: whether a queue took it. Refused as the publish
     * would be (no exchange 404, internal or no write permission 401) before anything is sent; once the
     * answer comes, the message is in its queues.
     */
    Map<String, Object> publish(String user, String vhost, String exchangeInPath, Map<String, Object> body) {
        String exchange = exchangeInPath.equals("amq.default") ? "" : exchangeInPath; // RabbitMQ's URL name of ""
        Object key = body.get("routing_key");
        Object payload = body.get("payload");
        Object encoding = body.get("payload_encoding");
        Object properties = body.getOrDefault("properties", Map.of());
        if (!(key instanceof String routingKey) || !(payload instanceof String text) || !(encoding instanceof String e)
                || !(properties instanceof Map<?, ?> props)) {
            throw ApiError.badRequest("Mandatory fields missing: [routing_key, payload, payload_encoding, properties]"
                    + " (strings, and properties an object)");
        }
        byte[] bytes;
        if (e.equals("string")) {
            bytes = text.getBytes(StandardCharsets.UTF_8);
        } else if (e.equals("base64")) {
            try {
                bytes = Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException bad) {
                throw ApiError.badRequest("payload is not base64");
            }
        } else {
            throw ApiError.badRequest("payload_encoding must be string or base64");
        }
        backend.query(q -> q.publishRefusal(user, vhost, exchange, routingKey)).ifPresent(refusal -> {
            throw ManagementRefusals.asBadRequest(refusal);
        });
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) props;
        Table headers = json.get("headers") == null ? Table.getDefaultInstance() : table(json.get("headers"));
        boolean routed = backend.query(q -> q.routedQueueCount(vhost, exchange, routingKey, headers)) > 0;
        backend.asUser(user, vhost, session -> {
            session.publish(exchange, routingKey, json, bytes);
            // Applied after the publish on the same channel: its answer says the message is in its queues.
            return session.call(Commands.declareExchange(exchange.isEmpty() ? "amq.direct" : exchange, "direct",
                    true, false, false, false, Table.getDefaultInstance()));
        });
        return Map.of("routed", routed);
    }

    /**
     * PUT /api/exchanges/{vhost}/{name}: type (direct when not given, as RabbitMQ 3.10 takes it), durable
     * (default true), auto_delete, internal.
     */
    Outcome putExchange(String user, String vhost, String name, Map<String, Object> body) {
        Object type = body.getOrDefault("type", "direct");
        if (!(type instanceof String t) || t.isEmpty()) {
            throw ApiError.badRequest("type must be an exchange type");
        }
        boolean durable = flag(body, "durable", true);
        boolean autoDelete = flag(body, "auto_delete", false);
        boolean internal = flag(body, "internal", false);
        Table arguments = arguments(body);
        boolean existed = backend.query(q -> q.exchanges(vhost).stream().anyMatch(x -> x.name().equals(name)));
        backend.asUser(user, vhost, session -> session.call(Commands.declareExchange(name, t, false, durable,
                autoDelete, internal, arguments)));
        return existed ? Outcome.NO_CONTENT : Outcome.CREATED;
    }

    /** DELETE /api/exchanges/{vhost}/{name}, with if-unused. */
    void deleteExchange(String user, String vhost, String name, Map<String, String> query) {
        if (backend.query(q -> q.exchanges(vhost).stream().noneMatch(x -> x.name().equals(name)))) {
            throw ApiError.notFound();
        }
        backend.asUser(user, vhost, session -> session.call(Commands.deleteExchange(name,
                "true".equals(query.get("if-unused")))));
    }

    /**
     * POST /api/bindings/{vhost}/e/{source}/{q|e}/{destination}: routing_key, arguments; answered 201 with
     * the new binding's properties key (what its URL ends with).
     */
    String bind(String user, String vhost, String source, boolean toQueue, String destination,
            Map<String, Object> body) {
        Object key = body.getOrDefault("routing_key", "");
        if (!(key instanceof String routingKey)) {
            throw ApiError.badRequest("routing_key must be a string");
        }
        Table arguments = arguments(body);
        backend.asUser(user, vhost, session -> session.call(toQueue
                ? Commands.bind(destination, source, routingKey, arguments)
                : Commands.bindExchange(destination, source, routingKey, arguments)));
        return ApiViews.propertiesKey(new io.warren.raft.core.BrokerQueries.BindingView(vhost, source, destination,
                toQueue ? "queue" : "exchange", routingKey, arguments));
    }

    /** DELETE /api/bindings/{vhost}/e/{source}/{q|e}/{destination}/{props}: the binding with that key. */
    void unbind(String user, String vhost, String source, boolean toQueue, String destination, String props) {
        var binding = backend.query(q -> q.bindings(vhost)).stream()
                .filter(b -> b.source().equals(source) && b.destination().equals(destination)
                        && b.destinationKind().equals(toQueue ? "queue" : "exchange")
                        && ApiViews.propertiesKey(b).equals(props))
                .findFirst().orElseThrow(ApiError::notFound);
        backend.asUser(user, vhost, session -> session.call(toQueue
                ? Commands.unbind(destination, source, binding.routingKey(), binding.arguments())
                : Commands.unbindExchange(destination, source, binding.routingKey(), binding.arguments())));
    }

    private static boolean flag(Map<String, Object> body, String key, boolean fallback) {
        Object value = body.getOrDefault(key, fallback);
        if (value instanceof Boolean b) {
            return b;
        }
        if ("true".equals(value) || "false".equals(value)) {
            return Boolean.parseBoolean((String) value);
        }
        throw ApiError.badRequest(key + " must be true or false");
    }

    private static long number(Map<String, Object> body, String key, long fallback) {
        Object value = body.get(key);
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
        return fallback;
    }

    private static Table arguments(Map<String, Object> body) {
        return table(body.getOrDefault("arguments", Map.of()));
    }

    /** A JSON object as a field table; anything else is a 400. */
    private static Table table(Object json) {
        try {
            return TableJson.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }
}
