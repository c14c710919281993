package io.warren.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
            Random random = new Random(seed);
            ReadyMessages ready = new ReadyMessages();
            TreeMap<Long, QueueEntry> model = new TreeMap<>();
            List<QueueEntry> out = new ArrayList<>();
            long nextId = 1;
            ReadyMessages.Frozen frozen = null;
            List<QueueEntry> atFreeze = null;
            for (int step = 0; step < 20_000; step++) {
                int op = random.nextInt(10);
                if (op < 5) {
                    QueueEntry entry = new QueueEntry(nextId, nextId * 31, random.nextInt(5000), random.nextBoolean(), 0);
                    nextId++;
                    ready.append(entry);
                    model.put(entry.id(), entry);
                } else if (op < 8) {
                    var expected = model.pollFirstEntry();
                    QueueEntry taken = ready.pollFirst();
                    assertEquals(expected == null ? null : expected.getValue(), taken, "seed " + seed);
                    if (taken != null) {
                        out.add(taken.delivered());
                    }
                } else if (op < 9 && !out.isEmpty()) {
                    QueueEntry back = out.remove(random.nextInt(out.size()));
                    ready.requeue(back);
                    model.put(back.id(), back);
                } else if (random.nextInt(50) == 0) {
                    ready.removeIf(e -> !e.persistent());
                    model.values().removeIf(e -> !e.persistent());
                }
                assertEquals(model.size(), ready.size());
                if (step == 10_000) {
                    frozen = ready.freeze();
                    atFreeze = new ArrayList<>(model.values());
                }
            }
            List<QueueEntry> frozenEntries = new ArrayList<>();
            frozen.forEach(frozenEntries::add);
            assertEquals(atFreeze, frozenEntries, "seed " + seed + ": a frozen view keeps what was ready then");
            List<QueueEntry> inOrder = new ArrayList<>();
            ready.forEach(inOrder::add);
            assertEquals(new ArrayList<>(model.values()), inOrder, "seed " + seed);
            assertEquals(model.values().stream().mapToLong(QueueEntry::size).sum(), ready.bytes());
            ready.clear();
            assertNull(ready.pollFirst());
        }
    }
}
