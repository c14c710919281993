package io.warren.raft.core;

import io.warren.proto.ChannelRef;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One AMQP channel as the core sees it: its delivery-tag counter, unacknowledged deliveries in tag order,
 * consumers by tag and prefetch settings. Made by the first command on the channel, ended by
 * CloseChannel, CloseConnection or the node's next epoch.
 */
final class ChannelState {
    final ChannelRef ref;
    final ChannelKey key;
    final ConnectionState connection;
    /** Deliveries not yet acknowledged, by delivery tag, ascending. */
    final LinkedHashMap<Long, Unacked> unacked = new LinkedHashMap<>();
    final Map<String, ConsumerState> consumers = new LinkedHashMap<>();
    long nextDeliveryTag = 1;
    /** basic.qos global=false: the prefetch each consumer started from now on gets. */
    int consumerPrefetch;
    /** basic.qos global=true: the limit on all consumers of this channel together; 0 is unlimited. */
    int globalPrefetch;
    /** Unacked deliveries made to this channel's consumers (basic.get ones excluded). */
    int consumerUnacked;
    /** The channel refused a command and is closing: later commands on it are ignored, as RabbitMQ does. */
    boolean failed;
    /** Its direct reply-to consumer's tag and the secret of its reply address (DirectReplyTo); null: none. */
    String replyConsumerTag;
    String replyKey;
    /** Its transaction once it stages or ends one (tx.select); null before. */
    Transaction tx;

    ChannelState(ChannelRef ref, ConnectionState connection) {
        this.ref = ref;
        this.key = ChannelKey.of(ref);
        this.connection = connection;
    }

    Transaction transaction() {
        if (tx == null) {
            tx = new Transaction();
        }
        return tx;
    }

    /** Whether a staged settle of its transaction names this delivery tag. */
    boolean settling(long tag) {
        return tx != null && tx.settling.contains(tag);
    }

    /**
     * An unacknowledged delivery. {@code consumer} is null for basic.get; {@code deliveredAtMs} is the core's
     * clock when it went out, which the consumer timeout counts from.
     */
    record Unacked(long deliveryTag, QueueState queue, QueueEntry entry, ConsumerState consumer, long deliveredAtMs) {}
}
