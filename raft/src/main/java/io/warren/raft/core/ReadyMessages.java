package io.warren.raft.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A queue's ready messages: one {@link ReadyLane} per priority level (a queue without x-max-priority has
 * one), the highest level's oldest message first, as RabbitMQ 3.10's classic priority queues deliver
 * (probed: docs/probes/priority-1.py). A lane is made when a message of its level first arrives, so a queue
 * declaring 255 levels and using two holds two. Within a level a requeued message keeps its place.
 */
final class ReadyMessages {
    private final ReadyLane[] lanes;
    /** No lane above this level holds a message; -1 when none does. */
    private int top = -1;
    private int size;
    private long bytes;

    /** A queue without priorities. */
    ReadyMessages() {
        this(0);
    }

    ReadyMessages(int maxPriority) {
        lanes = new ReadyLane[maxPriority + 1];
    }

    /** The highest level this queue keeps: a message of a higher priority is kept at this one. */
    int maxPriority() {
        return lanes.length - 1;
    }

    /** A message of this queue, newer than any of its level it holds (else it takes its place by id). */
    void append(QueueEntry entry) {
        lane(entry.priority()).append(entry);
        added(entry);
    }

    /** A delivered message back in its original place among those of its level. */
    void requeue(QueueEntry entry) {
        lane(entry.priority()).requeue(entry);
        added(entry);
    }

    private ReadyLane lane(int level) {
        if (level < 0 || level >= lanes.length) {
            throw new IllegalArgumentException("priority level " + level + " in a queue of " + lanes.length);
        }
        if (lanes[level] == null) {
            lanes[level] = new ReadyLane(level);
        }
        return lanes[level];
    }

    private void added(QueueEntry entry) {
        size++;
        bytes += entry.size();
        top = Math.max(top, entry.priority());
    }

    /**
     * The earliest expiry among the oldest messages of each level ({@link MessageExpiry#NEVER} when none
     * has a TTL): a level's head expires whether or not a higher level holds messages.
     */
    long headExpiresAt() {
        long earliest = MessageExpiry.NEVER;
        for (int level = top; level >= 0; level--) {
            ReadyLane lane = lanes[level];
            if (lane != null && !lane.isEmpty()) {
                earliest = Math.min(earliest, lane.headExpiresAt());
            }
        }
        return earliest;
    }

    /** Takes the oldest message of the highest level that holds one, or null. */
    QueueEntry pollFirst() {
        while (top >= 0 && (lanes[top] == null || lanes[top].isEmpty())) {
            top--;
        }
        return top < 0 ? null : taken(lanes[top].pollFirst());
    }

    /** Takes the level head that expires first (the one {@link #headExpiresAt} names), or null when none is ready. */
    QueueEntry pollSoonestExpiring() {
        ReadyLane soonest = null;
        for (int level = top; level >= 0; level--) {
            ReadyLane lane = lanes[level];
            if (lane != null && !lane.isEmpty()
                    && (soonest == null || lane.headExpiresAt() < soonest.headExpiresAt())) {
                soonest = lane;
            }
        }
        return soonest == null ? null : taken(soonest.pollFirst());
    }

    private QueueEntry taken(QueueEntry entry) {
        size--;
        bytes -= entry.size();
        return entry;
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

    /** Every ready message, in delivery order. */
    void forEach(Consumer<QueueEntry> action) {
        freeze().forEach(action);
    }

    /** Removes the messages that match, keeping the order of the rest. */
    void removeIf(Predicate<QueueEntry> condition) {
        size = 0;
        bytes = 0;
        for (ReadyLane lane : lanes) {
            if (lane != null) {
                lane.removeIf(condition);
                size += lane.size();
                bytes += lane.bytes();
            }
        }
    }

    /** A view of the messages ready now that stays true while this queue changes ({@link ReadyLane#freeze}). */
    Frozen freeze() {
        List<ReadyLane.Frozen> frozen = new ArrayList<>();
        for (int level = top; level >= 0; level--) {
            if (lanes[level] != null && !lanes[level].isEmpty()) {
                frozen.add(lanes[level].freeze());
            }
        }
        return new Frozen(frozen);
    }

    /** What {@link #freeze} captured, highest level first; may be read from another thread once handed over. */
    static final class Frozen {
        private final List<ReadyLane.Frozen> lanes;

        private Frozen(List<ReadyLane.Frozen> lanes) {
            this.lanes = lanes;
        }

        /** Every message captured, in delivery order. */
        void forEach(Consumer<QueueEntry> action) {
            lanes.forEach(lane -> lane.forEach(action));
        }
    }

    void clear() {
        java.util.Arrays.fill(lanes, null);
        top = -1;
        size = 0;
        bytes = 0;
    }
}
