package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The publish path's rates from samples of totals: over the window only, and safe across a reset. */
class HotPathRatesTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static HotPathRates.Totals totals(long entries, long commands, long bytes, long applyNanos,
            long committed, long commitNanos, long fsyncs, long fsyncNanos) {
        return new HotPathRates.Totals(entries, commands, bytes, applyNanos, committed, commitNanos, fsyncs, fsyncNanos);
    }

    @Test
    void shouldGiveNothingBeforeTwoSamples() {
        HotPathRates rates = new HotPathRates(10 * SECOND);
        assertEquals(HotPathRates.Rates.NONE, rates.rates());
        rates.sample(0, totals(5, 50, 5000, 5000, 5, 5_000_000, 1, 1_000_000));
        assertEquals(HotPathRates.Rates.NONE, rates.rates());
    }

    @Test
    void shouldDivideWhatHappenedBetweenTheOldestAndNewestSampleOfTheWindow() {
        HotPathRates rates = new HotPathRates(10 * SECOND);
        rates.sample(0, totals(0, 0, 0, 0, 0, 0, 0, 0));
        // 2 s later: 100 entries of 10 commands and 4 KB each, 20 µs apply each; 50 committed, 3 ms each;
        // 40 fsyncs of 2 ms.
        rates.sample(2 * SECOND, totals(100, 1000, 400_000, 2_000_000, 50, 150_000_000, 40, 80_000_000));
        HotPathRates.Rates r = rates.rates();
        assertEquals(50.0, r.entriesPerSecond(), 1e-9);
        assertEquals(10.0, r.commandsPerEntry(), 1e-9);
        assertEquals(4000.0, r.bytesPerEntry(), 1e-9);
        assertEquals(20.0, r.applyMicrosPerEntry(), 1e-9);
        assertEquals(3.0, r.commitMillisPerEntry(), 1e-9);
        assertEquals(20.0, r.fsyncsPerSecond(), 1e-9);
        assertEquals(2.0, r.fsyncMillis(), 1e-9);
    }

    @Test
    void shouldForgetSamplesOlderThanTheWindow() {
        HotPathRates rates = new HotPathRates(10 * SECOND);
        rates.sample(0, totals(0, 0, 0, 0, 0, 0, 0, 0));
        rates.sample(5 * SECOND, totals(1000, 1000, 1000, 1000, 0, 0, 0, 0)); // a burst, long ago
        for (int s = 6; s <= 20; s++) {
            rates.sample(s * SECOND, totals(1000 + (s - 5) * 10, 1000, 1000, 1000, 0, 0, 0, 0));
        }
        // 10 s window ending at 20 s: from 10 s (1050) to 20 s (1150), 10 entries a second.
        assertEquals(10.0, rates.rates().entriesPerSecond(), 1e-9);
    }

    @Test
    void shouldStartAgainWhenTotalsGoBackAsAReplacedStoreCountsFromZero() {
        HotPathRates rates = new HotPathRates(10 * SECOND);
        rates.sample(0, totals(100, 100, 100, 100, 100, 100, 100, 100));
        rates.sample(SECOND, totals(200, 200, 200, 200, 200, 200, 200, 200));
        rates.sample(2 * SECOND, totals(200, 200, 200, 200, 200, 200, 0, 0)); // store replaced
        assertEquals(HotPathRates.Rates.NONE, rates.rates());
        rates.sample(3 * SECOND, totals(210, 210, 210, 210, 210, 210, 5, 5_000_000));
        assertEquals(10.0, rates.rates().entriesPerSecond(), 1e-9);
        assertEquals(5.0, rates.rates().fsyncsPerSecond(), 1e-9);
    }
}
