package io.warren.raft.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommitAloneTest {
    private static final long HOLD = CommitAlone.HOLD_NANOS;

    @Test
    void aCommitTheFollowerLacksIsSentOnceItHasWaitedTheHold() {
        CommitAlone alone = new CommitAlone();
        assertFalse(alone.shouldSend(12, 11, false, 0), "held first: the next entries may carry it");
        assertEquals(HOLD, alone.waitNanos(0));
        assertEquals(HOLD / 2, alone.waitNanos(HOLD / 2));
        assertFalse(alone.shouldSend(12, 11, false, HOLD - 1));
        assertTrue(alone.shouldSend(12, 11, false, HOLD));
        assertEquals(-1, alone.waitNanos(HOLD), "nothing due once sent");
        assertFalse(alone.shouldSend(12, 11, false, 3 * HOLD), "the same commit index once only");
        assertFalse(alone.shouldSend(13, 11, false, 3 * HOLD));
        assertTrue(alone.shouldSend(13, 11, false, 4 * HOLD), "a further commit index is sent too");
    }

    @Test
    void entriesSentInTheMeantimeCarryTheCommitAndEndTheHold() {
        CommitAlone alone = new CommitAlone();
        assertFalse(alone.shouldSend(12, 11, false, 0));
        alone.entriesSent();
        assertEquals(-1, alone.waitNanos(1));
        assertFalse(alone.shouldSend(12, 11, true, HOLD), "the entries are in flight");
        assertFalse(alone.shouldSend(12, 11, false, HOLD + 1), "a new hold begins after their reply");
        assertTrue(alone.shouldSend(12, 11, false, 2 * HOLD + 1));
    }

    @Test
    void nothingIsSentWhenTheFollowerHasTheCommitAlready() {
        CommitAlone alone = new CommitAlone();
        assertFalse(alone.shouldSend(12, 12, false, 0));
        assertFalse(alone.shouldSend(12, 14, false, HOLD));
        assertEquals(-1, alone.waitNanos(HOLD));
    }

    @Test
    void whileEntriesAreInFlightTheCommitWaitsAndIsSentAfterTheirReply() {
        // The case a first version got wrong: the empty append went while entries were in flight, carried no
        // previous entry, the follower could not take the commit, and the index counted as sent already.
        CommitAlone alone = new CommitAlone();
        assertFalse(alone.shouldSend(1248, 1247, true, 0));
        assertFalse(alone.shouldSend(1248, 1247, true, 5 * HOLD));
        assertFalse(alone.shouldSend(1248, 1247, false, 5 * HOLD));
        assertTrue(alone.shouldSend(1248, 1247, false, 6 * HOLD), "not counted as sent while entries were in flight");
    }

    @Test
    void noticesReachEveryListenerUntilItIsRemoved() {
        CommitNotices notices = new CommitNotices();
        List<Long> first = new ArrayList<>();
        List<Long> second = new ArrayList<>();
        CommitNotices.Listener one = first::add;
        notices.add(one);
        notices.add(second::add);
        notices.applied(5);
        notices.remove(one);
        notices.applied(6);
        assertEquals(List.of(5L), first);
        assertEquals(List.of(5L, 6L), second);
    }
}
