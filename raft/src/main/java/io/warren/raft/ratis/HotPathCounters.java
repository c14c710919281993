package io.warren.raft.ratis;

import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals of the publish path on this node, so a slow run can be explained (`warrenctl status`
 * turns them into rates): entries applied, the commands and bytes they carried, the time apply took, and
 * for the entries this node submitted, how long each took from send to commit. Only counts; rates are
 * the reader's business.
 */
public final class HotPathCounters {
    private final LongAdder entriesApplied = new LongAdder();
    private final LongAdder commandsApplied = new LongAdder();
    private final LongAdder bytesApplied = new LongAdder();
    private final LongAdder applyNanos = new LongAdder();
    private final LongAdder entriesCommitted = new LongAdder();
    private final LongAdder commitNanos = new LongAdder();

    /** One entry applied: its commands, its bytes (log entry and messages), and the time apply took. */
    public void applied(int commands, long bytes, long nanos) {
        entriesApplied.increment();
        commandsApplied.add(commands);
        bytesApplied.add(bytes);
        applyNanos.add(nanos);
    }

    /** An entry this node sent was committed, {@code nanos} after it was first sent. */
    public void committed(long nanos) {
        entriesCommitted.increment();
        commitNanos.add(nanos);
    }

    public Totals totals() {
        return new Totals(entriesApplied.sum(), commandsApplied.sum(), bytesApplied.sum(), applyNanos.sum(),
                entriesCommitted.sum(), commitNanos.sum());
    }

    /** The totals at one moment. */
    public record Totals(long entriesApplied, long commandsApplied, long bytesApplied, long applyNanos,
            long entriesCommitted, long commitNanos) {}
}
