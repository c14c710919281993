package io.warren.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.warren.proto.SnapshotRecord.KindCase;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** The warm-up reaches every kind of record a real snapshot writes, so none is loaded first on the apply path. */
class SnapshotWarmUpTest {
    @Test
    void shouldWriteEveryKindOfRecordASnapshotHolds() {
        // MessageRecord only appears inside an UnackedRecord, never on its own in a current snapshot.
        assertEquals(EnumSet.complementOf(EnumSet.of(KindCase.MESSAGE, KindCase.KIND_NOT_SET)), SnapshotWarmUp.run());
    }
}
