package io.warren.node;

import io.warren.raft.ratis.CommandSubmitter;
import io.warren.raft.ratis.WarrenStateMachine;
import java.util.concurrent.TimeUnit;

/** Samples the publish path's totals once a second into {@link HotPathRates}, for `warrenctl status`. */
final class HotPathSampler implements AutoCloseable {
    static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long EVERY_MS = 1_000;

    private final WarrenStateMachine stateMachine;
    private final CommandSubmitter submitter;
    private final HotPathRates rates = new HotPathRates(WINDOW_NANOS);
    private final Ticker ticker;

    HotPathSampler(WarrenStateMachine stateMachine, CommandSubmitter submitter) {
        this.stateMachine = stateMachine;
        this.submitter = submitter;
        this.ticker = new Ticker("warren-hot-path", EVERY_MS, this::sample);
    }

    void start() {
        sample();
        ticker.start();
    }

    private void sample() {
        var applied = stateMachine.counters().totals();
        var store = stateMachine.storeStats();
        rates.sample(System.nanoTime(), new HotPathRates.Totals(applied.entriesApplied(), applied.commandsApplied(),
                applied.bytesApplied(), applied.applyNanos(), applied.entriesCommitted(), applied.commitNanos(),
                store.fsyncs(), store.fsyncNanos()));
    }

    HotPathRates.Rates rates() {
        return rates.rates();
    }

    int queuedCommands() {
        return submitter.queuedCommands();
    }

    long queuedBytes() {
        return submitter.queuedBytes();
    }

    int entriesInFlight() {
        return submitter.entriesInFlight();
    }

    @Override
    public void close() {
        ticker.close();
    }
}
