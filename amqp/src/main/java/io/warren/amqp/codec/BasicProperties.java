package io.warren.amqp.codec;

/**
 * The 14 content properties of class basic; a null component is a property that is absent (its flag
 * bit is clear). Immutable. Decoded and encoded by {@link BasicPropertiesCodec}.
 *
 * @param timestamp seconds since the epoch
 */
public record BasicProperties(
        String contentType,
        String contentEncoding,
        FieldTable headers,
        Integer deliveryMode,
        Integer priority,
        String correlationId,
        String replyTo,
        String expiration,
        String messageId,
        Long timestamp,
        String type,
        String userId,
        String appId,
        String clusterId) {

    /** No property set. */
    public static final BasicProperties EMPTY =
            new BasicProperties(null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    /** delivery_mode 2: the message is to be kept on disk in a durable queue. */
    public static final int DELIVERY_MODE_PERSISTENT = 2;

    public BasicProperties {
        Arguments.shortString("contentType", contentType);
        Arguments.shortString("contentEncoding", contentEncoding);
        if (deliveryMode != null) {
            Arguments.octet("deliveryMode", deliveryMode);
        }
        if (priority != null) {
            Arguments.octet("priority", priority);
        }
        Arguments.shortString("correlationId", correlationId);
        Arguments.shortString("replyTo", replyTo);
        Arguments.shortString("expiration", expiration);
        Arguments.shortString("messageId", messageId);
        Arguments.shortString("type", type);
        Arguments.shortString("userId", userId);
        Arguments.shortString("appId", appId);
        Arguments.shortString("clusterId", clusterId);
    }

    /** True when delivery_mode is 2. */
    public boolean isPersistent() {
        return deliveryMode != null && deliveryMode == DELIVERY_MODE_PERSISTENT;
    }

    /** A copy with {@code headers} replaced. */
    public BasicProperties withHeaders(FieldTable newHeaders) {
        return new BasicProperties(contentType, contentEncoding, newHeaders, deliveryMode, priority, correlationId,
                replyTo, expiration, messageId, timestamp, type, userId, appId, clusterId);
    }

    /** A copy with expiration replaced (null: none). */
    public BasicProperties withExpiration(String newExpiration) {
        return new BasicProperties(contentType, contentEncoding, headers, deliveryMode, priority, correlationId,
                replyTo, newExpiration, messageId, timestamp, type, userId, appId, clusterId);
    }

    /** A copy with reply_to replaced. */
    public BasicProperties withReplyTo(String newReplyTo) {
        return new BasicProperties(contentType, contentEncoding, headers, deliveryMode, priority, correlationId,
                newReplyTo, expiration, messageId, timestamp, type, userId, appId, clusterId);
    }

    /** A copy with delivery_mode replaced. */
    public BasicProperties withDeliveryMode(Integer newDeliveryMode) {
        return new BasicProperties(contentType, contentEncoding, headers, newDeliveryMode, priority, correlationId,
                replyTo, expiration, messageId, timestamp, type, userId, appId, clusterId);
    }
}
