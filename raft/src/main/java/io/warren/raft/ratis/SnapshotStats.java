package io.warren.raft.ratis;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How this node's snapshots went, for its metrics: how many were written, the time from the start of each
 * (the state frozen on the apply thread) to its files in place, and how long apply waited for each freeze.
 * Written by the snapshot writer, read by any thread.
 */
public final class SnapshotStats {
    private final AtomicLong taken = new AtomicLong();
    private final AtomicLong totalNanos = new AtomicLong();
    private final AtomicLong applyPausedNanos = new AtomicLong();
    private final AtomicLong lastNanos = new AtomicLong();
    private final AtomicLong lastIndexBytes = new AtomicLong();

    void taken(long durationNanos, long pausedNanos, long indexBytes) {
        totalNanos.addAndGet(durationNanos);
        applyPausedNanos.addAndGet(pausedNanos);
        lastNanos.set(durationNanos);
        lastIndexBytes.set(indexBytes);
        taken.incrementAndGet();
    }

    public long taken() {
        return taken.get();
    }

    public long totalNanos() {
        return totalNanos.get();
    }

    public long applyPausedNanos() {
        return applyPausedNanos.get();
    }

    /** The last snapshot's duration, 0 before the first. */
    public long lastNanos() {
        return lastNanos.get();
    }

    /** The size of the last snapshot's index file (the state without message bodies). */
    public long lastIndexBytes() {
        return lastIndexBytes.get();
    }
}
