package io.warren.raft.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.warren.proto.Batch;
import io.warren.proto.SnapshotRecord;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * DESIGN invariant 1: the same log gives byte-identical state. A random log (RandomWorkload) is applied to
 * two fresh cores and their snapshots compared byte for byte; a core restored from a snapshot taken
 * midway and fed the rest of the log ends byte-identical to the one that applied it all (and produces
 * the same effects on the way), as a restarted node must.
 */
class DeterminismTest {

    @Test
    void shouldGiveIdenticalSnapshotBytesForTheSameLog() {
        for (long seed = 1; seed <= 20; seed++) {
            CoreDriver original = new CoreDriver();
            RandomWorkload workload = new RandomWorkload(seed, original);
            for (int i = 0; i < 400; i++) {
                workload.step();
            }
            BrokerCore replayed = BrokerCore.initial();
            List<Batch> log = original.log;
            for (int i = 0; i < log.size(); i++) {
                replayed.apply(i + 1, 1, log.get(i));
            }
            assertArrayEquals(snapshot(original.core), snapshot(replayed), "seed " + seed);
        }
    }

    @Test
    void shouldWriteAFrozenStateAsItWasWhileLaterEntriesAreApplied() {
        for (long seed = 1; seed <= 20; seed++) {
            CoreDriver driver = new CoreDriver();
            RandomWorkload workload = new RandomWorkload(seed, driver);
            for (int i = 0; i < 300; i++) {
                workload.step();
            }
            byte[] atFreeze = snapshot(driver.core);
            SnapshotRecords.Frozen frozen = SnapshotRecords.freeze(driver.core);
            for (int i = 0; i < 300; i++) {
                workload.step(); // what a snapshot writer thread would race with
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            frozen.write(record -> SnapshotBytes.write(record, out));
            assertArrayEquals(atFreeze, out.toByteArray(), "seed " + seed);
        }
    }

    @Test
    void shouldEndIdenticalWhenRestoredFromASnapshotAndReplayingTheTail() {
        for (long seed = 1; seed <= 20; seed++) {
            CoreDriver original = new CoreDriver();
            RandomWorkload workload = new RandomWorkload(seed, original);
            for (int i = 0; i < 400; i++) {
                workload.step();
            }
            List<Batch> log = original.log;
            int middle = log.size() / 2;
            BrokerCore head = BrokerCore.initial();
            for (int i = 0; i < middle; i++) {
                head.apply(i + 1, 1, log.get(i));
            }
            BrokerCore restored = load(snapshot(head));
            assertArrayEquals(snapshot(head), snapshot(restored), "seed " + seed + ": restore changed the state");
            List<Effect> restoredEffects = new ArrayList<>();
            List<Effect> straightEffects = new ArrayList<>();
            for (int i = middle; i < log.size(); i++) {
                restoredEffects.addAll(restored.apply(i + 1, 1, log.get(i)));
                straightEffects.addAll(head.apply(i + 1, 1, log.get(i)));
            }
            assertEquals(straightEffects, restoredEffects, "seed " + seed);
            assertArrayEquals(snapshot(original.core), snapshot(restored), "seed " + seed);
            assertArrayEquals(snapshot(head), snapshot(restored), "seed " + seed + ": the restored core drifted from"
                    + " the one that applied the whole log itself");
        }
    }

    @Test
    void shouldHandOverTheLiveKeysOfTheLoadedStateAscendingEachOnce() {
        int seedsWithMessages = 0;
        for (long seed = 1; seed <= 20; seed++) {
            CoreDriver driver = new CoreDriver();
            RandomWorkload workload = new RandomWorkload(seed, driver);
            for (int i = 0; i < 400; i++) {
                workload.step();
            }
            List<SnapshotRecord> records = new ArrayList<>();
            SnapshotRecords.write(driver.core, records::add);
            long[] expected = driver.core.liveMessageKeys();
            assertArrayEquals(expected, SnapshotLoader.read(records.iterator()).liveMessageKeys(), "seed " + seed);
            seedsWithMessages += expected.length > 0 ? 1 : 0;
        }
        assertEquals(20, seedsWithMessages, "every workload leaves messages waiting");
    }

    @Test
    void shouldRefuseATruncatedSnapshot() {
        CoreDriver driver = new CoreDriver();
        driver.connect().channel().ok(Commands.declareQueue("q"));
        List<SnapshotRecord> records = new ArrayList<>();
        SnapshotRecords.write(driver.core, records::add);
        records.remove(records.size() - 1);
        assertThrows(IllegalStateException.class, () -> SnapshotLoader.load(records.iterator()));
    }

    static byte[] snapshot(BrokerCore core) {
        return SnapshotBytes.of(core);
    }

    static BrokerCore load(byte[] bytes) {
        return SnapshotBytes.load(bytes);
    }
}
