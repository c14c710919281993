package io.warren.raft.core;

/**
 * One message in one queue. {@code id} orders the queue (a requeued message goes back to its place);
 * {@code deliveryCount} above zero makes the next delivery carry the redelivered flag.
 */
record QueueEntry(long id, MessageContent content, int deliveryCount) {
    QueueEntry delivered() {
        return new QueueEntry(id, content, deliveryCount + 1);
    }
}
