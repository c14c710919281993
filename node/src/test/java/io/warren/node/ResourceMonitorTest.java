package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The memory alarm against readings a test sets: a figure gone stale is measured again, rarely. */
class ResourceMonitorTest {
    private static final long MAX = 1000;

    /** A heap whose after-collection figure changes only when a collection runs. */
    private static final class FakeHeap implements ResourceMonitor.Readings {
        long used;
        long collections;
        long usedAfterNextCollection;
        int collectsAsked;

        @Override
        public long heapUsed() {
            return used;
        }

        @Override
        public long heapMax() {
            return MAX;
        }

        @Override
        public long diskFree() {
            return Long.MAX_VALUE;
        }

        @Override
        public long collections() {
            return collections;
        }

        @Override
        public void collect() {
            collectsAsked++;
            collections++;
            used = usedAfterNextCollection;
        }
    }

    private static FakeHeap heap(long used, long usedAfterNextCollection) {
        FakeHeap heap = new FakeHeap();
        heap.used = used;
        heap.usedAfterNextCollection = usedAfterNextCollection;
        return heap;
    }

    private static ResourceMonitor monitor(FakeHeap heap) {
        // epoch 0: the node has not registered, so nothing is submitted; the alarm state is what is tested
        return new ResourceMonitor("n1", null, () -> 0, heap, 0.8, 0);
    }

    @Test
    void shouldMeasureAStaleFigureAgainAndClearTheAlarmWhenMemoryWasFreed() {
        FakeHeap heap = heap(900, 300);
        ResourceMonitor monitor = monitor(heap);
        monitor.check(); // the first look: no earlier count to compare with
        assertTrue(monitor.memoryAlarm());
        for (int i = 1; i < ResourceMonitor.STALE_CHECKS; i++) {
            monitor.check();
            assertTrue(monitor.memoryAlarm(), "check " + i);
        }
        assertEquals(0, heap.collectsAsked, "not before " + ResourceMonitor.STALE_CHECKS + " stale checks");
        monitor.check();
        assertEquals(1, heap.collectsAsked);
        assertFalse(monitor.memoryAlarm(), "the collection found the memory free: the alarm clears at once");
    }

    @Test
    void shouldNotAskWhileCollectionsKeepTheFigureFresh() {
        FakeHeap heap = heap(900, 900);
        ResourceMonitor monitor = monitor(heap);
        for (int i = 0; i < 50; i++) {
            heap.collections++; // the heap is filling and collected: the figure is fresh and high
            monitor.check();
            assertTrue(monitor.memoryAlarm());
        }
        assertEquals(0, heap.collectsAsked);
    }

    @Test
    void shouldAskEverMoreRarelyWhileTheHeapIsTrulyFull() {
        FakeHeap heap = heap(900, 900);
        ResourceMonitor monitor = monitor(heap);
        int checks = 0;
        int[] askedAt = new int[5];
        while (heap.collectsAsked < askedAt.length) {
            int before = heap.collectsAsked;
            monitor.check();
            checks++;
            if (heap.collectsAsked > before) {
                askedAt[before] = checks;
            }
            assertTrue(monitor.memoryAlarm());
        }
        // 1 + 5 checks, then 10, 20, 40, 60 more: a full heap is measured again at most once a minute
        assertEquals(6, askedAt[0]);
        assertEquals(16, askedAt[1]);
        assertEquals(36, askedAt[2]);
        assertEquals(76, askedAt[3]);
        assertEquals(136, askedAt[4]);
    }

    @Test
    void shouldNotAskBelowTheWatermark() {
        FakeHeap heap = heap(100, 100);
        ResourceMonitor monitor = monitor(heap);
        for (int i = 0; i < 100; i++) {
            monitor.check();
        }
        assertFalse(monitor.memoryAlarm());
        assertEquals(0, heap.collectsAsked);
    }
}
