package io.warren.raft.ratis;

import java.util.concurrent.CompletableFuture;

/**
 * Where the submitter's entries go: the Raft group through this node's RaftClient in production
 * ({@link RaftNode#entryLog()}), a recording fake in the submitter's tests.
 */
@FunctionalInterface
public interface EntryLog {
    /**
     * Appends one serialized {@code Batch} as a log entry. Completes normally once the entry is committed
     * and applied; exceptionally when its outcome is unknown (it may or may not be in the log).
     */
    CompletableFuture<Void> append(byte[] entry);
}
