package io.warren.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.warren.proto.Batch;
import io.warren.proto.Command;
import io.warren.proto.RegisterNode;
import org.junit.jupiter.api.Test;

/**
 * The core's clock is the latest leader time applied: it follows the entries' stamps, never goes back when
 * a new leader's clock is behind, moves with entries the core refuses too, and survives a snapshot.
 */
class CoreClockTest {
    private static Batch register(long leaderTime) {
        return Batch.newBuilder().setNode("n1").setLeaderTimeMs(leaderTime).addCommands(Command.newBuilder()
                .setRequest(1).setRegisterNode(RegisterNode.newBuilder().setNode("n1"))).build();
    }

    @Test
    void shouldFollowTheLeaderTimeAndNeverGoBack() {
        BrokerCore core = BrokerCore.initial();
        assertEquals(0, core.queries().clockMs());
        core.apply(1, 1, register(1_000));
        assertEquals(1_000, core.queries().clockMs());
        core.apply(2, 2, register(400));
        assertEquals(1_000, core.queries().clockMs(), "a new leader whose clock is behind does not turn it back");
        Batch fromAnEndedEpoch = Batch.newBuilder().setNode("n1").setEpoch(1).setSequence(1).setLeaderTimeMs(2_500)
                .build();
        core.apply(3, 2, fromAnEndedEpoch);
        assertEquals(2_500, core.queries().clockMs(), "an entry the core refuses still carries the time");
        BrokerCore restored = DeterminismTest.load(DeterminismTest.snapshot(core));
        assertEquals(2_500, restored.queries().clockMs());
    }
}
