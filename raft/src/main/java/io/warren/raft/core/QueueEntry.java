package io.warren.raft.core;

/**
 * One message in one queue: where its content is in the message store ({@code key}), its body's size
 * (what length limits and byte counts count, as RabbitMQ's) and persistence, and how often it was
 * delivered. {@code id} orders the queue (a requeued message goes back to its place); {@code deliveryCount}
 * above zero makes the next delivery carry the redelivered flag; {@code expiresAt} is the core's clock
 * past which it has expired ({@link MessageExpiry#NEVER} without a TTL); {@code priority} its priority
 * level in a queue with x-max-priority (the priority property, at most the queue's maximum), else 0. The
 * content itself (exchange, routing key, properties, body) is not held here.
 */
record QueueEntry(long id, long key, int size, boolean persistent, int deliveryCount, long expiresAt,
        int priority) {
    /** A message that never expires, of level 0. */
    QueueEntry(long id, long key, int size, boolean persistent, int deliveryCount) {
        this(id, key, size, persistent, deliveryCount, MessageExpiry.NEVER, 0);
    }

    /** A message of level 0. */
    QueueEntry(long id, long key, int size, boolean persistent, int deliveryCount, long expiresAt) {
        this(id, key, size, persistent, deliveryCount, expiresAt, 0);
    }

    QueueEntry delivered() {
        return new QueueEntry(id, key, size, persistent, deliveryCount + 1, expiresAt, priority);
    }

    boolean expires() {
        return expiresAt != MessageExpiry.NEVER;
    }
}
