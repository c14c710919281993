package io.warren.raft.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FollowerHintTest {

    @Test
    void aSingleLowHintIsTakenAsStaleAndRatisChoiceStands() {
        FollowerHint hint = new FollowerHint();
        // match index 27201: Ratis says 27202; a reply says 27199 once (a late answer to an old request)
        assertEquals(27202, hint.next(27202, 27199, 27230));
    }

    @Test
    void theSameLowHintTwiceInARowIsFollowed() {
        // The chaos run's case: the restarted follower's log ends at 27198 and every heartbeat gets 27199.
        FollowerHint hint = new FollowerHint();
        assertEquals(27202, hint.next(27202, 27199, -1));
        assertEquals(27199, hint.next(27202, 27199, -1));
        assertTrue(hint.trustedFirstTime());
        assertEquals(27199, hint.next(27202, 27199, -1));
        assertFalse(hint.trustedFirstTime(), "logged once per episode");
    }

    @Test
    void differentLowHintsInARowAreStaleRepliesAndNotFollowed() {
        FollowerHint hint = new FollowerHint();
        assertEquals(27202, hint.next(27202, 26472, 26500));
        assertEquals(27202, hint.next(27202, 26917, 26950));
        assertEquals(27202, hint.next(27202, 27192, 27220));
    }

    @Test
    void aHintAtOrAboveRatisChoiceLeavesRatisChoice() {
        FollowerHint hint = new FollowerHint();
        assertEquals(500, hint.next(500, 500, 480));
        assertEquals(500, hint.next(500, 500, 480));
        assertEquals(510, hint.next(510, 520, 480));
        assertEquals(510, hint.next(510, 520, 480));
    }

    @Test
    void aFollowedHintNeverResendsTheEntryJustRefused() {
        FollowerHint hint = new FollowerHint();
        hint.next(40, 30, 30);
        assertEquals(29, hint.next(40, 30, 30));
    }
}
