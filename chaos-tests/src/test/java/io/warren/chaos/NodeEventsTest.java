package io.warren.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeEventsTest {

    @Test
    void countsEachEventOverEveryNodeLogAndReportsZeroForThoseNeverSeen(@TempDir Path logs) throws Exception {
        Files.writeString(logs.resolve("n1.log"), String.join("\n",
                "2026-11-22T07:38:27.949Z WARN  node=n1 [warren-liveness] i.w.node.NodeLiveness event=node_suspended epoch=2",
                "2026-11-22T07:39:02.068Z INFO  node=n1 [warren-liveness] i.w.node.NodeLiveness event=node_rejoined epoch=3",
                "2026-11-22T07:39:02.068Z INFO  node=n1 [x] y event=node_suspended_typo epoch=3"));
        Files.writeString(logs.resolve("n2.log"),
                "2026-11-22T07:38:59.293Z WARN  node=n2 [warren-liveness] i.w.node.NodeLiveness event=node_suspended epoch=5\n");
        Map<String, Object> counts = ChaosRun.nodeEvents(logs);
        assertEquals(2L, counts.get("node_suspended"));
        assertEquals(1L, counts.get("node_rejoined"));
        assertEquals(0L, counts.get("registration_stuck"));
        assertEquals(ChaosRun.COUNTED_EVENTS.size(), counts.size());
    }

    @Test
    void aRunWithoutNodeLogsCountsNothing(@TempDir Path run) throws Exception {
        assertEquals(0L, ChaosRun.nodeEvents(run.resolve("nodes")).get("node_suspended"));
    }
}
