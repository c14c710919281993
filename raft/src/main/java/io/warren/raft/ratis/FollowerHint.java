package io.warren.raft.ratis;

/**
 * Where a leader resends from after a follower answers INCONSISTENCY with "my next index is {@code hint}".
 *
 * <p>Ratis 3.3.0 never goes below the follower's match index + 1, on the grounds that a lower hint must
 * come from a stale reply. Chaos runs show a follower, after a restart, whose log ends below that
 * index: it then rejects every heartbeat with the same hint, the leader keeps its too-high index, and
 * the follower never catches up (until a leader change gives it a fresh appender). Raft itself only
 * needs the leader to move back until the logs match, so a hint that is repeated, and therefore not
 * stale, is followed: at worst entries the follower already has are sent again, which it skips.
 * Pure: the appender feeds it the replies in order.
 */
final class FollowerHint {
    /** The same hint this many times in a row is the follower's state, not a late reply. */
    static final int REPEATS_TO_TRUST = 2;

    private long lastHint = Long.MIN_VALUE;
    private int repeats;

    /**
     * @param ratisNext what Ratis chose (at least match index + 1)
     * @param hint the follower's next index from its reply
     * @param requestFirstIndex the first index of the rejected request, or -1 when unknown
     * @return the next index to send from
     */
    synchronized long next(long ratisNext, long hint, long requestFirstIndex) {
        if (hint == lastHint) {
            repeats++;
        } else {
            lastHint = hint;
            repeats = 1;
        }
        if (ratisNext <= hint || repeats < REPEATS_TO_TRUST) {
            return ratisNext;
        }
        // Sending the very entry the follower just refused would be refused again (as Ratis also avoids).
        return hint == requestFirstIndex && hint > 0 ? hint - 1 : hint;
    }

    /**
     * True when the last call saw its hint exactly the number of times that makes it trusted: the first
     * call of an episode that may go below Ratis' choice (for logging once per episode).
     */
    synchronized boolean trustedFirstTime() {
        return repeats == REPEATS_TO_TRUST;
    }
}
