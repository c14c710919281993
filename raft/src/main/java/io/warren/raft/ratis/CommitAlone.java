package io.warren.raft.ratis;

/**
 * Whether a leader's appender with no entries to send should send an empty append just to carry the
 * commit index. Without it, Ratis 3.3 leaves a follower's commit index behind until the next heartbeat
 * whenever a commit advances with nothing new to send (see {@link CommitNotices}).
 *
 * <p>Once per commit index at most, and never while entries are in flight: an empty append sent then
 * carries no previous entry, so the follower cannot take the commit from it (Ratis bounds the commit by
 * the previous entry), and the reply to those entries wakes the appender again. And only after the
 * commit has waited {@link #HOLD_NANOS} with no entry to carry it: under load the next entries come
 * sooner and carry it, and an empty append for every commit would cost two more RPCs per entry.
 * Pure (the caller gives the time); one per appender, used by its thread only.
 */
final class CommitAlone {
    static final long HOLD_NANOS = 2_000_000;
    private static final long NONE = -1;

    private long sentThrough = NONE;
    private long dueSinceNanos;
    private boolean due;

    /** True when an empty append should carry {@code committed} now; it then counts as sent. */
    boolean shouldSend(long committed, long followerCommit, boolean entriesInFlight, long nowNanos) {
        if (committed <= followerCommit || committed <= sentThrough || entriesInFlight) {
            due = false;
            return false;
        }
        if (!due) {
            due = true;
            dueSinceNanos = nowNanos;
        }
        if (nowNanos - dueSinceNanos < HOLD_NANOS) {
            return false;
        }
        due = false;
        sentThrough = committed;
        return true;
    }

    /** Entries went out: they carry the commit index as it stands. */
    void entriesSent() {
        due = false;
    }

    /** How long the appender may sleep before {@link #shouldSend} should be asked again; -1: no limit. */
    long waitNanos(long nowNanos) {
        return due ? Math.max(0, HOLD_NANOS - (nowNanos - dueSinceNanos)) : NONE;
    }
}
