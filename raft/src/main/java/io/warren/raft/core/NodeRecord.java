package io.warren.raft.core;

/**
 * A node process as the log knows it: its current epoch (one per process start) and the last batch
 * sequence applied from that epoch, so a resent batch is applied once (DESIGN invariant 9), and whether
 * the leader declared it down (DESIGN invariant 5).
 */
final class NodeRecord {
    final String node;
    long epoch;
    /** Every sequence up to here is applied (or given up by its node). */
    long lastSequence;
    /**
     * Sequences applied above {@link #lastSequence}: a batch the node resent after a failure may arrive
     * after later ones, and must still be applied exactly once.
     */
    final java.util.TreeSet<Long> appliedAbove = new java.util.TreeSet<>();
    /** Declared down by the leader: the epoch is over, though the process may live on unaware. */
    boolean down;
    /** The random id of the process start that registered this epoch, so it can find its epoch in the state. */
    com.google.protobuf.ByteString incarnation = com.google.protobuf.ByteString.EMPTY;
    /** The node's resource alarms (SetAlarms); a new epoch starts without, and a down node has none. */
    boolean memoryAlarm;
    boolean diskAlarm;
    /** The node's consumer_timeout as its registration gave it: how long its channels may hold a delivery unacked. */
    long consumerTimeoutMs = DEFAULT_CONSUMER_TIMEOUT_MS;
    /** RabbitMQ's default consumer_timeout, 30 minutes. */
    static final long DEFAULT_CONSUMER_TIMEOUT_MS = 1_800_000;

    NodeRecord(String node, long epoch, long lastSequence, boolean down) {
        this.node = node;
        this.epoch = epoch;
        this.lastSequence = lastSequence;
        this.down = down;
    }

    /** Bounds {@link #appliedAbove}: a gap its node never fills (a batch it gave up on) is forgotten. */
    static final int APPLIED_ABOVE_MAX = 4096;

    /** True when {@code sequence} was applied before; otherwise records it as applied now. */
    boolean alreadyApplied(long sequence) {
        if (sequence <= lastSequence || appliedAbove.contains(sequence)) {
            return true;
        }
        appliedAbove.add(sequence);
        while (appliedAbove.size() > APPLIED_ABOVE_MAX) {
            lastSequence = appliedAbove.pollFirst();
        }
        while (!appliedAbove.isEmpty() && appliedAbove.first() == lastSequence + 1) {
            lastSequence = appliedAbove.pollFirst();
        }
        return false;
    }

    /** True while batches of {@code epoch} from this node are applied. */
    boolean live(long epoch) {
        return this.epoch == epoch && !down;
    }
}
