package io.warren.raft.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The ready messages of one priority level of a queue (a queue without priorities has one), in id order,
 * kept small: a message waiting is 24 bytes in blocks of parallel
 * arrays (id, store key, size, delivery count with the persistent flag), not an object, since a backlog
 * of millions must not grow the heap by more than that (issue 11); a block that holds a message with a TTL
 * adds 8 bytes a message for the expiry times. Messages arrive at the tail in id
 * order; a delivered message that comes back goes to a small sorted side table (at most the unacked
 * count), and the head is whichever of the two is older, so a requeued message keeps its original place,
 * as in RabbitMQ.
 */
final class ReadyLane {
    private static final int BLOCK = 4096;
    /** A queue's first block is small, each next one twice the last: a queue of a few messages costs little. */
    private static final int BLOCK_FIRST = 16;
    private static final int PERSISTENT = 1 << 31;

    /** Every message of this lane has this priority level; the blocks do not store it. */
    private final int level;
    private final ArrayDeque<Block> blocks = new ArrayDeque<>();
    private final TreeMap<Long, QueueEntry> returned = new TreeMap<>();
    private int size;
    private long bytes;

    ReadyLane(int level) {
        this.level = level;
    }

    /** A message of this queue, newer than any it holds in its blocks. */
    void append(QueueEntry entry) {
        Block last = blocks.peekLast();
        if (last != null && last.tail > 0 && entry.id() <= last.ids[last.tail - 1]) {
            returned.put(entry.id(), entry);
        } else {
            addToTail(blocks, entry, level);
        }
        size++;
        bytes += entry.size();
    }

    private static void addToTail(ArrayDeque<Block> into, QueueEntry entry, int level) {
        Block last = into.peekLast();
        if (last == null || last.tail == last.capacity()) {
            last = new Block(last == null ? BLOCK_FIRST : Math.min(BLOCK, 2 * last.capacity()), level);
            into.addLast(last);
        }
        last.add(entry);
    }

    /** A delivered message back in its original place. */
    void requeue(QueueEntry entry) {
        returned.put(entry.id(), entry);
        size++;
        bytes += entry.size();
    }

    /** When the oldest ready message expires: {@link MessageExpiry#NEVER} without a TTL or with none ready. */
    long headExpiresAt() {
        Block first = headBlock();
        if (first != null) {
            return first.expires == null ? MessageExpiry.NEVER : first.expires[first.head];
        }
        Map.Entry<Long, QueueEntry> back = returned.firstEntry();
        return back == null ? MessageExpiry.NEVER : back.getValue().expiresAt();
    }

    /** The first block when the oldest ready message is in it; null when it is a returned one, or none is ready. */
    private Block headBlock() {
        Block first = blocks.peekFirst();
        if (first == null || first.head == first.tail) {
            return null; // none, or the one block, drained and kept for reuse
        }
        Map.Entry<Long, QueueEntry> back = returned.firstEntry();
        return back == null || first.ids[first.head] < back.getKey() ? first : null;
    }

    /** Takes the oldest ready message, or null. */
    QueueEntry pollFirst() {
        Block first = headBlock();
        QueueEntry taken;
        if (first != null) {
            taken = first.poll();
            if (first.head == first.tail) {
                if (blocks.size() == 1 && !first.frozen) {
                    // A queue that a consumer keeps empty fills and drains the same block: reused, not
                    // allocated again for every few messages (that was a quarter of the apply thread).
                    first.head = 0;
                    first.tail = 0;
                } else {
                    blocks.removeFirst();
                }
            }
        } else if (!returned.isEmpty()) {
            taken = returned.pollFirstEntry().getValue();
        } else {
            return null;
        }
        size--;
        bytes -= taken.size();
        return taken;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The body bytes of the messages ready. */
    long bytes() {
        return bytes;
    }

    /** Every ready message, oldest first. */
    void forEach(Consumer<QueueEntry> action) {
        freeze().forEach(action);
    }

    /** Removes the messages that match, keeping the order of the rest. */
    void removeIf(Predicate<QueueEntry> condition) {
        ArrayDeque<Block> kept = new ArrayDeque<>();
        int keptSize = 0;
        long keptBytes = 0;
        for (Block block : blocks) {
            for (int i = block.head; i < block.tail; i++) {
                QueueEntry entry = block.entry(i);
                if (!condition.test(entry)) {
                    addToTail(kept, entry, level);
                    keptSize++;
                    keptBytes += entry.size();
                }
            }
        }
        blocks.clear();
        blocks.addAll(kept);
        var back = returned.values().iterator();
        while (back.hasNext()) {
            QueueEntry entry = back.next();
            if (condition.test(entry)) {
                back.remove();
            } else {
                keptSize++;
                keptBytes += entry.size();
            }
        }
        size = keptSize;
        bytes = keptBytes;
    }

    /**
     * A view of the messages ready now that stays true while this list changes: the slots of a block
     * between its head and tail are never written again (appends go past the tail, polls move the head,
     * removals build new blocks, and a block once frozen is never reset for reuse), so the view keeps the
     * blocks with their bounds and a copy of the small table of returned messages. Costs a few words per
     * block of up to {@value #BLOCK}.
     */
    Frozen freeze() {
        List<Block> frozenBlocks = new ArrayList<>(blocks);
        frozenBlocks.forEach(block -> block.frozen = true);
        int[] heads = new int[frozenBlocks.size()];
        int[] tails = new int[frozenBlocks.size()];
        for (int i = 0; i < heads.length; i++) {
            heads[i] = frozenBlocks.get(i).head;
            tails[i] = frozenBlocks.get(i).tail;
        }
        return new Frozen(frozenBlocks, heads, tails, new ArrayList<>(returned.values()));
    }

    /** What {@link #freeze} captured; may be read from another thread once handed over. */
    static final class Frozen {
        private final List<Block> blocks;
        private final int[] heads;
        private final int[] tails;
        private final List<QueueEntry> returned;

        private Frozen(List<Block> blocks, int[] heads, int[] tails, List<QueueEntry> returned) {
            this.blocks = blocks;
            this.heads = heads;
            this.tails = tails;
            this.returned = returned;
        }

        /** Every message captured, oldest first. */
        void forEach(Consumer<QueueEntry> action) {
            var back = returned.iterator();
            QueueEntry nextBack = back.hasNext() ? back.next() : null;
            for (int b = 0; b < blocks.size(); b++) {
                Block block = blocks.get(b);
                for (int i = heads[b]; i < tails[b]; i++) {
                    long id = block.ids[i];
                    while (nextBack != null && nextBack.id() < id) {
                        action.accept(nextBack);
                        nextBack = back.hasNext() ? back.next() : null;
                    }
                    action.accept(block.entry(i));
                }
            }
            while (nextBack != null) {
                action.accept(nextBack);
                nextBack = back.hasNext() ? back.next() : null;
            }
        }
    }

    void clear() {
        blocks.clear();
        returned.clear();
        size = 0;
        bytes = 0;
    }

    /** Up to {@value #BLOCK} messages as parallel arrays; [head, tail) are ready. */
    private static final class Block {
        final long[] ids;
        final long[] keys;
        final int[] sizes;
        /** The delivery count, and {@link #PERSISTENT} for a persistent message. */
        final int[] meta;
        /** When each expires; null until the block holds a message with a TTL (most never do). */
        long[] expires;
        int head;
        int tail;
        /** Captured by a {@link Frozen} view, which may still read its slots: never reset for reuse. */
        boolean frozen;
        final int level;

        Block(int capacity, int level) {
            this.level = level;
            ids = new long[capacity];
            keys = new long[capacity];
            sizes = new int[capacity];
            meta = new int[capacity];
        }

        int capacity() {
            return ids.length;
        }

        void add(QueueEntry entry) {
            ids[tail] = entry.id();
            keys[tail] = entry.key();
            sizes[tail] = entry.size();
            meta[tail] = entry.deliveryCount() | (entry.persistent() ? PERSISTENT : 0);
            if (entry.expires() && expires == null) {
                expires = new long[capacity()];
                java.util.Arrays.fill(expires, MessageExpiry.NEVER);
            }
            if (expires != null) {
                expires[tail] = entry.expiresAt();
            }
            tail++;
        }

        QueueEntry entry(int i) {
            return new QueueEntry(ids[i], keys[i], sizes[i], (meta[i] & PERSISTENT) != 0, meta[i] & ~PERSISTENT,
                    expires == null ? MessageExpiry.NEVER : expires[i], level);
        }

        QueueEntry poll() {
            return entry(head++);
        }
    }
}
