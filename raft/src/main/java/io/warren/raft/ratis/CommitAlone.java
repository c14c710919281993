package io.warren.raft.ratis;

/**
 * Whether a leader's appender with no entries to send should send an empty append just to carry the
 * commit index. Without it, Ratis 3.3 leaves a follower's commit index behind until the next heartbeat
 * whenever a commit advances with nothing new to send (see {@link CommitNotices}). Once per commit index
 * at most, and never while entries are in flight: an empty append sent then carries no previous entry,
 * so the follower cannot take the commit from it (Ratis bounds the commit by the previous entry), and the
 * reply to those entries wakes the appender again. Pure; one per appender, used under its lock.
 */
final class CommitAlone {
    private long sentThrough = -1;

    /** True when an empty append should carry {@code committed}; it then counts as sent. */
    boolean shouldSend(long committed, long followerCommit, boolean entriesInFlight) {
        if (committed <= followerCommit || committed <= sentThrough || entriesInFlight) {
            return false;
        }
        sentThrough = committed;
        return true;
    }
}
