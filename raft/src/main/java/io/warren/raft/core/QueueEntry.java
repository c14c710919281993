package io.warren.raft.core;

/**
 * One message in one queue: where its content is in the message store ({@code key}), its body's size
 * (what length limits and byte counts count, as RabbitMQ's) and persistence, and how often it was
 * delivered. {@code id} orders the queue (a requeued message goes back to its place); {@code deliveryCount}
 * above zero makes the next delivery carry the redelivered flag; {@code expiresAt} is the core's clock
 * past which it has expired ({@link MessageExpiry#NEVER} without a TTL). The content itself (exchange,
 * routing key, properties, body) is not held here.
 */
record QueueEntry(long id, long key, int size, boolean persistent, int deliveryCount, long expiresAt) {
    /** A message that never expires. */
    QueueEntry(long id, long key, int size, boolean persistent, int deliveryCount) {
        this(id, key, size, persistent, deliveryCount, MessageExpiry.NEVER);
    }

    QueueEntry delivered() {
        return new QueueEntry(id, key, size, persistent, deliveryCount + 1, expiresAt);
    }

    boolean expires() {
        return expiresAt != MessageExpiry.NEVER;
    }
}
