package io.warren.raft.ratis;

/**
 * When the state machine snapshots: after {@code everyEntries} applied entries, after {@code logBytes}
 * of commands and messages applied, or {@code intervalMs} after the last snapshot if anything was applied
 * since, whichever comes first. Snapshot cost grows with the backlog (the index of every waiting
 * message) while replay cost grows with what was applied, so the byte and time bounds keep both in
 * check; a fixed entry count alone snapshots a large backlog far too often or a busy log too rarely.
 */
public record SnapshotPolicy(long everyEntries, long logBytes, long intervalMs) {
    public SnapshotPolicy {
        if (everyEntries < 1 || logBytes < 1 || intervalMs < 1) {
            throw new IllegalArgumentException("snapshot policy: entries " + everyEntries + ", bytes " + logBytes
                    + ", interval " + intervalMs + " ms (each must be at least 1)");
        }
    }

    /** How often Ratis should ask: often enough for the smallest bound to be noticed. */
    long ratisCheckEveryEntries() {
        return Math.min(everyEntries, 1024);
    }

    boolean due(long entriesSince, long bytesSince, long millisSince) {
        return entriesSince >= everyEntries || bytesSince >= logBytes || entriesSince > 0 && millisSince >= intervalMs;
    }
}
