package io.warren.raft.core;

import org.junit.jupiter.api.Test;

/**
 * Random command sequences checked against a reference model of routing and queues (RandomWorkload):
 * after every command, each queue holds exactly the messages the model says, every delivered message was
 * one its queue held, and nothing is lost or invented across acks, nacks, rejects, recovers, channel
 * closes, purges and node restarts. On failure the seed is in the message; rerun one seed with
 * {@code mvn -pl raft test -Dtest=ModelBasedTest -Dwarren.seed=N}.
 */
class ModelBasedTest {
    private static final int RUNS = 200;
    private static final int STEPS = 300;

    @Test
    void shouldKeepEveryQueueEqualToTheReferenceModel() {
        String only = System.getProperty("warren.seed");
        long first = only == null ? 1 : Long.parseLong(only);
        long last = only == null ? RUNS : first;
        for (long seed = first; seed <= last; seed++) {
            CoreDriver driver = new CoreDriver();
            RandomWorkload workload = new RandomWorkload(seed, driver);
            try {
                for (int step = 0; step < STEPS; step++) {
                    workload.step();
                    workload.checkInvariants();
                }
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }
}
