package io.warren.raft.core;

/**
 * Messages counted as RabbitMQ's management statistics count them, for the whole broker or one queue:
 * publishes, confirms, unroutable returns and drops, deliveries to consumers with and without acks, gets
 * with and without acks, acks and redeliveries. Counted at apply, so every node counts the same and any
 * node answers the cluster's rates. Not in snapshots: like RabbitMQ's, they start again from zero when a
 * node starts (or loads a snapshot), and only their rates are compared between nodes. No decision reads them.
 */
final class MessageTotals {
    long publish;
    long confirm;
    long returnUnroutable;
    long dropUnroutable;
    long deliver;
    long deliverNoAck;
    long get;
    long getNoAck;
    long ack;
    long redeliver;

    void delivered(boolean noAck, boolean redelivered) {
        if (noAck) {
            deliverNoAck++;
        } else {
            deliver++;
        }
        if (redelivered) {
            redeliver++;
        }
    }

    void got(boolean noAck, boolean redelivered) {
        if (noAck) {
            getNoAck++;
        } else {
            get++;
        }
        if (redelivered) {
            redeliver++;
        }
    }

    MessageStats view() {
        return new MessageStats(publish, confirm, returnUnroutable, dropUnroutable, deliver, deliverNoAck, get,
                getNoAck, ack, redeliver);
    }
}
