package io.warren.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The checker is able to fail: the nodes run with the test-only fault switch that confirms every 50th
 * publish without replicating it, and the same run, check and verdict must report those as lost.
 */
class CheckerCatchesLossIT {

    @Test
    void aNodeThatConfirmsWithoutReplicatingIsCaught() throws Exception {
        Map<String, Object> summary = ChaosRun.run(new ChaosRun.Settings(Path.of("..", "node", "target"),
                Path.of("target", "runs"), 15, List.of(), 7, List.of("--test-fault-lose-every=50"), 0));
        assertEquals(Boolean.FALSE, summary.get("valid"), summary.toString());
        int lost = (Integer) summary.get("lost");
        int confirmed = (Integer) summary.get("confirmed");
        assertTrue(lost > 0, "loss reported");
        assertTrue(lost <= confirmed / 50 + 3, "about one in fifty lost: " + lost + " of " + confirmed);
    }
}
