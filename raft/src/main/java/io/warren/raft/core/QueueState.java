package io.warren.raft.core;

import io.warren.proto.Table;
import java.util.ArrayList;
import java.util.List;

/**
 * One queue: its ready messages in order, how many are out unacknowledged, and its consumers in the
 * order they subscribed (served round-robin). A queue refers to no other queue, so queues can later move
 * to Raft groups of their own (DESIGN, "Growing past one Raft group").
 */
final class QueueState {
    final String vhost;
    final String name;
    /** Tells this queue from an earlier queue of the same name: unacked messages of a deleted queue are dropped. */
    final long incarnation;
    final boolean durable;
    /** The connection that owns an exclusive queue; null for a shared queue. */
    final ConnectionKey exclusiveOwner;
    final boolean autoDelete;
    final Table arguments;
    /** The node whose restart deletes this queue when it is not durable, and its transient messages. */
    final String homeNode;

    /**
     * Ready messages by priority level (its x-max-priority; one level without it), then id: a requeued
     * message goes back to its original place, as in RabbitMQ.
     */
    final ReadyMessages ready;
    final List<ConsumerState> consumers = new ArrayList<>();
    /*
     * The settings below are its arguments with its policy's and operator policy's (see Policies): set by
     * configure, again whenever a policy of its vhost changes.
     */
    /** Its x-max-length, x-max-length-bytes and x-overflow. */
    QueueLimits limits;
    /** Its x-message-ttl in ms, or -1. */
    long messageTtl;
    /** Declared with x-queue-type quorum: where RabbitMQ's two types differ, it behaves as a quorum queue. */
    final boolean quorum;
    /**
     * Its x-delivery-limit, or {@link #NO_DELIVERY_LIMIT}: a message that came back more often than this is
     * dropped. A quorum queue's only; RabbitMQ 3.10 has no default, and ignores a value that is not an integer.
     */
    long deliveryLimit;
    static final long NO_DELIVERY_LIMIT = Long.MAX_VALUE;
    /**
     * Its x-consumer-timeout in ms (RabbitMQ 3.12's; 3.10 ignores it), or -1 for the node's consumer_timeout: a
     * delivery from it unacknowledged for longer closes its channel. A value that is not a positive integer is
     * ignored, as 3.10 ignores the argument.
     */
    final long consumerTimeoutMs;
    /**
     * Its x-single-active-consumer: only its first consumer (in the order they subscribed) gets messages, and
     * the next takes over when it goes.
     */
    final boolean singleActiveConsumer;
    /** Its x-dead-letter-exchange, or null: where its messages go when they die (rejected, expired...). */
    String deadLetterExchange;
    /** Its x-dead-letter-routing-key, or null: the dead-lettered copy's key instead of the message's own. */
    String deadLetterRoutingKey;
    /**
     * x-dead-letter-strategy at-least-once on a quorum queue with x-overflow reject-publish (without that
     * RabbitMQ 3.10 falls back to at-most-once): a dead letter that finds no queue is kept and tried again.
     */
    boolean deadLetterAtLeastOnce;
    /** Its x-expires in ms, or -1: unused for longer than this, it is deleted. */
    long expiresAfterMs;
    /** The core's clock when it was last used: declared, redeclared, read by basic.get, or left by its last consumer. */
    long lastUsedMs;
    /** A quorum reject-publish queue past its limit refuses publishes until back at its soft limit. */
    boolean rejectingPublishes;
    long nextMessageId = 1;
    int unackedCount;
    /** Its message counts for the management statistics (not in snapshots, see MessageTotals). */
    final MessageTotals totals = new MessageTotals();
    int nextConsumerIndex;
    /** The highest x-priority among its consumers: one with credit at it needs no further search. */
    long topConsumerPriority;
    /** An auto-delete queue is deleted when its last consumer goes, but only once it has had one. */
    boolean hadConsumers;
    boolean deleted;

    QueueState(String vhost, String name, long incarnation, boolean durable, ConnectionKey exclusiveOwner,
            boolean autoDelete, Table arguments, String homeNode) {
        this.vhost = vhost;
        this.name = name;
        this.incarnation = incarnation;
        this.durable = durable;
        this.exclusiveOwner = exclusiveOwner;
        this.autoDelete = autoDelete;
        this.arguments = arguments;
        this.homeNode = homeNode;
        this.quorum = QueueLimits.isQuorum(arguments);
        this.ready = new ReadyMessages((int) Arguments.integerOr(arguments, "x-max-priority", 0));
        io.warren.proto.Value singleActive = Tables.get(arguments, "x-single-active-consumer");
        this.singleActiveConsumer = singleActive != null && singleActive.getBoolean();
        io.warren.proto.Value timeout = Tables.get(arguments, "x-consumer-timeout");
        this.consumerTimeoutMs = timeout != null && Tables.typeClass(timeout) == Tables.TypeClass.INTEGER
                && Tables.integer(timeout) > 0 ? Tables.integer(timeout) : -1;
        configure(arguments, null, null);
    }

    /** The policy applied (its name, or null) and the operator policy applied. */
    String policy;
    String operatorPolicy;
    /**
     * Takes its settings from {@code effective}: its arguments amended by the policy and operator policy named
     * (null: none), see {@link Policies#effectiveArguments}.
     */
    void configure(Table effective, String policy, String operatorPolicy) {
        this.policy = policy;
        this.operatorPolicy = operatorPolicy;
        this.limits = QueueLimits.of(effective);
        this.messageTtl = Arguments.integerOr(effective, "x-message-ttl", -1);
        this.expiresAfterMs = Arguments.integerOr(effective, "x-expires", -1);
        io.warren.proto.Value limit = Tables.get(effective, "x-delivery-limit");
        this.deadLetterExchange = textOrNull(effective, "x-dead-letter-exchange");
        this.deadLetterRoutingKey = deadLetterExchange == null ? null
                : textOrNull(effective, "x-dead-letter-routing-key");
        this.deadLetterAtLeastOnce = quorum && deadLetterExchange != null
                && "at-least-once".equals(textOrNull(effective, "x-dead-letter-strategy"))
                && "reject-publish".equals(textOrNull(effective, "x-overflow"));
        this.deliveryLimit = quorum && limit != null && Tables.typeClass(limit) == Tables.TypeClass.INTEGER
                ? Tables.integer(limit) : NO_DELIVERY_LIMIT;
    }

    /** Whether what dies here goes to a dead-letter exchange (a deleted queue's unacked messages do not). */
    boolean deadLetters() {
        return deadLetterExchange != null && !deleted;
    }

    private static String textOrNull(Table arguments, String key) {
        io.warren.proto.Value value = Tables.get(arguments, key);
        return value == null ? null : Tables.text(value);
    }

    /**
     * The x-delivery-count header for a basic.get of {@code entry}: on a quorum queue how often it came back (0
     * the first time, as RabbitMQ's), on a classic queue -1, no header.
     */
    int deliveryCountHeader(QueueEntry entry) {
        return quorum ? entry.deliveryCount() : -1;
    }

    /**
     * The same for a delivery to a consumer: RabbitMQ 3.10 adds none to a consumer's first delivery of a
     * message, only once it came back (probed with pika: consume gives no header, get gives 0).
     */
    int consumerDeliveryCountHeader(QueueEntry entry) {
        return quorum && entry.deliveryCount() > 0 ? entry.deliveryCount() : -1;
    }

    /** Whether a delivery coming back (its count includes this delivery) is past the delivery limit. */
    boolean pastDeliveryLimit(QueueEntry delivered) {
        return deliveryLimit != NO_DELIVERY_LIMIT && delivered.deliveryCount() > deliveryLimit;
    }

    /** When this queue expires unless used again: {@link MessageExpiry#NEVER} without x-expires or while consumed. */
    long expiresAtMs() {
        return expiresAfterMs < 0 || !consumers.isEmpty() ? MessageExpiry.NEVER : lastUsedMs + expiresAfterMs;
    }

    /** Whether a reject-publish queue takes a message of {@code bodyBytes} now; any other queue always does. */
    boolean accepts(long bodyBytes) {
        if (!limits.limited() || !limits.rejectsPublishes()) {
            return true;
        }
        return limits.quorum() ? !rejectingPublishes : !limits.wouldExceed(ready, bodyBytes);
    }

    /**
     * A message published at {@code clockMs} with its own TTL ({@code messageTtl}, -1 for none) and priority
     * property (0 for none), kept at the highest level this queue has when above it, as RabbitMQ keeps it.
     */
    void enqueue(long key, int bodyBytes, boolean persistent, long clockMs, long messageTtl, int priority) {
        long id = nextMessageId++;
        ready.append(new QueueEntry(id, key, bodyBytes, persistent, 0,
                MessageExpiry.expiresAt(clockMs, this.messageTtl, messageTtl),
                Math.min(priority, ready.maxPriority())));
    }

    /** After consumers came or went. */
    void refreshTopConsumerPriority() {
        topConsumerPriority = consumers.stream().mapToLong(consumer -> consumer.priority).max().orElse(0);
    }

    boolean hasExclusiveConsumer() {
        return consumers.stream().anyMatch(consumer -> consumer.exclusive);
    }

    String describe() {
        return describe(vhost, name);
    }

    /** How RabbitMQ's texts name a queue, also one not declared yet. */
    static String describe(String vhost, String name) {
        return "queue '" + name + "' in vhost '" + vhost + "'";
    }
}
