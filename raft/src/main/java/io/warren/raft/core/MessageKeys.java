package io.warren.raft.core;

/**
 * A stored message's key: {@code (log index << 20) | position of its publish in the entry's batch}. The
 * same on every node, since every node applies the same log; the message store files content under it.
 */
public final class MessageKeys {
    public static final int POSITION_BITS = 20;
    /** Commands an entry may hold, so that a position fits in a key. */
    public static final int POSITIONS_MAX = 1 << POSITION_BITS;

    private MessageKeys() {}

    public static long key(long logIndex, int position) {
        return logIndex << POSITION_BITS | position;
    }

    public static long indexOf(long key) {
        return key >>> POSITION_BITS;
    }

    public static int positionOf(long key) {
        return (int) (key & (POSITIONS_MAX - 1));
    }
}
