package io.warren.node;

import java.util.ArrayDeque;

/**
 * The publish path's rates over the last few seconds, from samples of running totals taken about once a
 * second: entries applied per second, commands and bytes per entry, apply time per entry, time from
 * send to commit of this node's entries, store fsyncs per second and their mean time. Pure: the caller
 * supplies the time and the totals.
 */
final class HotPathRates {
    /** Running totals at one moment (all only grow, unless the store was replaced by a snapshot install). */
    record Totals(long entriesApplied, long commandsApplied, long bytesApplied, long applyNanos,
            long entriesCommitted, long commitNanos, long fsyncs, long fsyncNanos) {
        boolean below(Totals other) {
            return entriesApplied < other.entriesApplied || commandsApplied < other.commandsApplied
                    || bytesApplied < other.bytesApplied || applyNanos < other.applyNanos
                    || entriesCommitted < other.entriesCommitted || commitNanos < other.commitNanos
                    || fsyncs < other.fsyncs || fsyncNanos < other.fsyncNanos;
        }
    }

    /** The rates; a ratio with nothing to divide by (no entry, no fsync in the window) is 0. */
    record Rates(double entriesPerSecond, double commandsPerEntry, double bytesPerEntry, double applyMicrosPerEntry,
            double commitMillisPerEntry, double fsyncsPerSecond, double fsyncMillis) {
        static final Rates NONE = new Rates(0, 0, 0, 0, 0, 0, 0);
    }

    private record Sample(long nanos, Totals totals) {}

    private final long windowNanos;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    HotPathRates(long windowNanos) {
        if (windowNanos <= 0) {
            throw new IllegalArgumentException("window must be positive: " + windowNanos);
        }
        this.windowNanos = windowNanos;
    }

    synchronized void sample(long nanos, Totals totals) {
        Sample newest = samples.peekLast();
        if (newest != null && (nanos <= newest.nanos() || totals.below(newest.totals()))) {
            // A store replaced by an installed snapshot counts from zero again: the old samples say nothing.
            samples.clear();
        }
        samples.addLast(new Sample(nanos, totals));
        // Keep one sample at or before the window's start, so the window is covered whole.
        while (samples.size() > 2) {
            var iterator = samples.iterator();
            iterator.next();
            if (nanos - iterator.next().nanos() >= windowNanos) {
                samples.removeFirst();
            } else {
                break;
            }
        }
    }

    synchronized Rates rates() {
        if (samples.size() < 2) {
            return Rates.NONE;
        }
        Totals from = samples.peekFirst().totals();
        Totals to = samples.peekLast().totals();
        double seconds = (samples.peekLast().nanos() - samples.peekFirst().nanos()) / 1e9;
        long entries = to.entriesApplied() - from.entriesApplied();
        long committed = to.entriesCommitted() - from.entriesCommitted();
        long fsyncs = to.fsyncs() - from.fsyncs();
        return new Rates(entries / seconds, ratio(to.commandsApplied() - from.commandsApplied(), entries),
                ratio(to.bytesApplied() - from.bytesApplied(), entries),
                ratio(to.applyNanos() - from.applyNanos(), entries) / 1e3,
                ratio(to.commitNanos() - from.commitNanos(), committed) / 1e6, fsyncs / seconds,
                ratio(to.fsyncNanos() - from.fsyncNanos(), fsyncs) / 1e6);
    }

    private static double ratio(long amount, long count) {
        return count == 0 ? 0 : (double) amount / count;
    }
}
