package io.warren.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The checker is able to fail: while the workload runs, a consumer the history does not know of takes its
 * share of the messages with auto-ack ({@link Thief}), so confirmed messages vanish as if the broker had lost
 * them. The same run, check and verdict must report those as lost, and only those.
 */
class CheckerCatchesLossIT {

    @Test
    void confirmedMessagesThatVanishAreReportedLost() throws Exception {
        Map<String, Object> summary = ChaosRun.run(new ChaosRun.Settings(Path.of("..", "node", "target"),
                Path.of("target", "runs"), 15, List.of(), 7, List.of(), 0, true));
        assertEquals(Boolean.FALSE, summary.get("valid"), summary.toString());
        int lost = (Integer) summary.get("lost");
        int stolen = (Integer) summary.get("stolen");
        int unknown = (Integer) summary.get("unknown");
        assertTrue(stolen > 0, "the thief took something");
        assertTrue(lost <= stolen && lost >= stolen - unknown, "every stolen confirmed message is lost, and nothing"
                + " else: lost " + lost + ", stolen " + stolen + ", unknown outcome " + unknown);
        @SuppressWarnings("unchecked")
        List<String> stolenIds = (List<String>) summary.get("stolen_ids");
        @SuppressWarnings("unchecked")
        List<String> lostSample = (List<String>) summary.get("lost_sample");
        assertTrue(stolenIds.containsAll(lostSample), "lost " + lostSample + " were all stolen");
    }
}
