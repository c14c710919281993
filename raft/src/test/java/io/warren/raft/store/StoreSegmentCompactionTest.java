package io.warren.raft.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.warren.raft.core.MessageKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A compaction copies without the store's lock: what settles while it copies must not come back. */
class StoreSegmentCompactionTest {
    @TempDir
    Path dir;

    private static ByteString frame(String... bodies) {
        ByteString.Output out = ByteString.newOutput();
        for (int i = 0; i < bodies.length; i++) {
            StoreRecords.append(out, i, ByteString.copyFromUtf8(bodies[i]));
        }
        return out.toByteString();
    }

    @Test
    void shouldSettleInTheCopyWhatSettledWhileItWasWritten() throws Exception {
        StoreSegment segment = StoreSegment.create(dir, 1);
        for (long index = 1; index <= 4; index++) {
            ByteString data = frame("a" + index, "b" + index);
            segment.append(index, data, StoreRecords.parse(data));
        }
        segment.seal();
        segment.settle(segment.find(MessageKeys.key(1, 0)));
        segment.settle(segment.find(MessageKeys.key(1, 1)));
        segment.settle(segment.find(MessageKeys.key(2, 0)));

        StoreSegment.Compaction compaction = segment.planCompaction();
        compaction.write();
        // Settled after the plan, while the copy was written: the copy still holds it.
        segment.settle(segment.find(MessageKeys.key(3, 1)));
        StoreSegment compacted = compaction.install();

        assertEquals(4, compacted.live(), "2/1, 3/0, 4/0 and 4/1");
        assertEquals(-1, compacted.find(MessageKeys.key(1, 0)), "settled before the plan: not copied");
        int late = compacted.find(MessageKeys.key(3, 1));
        assertTrue(late >= 0, "copied, since it was live at the plan");
        assertFalse(compacted.isLive(late), "and settled in the copy, since it settled before the swap");
        assertEquals(ByteString.copyFromUtf8("b4"), compacted.read(compacted.find(MessageKeys.key(4, 1))));
        assertFalse(Files.exists(dir.resolve(segment.path.getFileName() + ".compact")), "the copy took its place");
        compacted.close();
    }
}
