package io.warren.raft.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommitAloneTest {

    @Test
    void aCommitTheFollowerLacksIsSentOnceWhenNothingIsInFlight() {
        CommitAlone alone = new CommitAlone();
        assertTrue(alone.shouldSend(12, 11, false));
        assertFalse(alone.shouldSend(12, 11, false), "the same commit index once only");
        assertTrue(alone.shouldSend(13, 11, false), "a further commit index is sent too");
    }

    @Test
    void nothingIsSentWhenTheFollowerHasTheCommitAlready() {
        CommitAlone alone = new CommitAlone();
        assertFalse(alone.shouldSend(12, 12, false));
        assertFalse(alone.shouldSend(12, 14, false));
    }

    @Test
    void whileEntriesAreInFlightTheCommitWaitsAndIsSentAfterTheirReply() {
        // The case a first version got wrong: the empty append went while entries were in flight, carried no
        // previous entry, the follower could not take the commit, and the index counted as sent already.
        CommitAlone alone = new CommitAlone();
        assertFalse(alone.shouldSend(1248, 1247, true));
        assertTrue(alone.shouldSend(1248, 1247, false), "not counted as sent while entries were in flight");
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
