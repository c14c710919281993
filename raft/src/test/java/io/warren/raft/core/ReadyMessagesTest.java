package io.warren.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The compact ready list against a sorted map of the same messages, under random appends, polls and requeues. */
class ReadyMessagesTest {

    @Test
    void shouldBehaveAsASortedMapOfMessagesById() {
        for (long seed = 1; seed <= 50; seed++) {
            exercise(seed, 50); // a backlog that grows: many blocks
        }
    }

    @Test
    void shouldKeepFrozenViewsTrueWhileAQueueKeptNearlyEmptyReusesItsBlock() {
        for (long seed = 1; seed <= 50; seed++) {
            exercise(seed, 30); // a consumer that keeps up: the queue drains to empty again and again
        }
    }

    /** Random appends ({@code appendPercent} of the steps), polls, requeues and removals, with frozen views. */
    private static void exercise(long seed, int appendPercent) {
        Random random = new Random(seed);
        ReadyMessages ready = new ReadyMessages();
        TreeMap<Long, QueueEntry> model = new TreeMap<>();
        List<QueueEntry> out = new ArrayList<>();
        long nextId = 1;
        List<ReadyMessages.Frozen> frozen = new ArrayList<>();
        List<List<QueueEntry>> atFreeze = new ArrayList<>();
        int drained = 0;
        for (int step = 0; step < 20_000; step++) {
            int op = random.nextInt(100);
            if (op < appendPercent) {
                QueueEntry entry = new QueueEntry(nextId, nextId * 31, random.nextInt(5000), random.nextBoolean(), 0);
                nextId++;
                ready.append(entry);
                model.put(entry.id(), entry);
            } else if (op < 80) {
                var expected = model.pollFirstEntry();
                QueueEntry taken = ready.pollFirst();
                assertEquals(expected == null ? null : expected.getValue(), taken, "seed " + seed);
                if (taken != null) {
                    out.add(taken.delivered());
                    drained += model.isEmpty() ? 1 : 0;
                }
            } else if (op < 90 && !out.isEmpty()) {
                QueueEntry back = out.remove(random.nextInt(out.size()));
                ready.requeue(back);
                model.put(back.id(), back);
            } else if (random.nextInt(50) == 0) {
                ready.removeIf(e -> !e.persistent());
                model.values().removeIf(e -> !e.persistent());
            }
            assertEquals(model.size(), ready.size());
            if (step % 997 == 0) {
                frozen.add(ready.freeze());
                atFreeze.add(new ArrayList<>(model.values()));
            }
        }
        for (int i = 0; i < frozen.size(); i++) {
            List<QueueEntry> frozenEntries = new ArrayList<>();
            frozen.get(i).forEach(frozenEntries::add);
            assertEquals(atFreeze.get(i), frozenEntries, "seed " + seed + ": a frozen view keeps what was ready then");
        }
        if (appendPercent < 40) {
            assertTrue(drained > 100, "seed " + seed + ": the queue drained to empty only " + drained + " times");
        }
        List<QueueEntry> inOrder = new ArrayList<>();
        ready.forEach(inOrder::add);
        assertEquals(new ArrayList<>(model.values()), inOrder, "seed " + seed);
        assertEquals(model.values().stream().mapToLong(QueueEntry::size).sum(), ready.bytes());
        ready.clear();
        assertNull(ready.pollFirst());
    }
}
