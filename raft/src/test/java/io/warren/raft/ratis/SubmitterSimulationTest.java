package io.warren.raft.ratis;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link SubmitterSimulation} for many seeds and fails with the first seed that breaks a check: its
 * problems, its last events and the one command that replays it. CI runs {@code sim.seeds} seeds (3,000 by
 * default, about half a minute); {@code -Dsim.seed=N} runs that seed alone, {@code -Dsim.first=N} moves the
 * range, and {@code -Dsim.minutes=M} keeps running new seeds for M minutes (the long mode).
 */
class SubmitterSimulationTest {

    @Test
    void shouldLoseNothingAndApplyNothingTwiceWhateverTheLogDoes() {
        long only = Long.getLong("sim.seed", 0);
        long first = only != 0 ? only : Long.getLong("sim.first", 1);
        long seeds = only != 0 ? 1 : Long.getLong("sim.seeds", 3_000);
        long minutes = Long.getLong("sim.minutes", 0);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(minutes);
        long runs = 0;
        long withRestarts = 0;
        long withRejoins = 0;
        for (long seed = first; minutes > 0 ? System.nanoTime() < deadline : seed < first + seeds; seed++) {
            int nodes = seed % 3 == 0 ? 5 : 3; // a third of the seeds with five nodes
            SubmitterSimulation simulation = new SubmitterSimulation(seed, nodes, SubmitterSimulation.Bug.NONE);
            List<String> problems;
            try {
                problems = simulation.run();
            } catch (RuntimeException e) {
                problems = List.of("the run threw " + e); // a core refusing its own snapshot, say
            }
            runs++;
            withRestarts += simulation.restartsConfirmed() > 0 ? 1 : 0;
            withRejoins += simulation.rejoinedWhileAlive() > 0 ? 1 : 0;
            if (!problems.isEmpty()) {
                fail("seed " + seed + " (" + nodes + " nodes): " + String.join("; ", problems) + "\nreplay: mvn -pl raft"
                        + " test -Dtest=SubmitterSimulationTest -Dsim.seed=" + seed + "\nlast events:\n  "
                        + String.join("\n  ", simulation.trace()));
            }
        }
        if (runs >= 100) {
            assertTrue(withRestarts * 4 >= runs, "only " + withRestarts + " of " + runs + " runs had a restarted node"
                    + " publish with confirms: the crash path is hardly exercised");
            assertTrue(withRejoins * 10 >= runs, "only " + withRejoins + " of " + runs + " runs had a node declared"
                    + " down while alive register again");
        }
    }

    @Test
    void shouldCatchAResendThatIsNotTheSameBatch() {
        for (long seed = 1; seed <= 50; seed++) {
            if (!new SubmitterSimulation(seed, SubmitterSimulation.Bug.RESEND_AS_NEW_BATCH).run().isEmpty()) {
                return;
            }
        }
        fail("50 seeds with resends renumbered, and no check noticed");
    }

    @Test
    void shouldCatchARestartOrADownDeclarationHandledWrong() {
        for (SubmitterSimulation.Bug bug : List.of(SubmitterSimulation.Bug.RESTART_WITHOUT_REPLAY,
                SubmitterSimulation.Bug.RESTART_KEEPS_OLD_EPOCH, SubmitterSimulation.Bug.IGNORE_EPOCH_ENDED,
                SubmitterSimulation.Bug.CONSUME_WITHOUT_ACKS)) {
            boolean caught = false;
            for (long seed = 1; seed <= 100 && !caught; seed++) {
                caught = !new SubmitterSimulation(seed, bug).run().isEmpty();
            }
            assertTrue(caught, "100 seeds with " + bug + ", and no check noticed");
        }
    }

    @Test
    void shouldRunTheSameSeedTheSameWay() {
        SubmitterSimulation once = new SubmitterSimulation(42, SubmitterSimulation.Bug.NONE);
        SubmitterSimulation again = new SubmitterSimulation(42, SubmitterSimulation.Bug.NONE);
        assertTrue(once.run().isEmpty());
        again.run();
        assertTrue(once.trace().equals(again.trace()), "the same seed gave two different runs");
    }
}
