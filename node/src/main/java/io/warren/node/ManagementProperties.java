package io.warren.node;

import io.warren.amqp.codec.BasicProperties;
import io.warren.node.management.ApiError;
import io.warren.node.management.TableJson;
import java.util.LinkedHashMap;
import java.util.Map;

/** A message's basic properties as RabbitMQ's management API writes and reads them (snake_case names). */
final class ManagementProperties {
    private ManagementProperties() {}

    static Map<String, Object> toJson(BasicProperties p) {
        Map<String, Object> out = new LinkedHashMap<>();
        put(out, "content_type", p.contentType());
        put(out, "content_encoding", p.contentEncoding());
        put(out, "priority", p.priority());
        put(out, "correlation_id", p.correlationId());
        put(out, "reply_to", p.replyTo());
        put(out, "expiration", p.expiration());
        put(out, "message_id", p.messageId());
        put(out, "timestamp", p.timestamp());
        put(out, "type", p.type());
        put(out, "user_id", p.userId());
        put(out, "app_id", p.appId());
        put(out, "cluster_id", p.clusterId());
        put(out, "delivery_mode", p.deliveryMode());
        if (p.headers() != null && !p.headers().isEmpty()) {
            out.put("headers", TableJson.toJson(ProtoTables.toProto(p.headers())));
        }
        return out;
    }

    private static void put(Map<String, Object> out, String key, Object value) {
        if (value != null) {
            out.put(key, value);
        }
    }

    /** @throws ApiError 400 for an unknown property or one of the wrong kind */
    static BasicProperties fromJson(Map<String, Object> json) {
        for (String key : json.keySet()) {
            if (!java.util.List.of("content_type", "content_encoding", "headers", "delivery_mode", "priority",
                    "correlation_id", "reply_to", "expiration", "message_id", "timestamp", "type", "user_id", "app_id",
                    "cluster_id").contains(key)) {
                throw new ApiError(400, "bad_request", "unknown message property '" + key + "'");
            }
        }
        Object headers = json.get("headers");
        return new BasicProperties(text(json, "content_type"), text(json, "content_encoding"),
                headers == null ? null : ProtoTables.fromProto(tableOf(headers)),
                integer(json, "delivery_mode", 1, 2), integer(json, "priority", 0, 255), text(json, "correlation_id"),
                text(json, "reply_to"), text(json, "expiration"), text(json, "message_id"),
                timestamp(json),
                text(json, "type"), text(json, "user_id"), text(json, "app_id"), text(json, "cluster_id"));
    }

    private static io.warren.proto.Table tableOf(Object headers) {
        try {
            return TableJson.fromJson(headers);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "bad_request", "headers: " + e.getMessage());
        }
    }

    private static String text(Map<String, Object> json, String key) {
        Object value = json.get(key);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw new ApiError(400, "bad_request", "message property " + key + " must be a string");
    }

    private static Long timestamp(Map<String, Object> json) {
        Object value = json.get("timestamp");
        if (value == null || (value instanceof Long l && l >= 0)) {
            return (Long) value;
        }
        throw new ApiError(400, "bad_request", "message property timestamp must be seconds since 1970");
    }

    private static Integer integer(Map<String, Object> json, String key, long min, long max) {
        Object value = json.get(key);
        if (value == null) {
            return null;
        }
        if (value instanceof Long l && l >= min && l <= max) {
            return l.intValue();
        }
        throw new ApiError(400, "bad_request", "message property " + key + " must be a number from " + min + " to "
                + max);
    }
}
