package io.warren.raft.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.warren.proto.Batch;
import io.warren.proto.Command;
import io.warren.proto.Get;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The leader's stamp reads back as the batch's leader_time_ms, leaves the rest of the batch as it was, and wins. */
class LeaderTimeTest {
    private static final Batch BATCH = Batch.newBuilder().setNode("n2").setEpoch(3).setSequence(9)
            .addCommands(Command.newBuilder().setRequest(4).setGet(Get.newBuilder().setQueue("q"))).build();

    @Test
    void shouldReadBackTheStampAndKeepTheBatch() throws Exception {
        for (long time : new long[] {0, 1, 127, 128, 1_796_247_915_123L, Long.MAX_VALUE}) {
            Batch stamped = Batch.parseFrom(LeaderTime.stamp(ByteBuffer.wrap(BATCH.toByteArray()), time));
            assertEquals(time, stamped.getLeaderTimeMs());
            assertEquals(BATCH, stamped.toBuilder().clearLeaderTimeMs().build());
        }
    }

    @Test
    void shouldWinOverATimeTheBatchAlreadyHeldAndNotConsumeTheBuffer() throws Exception {
        ByteBuffer claimed = ByteBuffer.wrap(BATCH.toBuilder().setLeaderTimeMs(99).build().toByteArray());
        int before = claimed.remaining();
        assertEquals(5, Batch.parseFrom(LeaderTime.stamp(claimed, 5)).getLeaderTimeMs());
        assertEquals(before, claimed.remaining());
    }
}
