package io.warren.raft.core;

import java.util.TreeMap;

/**
 * How many queues (ready or out unacknowledged) still hold each stored message. Most messages are in one
 * queue, so only the ones routed to several are counted here; the last holder to let go tells the store,
 * through {@link Effect.Discard}, that every node may reclaim its copy. Rebuilt from the queues when a
 * snapshot is loaded, so it is not written into snapshots.
 */
final class MessageReferences {
    /** Keys held by two or more queues, with the count. */
    private final TreeMap<Long, Integer> shared = new TreeMap<>();

    /** A message was enqueued into {@code holders} queues; none means it is discarded at once. */
    void published(long key, int holders, ApplyContext ctx) {
        if (holders == 0) {
            ctx.emit(new Effect.Discard(key));
        } else if (holders > 1) {
            shared.put(key, holders);
        }
    }

    /** One queue let go of the message (acked, dropped, purged, expired...). */
    void release(long key, ApplyContext ctx) {
        Integer holders = shared.get(key);
        if (holders == null) {
            ctx.emit(new Effect.Discard(key));
        } else if (holders == 2) {
            shared.remove(key);
        } else {
            shared.put(key, holders - 1);
        }
    }

    void restore(TreeMap<Long, Integer> seen) {
        shared.clear();
        seen.forEach((key, holders) -> {
            if (holders > 1) {
                shared.put(key, holders);
            }
        });
    }
}
