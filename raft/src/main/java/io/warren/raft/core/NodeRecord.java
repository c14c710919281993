package io.warren.raft.core;

/**
 * A node process as the log knows it: its current epoch (one per process start) and the last batch
 * sequence applied from that epoch, so a resent batch is applied once (DESIGN invariant 9), and whether
 * the leader declared it down (DESIGN invariant 5).
 */
final class NodeRecord {
    final String node;
    long epoch;
    long lastSequence;
    /** Declared down by the leader: the epoch is over, though the process may live on unaware. */
    boolean down;

    NodeRecord(String node, long epoch, long lastSequence, boolean down) {
        this.node = node;
        this.epoch = epoch;
        this.lastSequence = lastSequence;
        this.down = down;
    }

    /** True while batches of {@code epoch} from this node are applied. */
    boolean live(long epoch) {
        return this.epoch == epoch && !down;
    }
}
