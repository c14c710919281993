package io.warren.raft.core;

/**
 * A node process as the log knows it: its current epoch (one per process start) and the last batch
 * sequence applied from that epoch, so a resent batch is applied once (DESIGN invariant 9).
 */
final class NodeRecord {
    final String node;
    long epoch;
    long lastSequence;

    NodeRecord(String node, long epoch, long lastSequence) {
        this.node = node;
        this.epoch = epoch;
        this.lastSequence = lastSequence;
    }
}
