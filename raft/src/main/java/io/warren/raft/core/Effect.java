package io.warren.raft.core;

import io.warren.proto.ChannelRef;
import io.warren.proto.Refusal;
import io.warren.proto.Reply;

/**
 * What applying a command asks the world to do, addressed to the node and epoch that must do it
 * (DESIGN invariant 4). Every node computes the same effects; each performs only its own. Effects may
 * be lost in a crash, so nothing in the core depends on one being performed.
 */
public sealed interface Effect {

    /** The node (and epoch) that performs this effect. */
    String node();

    long epoch();

    /** An effect addressed to every node ({@value Discard#EVERY_NODE}, epoch 0); each decides whether it acts. */
    sealed interface ToEveryNode extends Effect {
        @Override
        default String node() {
            return Discard.EVERY_NODE;
        }

        @Override
        default long epoch() {
            return 0;
        }
    }

    /** An effect on one channel, performed by the node and epoch that hold the channel. */
    sealed interface ToChannel extends Effect {
        ChannelRef channel();

        @Override
        default String node() {
            return channel().getConnection().getNode();
        }

        @Override
        default long epoch() {
            return channel().getConnection().getEpoch();
        }
    }

    /**
     * This node's epoch is over (declared down, or a batch of it arrived after that): the node must close
     * its client connections and register a new epoch before it serves again.
     */
    record EpochEnded(String node, long epoch) implements Effect {}

    /**
     * An operator closed this client connection (the management API): its node closes the client with 320
     * CONNECTION_FORCED and {@code reason}; the core has already let go of the connection.
     */
    record ForceCloseConnection(io.warren.proto.ConnectionRef connection, String reason) implements Effect {
        @Override
        public String node() {
            return connection.getNode();
        }

        @Override
        public long epoch() {
            return connection.getEpoch();
        }
    }

    /** The answer to a command that waits for one, addressed to the request id its node gave it. */
    record Answer(String node, long epoch, long request, Reply reply) implements Effect {}

    /**
     * basic.deliver to a consumer; the node reads the message from its store under {@code messageKey}. A
     * {@code deliveryCount} of 0 or more (how often a quorum queue's message came back) goes into the
     * delivered message's {@code x-delivery-count} header, as RabbitMQ's quorum queues add it; -1 adds none.
     */
    record Deliver(ChannelRef channel, String consumerTag, long deliveryTag, boolean redelivered,
            long messageKey, int deliveryCount) implements ToChannel {}

    /** A publisher confirm: basic.ack (or basic.nack) for one publish sequence number. */
    record Confirm(ChannelRef channel, long sequence, boolean ack) implements ToChannel {}

    /** basic.return of an unroutable mandatory message. */
    record Return(ChannelRef channel, int replyCode, String replyText, long messageKey) implements ToChannel {}

    /**
     * No queue holds this stored message any more: every node may reclaim its copy, once the effects of
     * the same entry (a delivery of it, say) are performed.
     */
    record Discard(long key) implements ToEveryNode {
        /** The address of an effect for every node: the state machine of each performs it for itself. */
        public static final String EVERY_NODE = "*";
    }

    /**
     * The cluster's resource alarms changed (or a node registered and must learn them): while the list
     * is not empty every node blocks its publishing connections. Performed by every node.
     */
    record Alarms(java.util.List<String> active) implements ToEveryNode {}

    /**
     * A message died in {@code queue} (of {@code vhost}) for {@code reason} (rejected, expired, maxlen,
     * delivery_limit), and its queue has the dead-letter exchange {@code exchange} (and the dead-letter routing
     * key {@code deadLetterRoutingKey}, or null). Addressed to every node, performed by the one that leads: it
     * reads the message under {@code messageKey}, writes the dead-lettered copy (x-death, as RabbitMQ does, with
     * the time {@code diedAtMs}) and submits it in a DeadLetter command for pending dead letter {@code id}. Lost
     * with a leader change, it is made again once its deadline passes.
     */
    record DeadLetter(long id, String vhost, String queue, long messageKey, String reason, String exchange,
            String deadLetterRoutingKey, long diedAtMs) implements ToEveryNode {}

    /** A server-sent basic.cancel: the consumer's queue was deleted. */
    record CancelConsumer(ChannelRef channel, String consumerTag) implements ToChannel {}

    /**
     * An error for a command nobody waited on (a publish, an ack): closes the channel, or the whole
     * connection when the code says so.
     */
    record CloseChannel(ChannelRef channel, Refusal refusal) implements ToChannel {}
}
