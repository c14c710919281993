package io.warren.raft.ratis;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells the leader's appenders that entries were committed. Ratis 3.3 wakes an appender only for new
 * entries and for its own follower's replies; once a commit advances with nothing new to send (the last
 * entries of a burst, or the commit made by the leader's own fsync or the other follower's reply), the
 * followers learnt it only from the next heartbeat, up to half the minimum election timeout (500 ms)
 * later, and every read, delivery and confirm served by a follower waited that long. The apply thread
 * calls {@link #applied} for each entry the leader applies, which is after its commit.
 */
final class CommitNotices {

    /** An appender that sends a commit index its follower lacks. */
    interface Listener {
        /** Entries through {@code index} are committed; wakes the sender if its follower is behind. */
        void committedThrough(long index);
    }

    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();

    void add(Listener listener) {
        listeners.add(listener);
    }

    void remove(Listener listener) {
        listeners.remove(listener);
    }

    /** The entry at {@code index} was applied: it and all before it are committed. */
    void applied(long index) {
        for (Listener listener : listeners) {
            listener.committedThrough(index);
        }
    }
}
