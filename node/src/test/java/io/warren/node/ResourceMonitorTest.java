package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The memory alarm against readings a test sets: raised only when a collection confirms it, a figure gone
 * stale is measured again, rarely.
 */
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
    void shouldRaiseOnlyWhenACollectionConfirmsTheFigure() {
        FakeHeap heap = heap(900, 900);
        ResourceMonitor monitor = monitor(heap);
        monitor.check();
        assertEquals(1, heap.collectsAsked);
        assertTrue(monitor.memoryAlarm(), "a collection of the whole heap found it above the watermark");
    }

    @Test
    void shouldTakeAFigureAboveTheWatermarkForGarbageForEverLongerWhileConfirmationsFindGarbage() {
        FakeHeap heap = heap(900, 300);
        ResourceMonitor monitor = monitor(heap);
        int[] confirmedAt = collectionsAskedAt(6, heap, monitor, () -> {
            heap.used = 900; // young collections keep counting the old generation's garbage
            heap.collections++;
        }, false);
        // at once, then after 5, 10, 20, 30, 30 checks that were not confirmed
        assertArrayEquals(new int[] {1, 7, 18, 39, 70, 101}, confirmedAt);
    }

    @Test
    void shouldConfirmAtOnceWhenTheWatermarkMoves() {
        FakeHeap heap = heap(900, 300);
        ResourceMonitor monitor = monitor(heap);
        monitor.check(); // garbage: the next figures above 0.8 go unconfirmed for a while
        heap.used = 900;
        monitor.check();
        assertEquals(1, heap.collectsAsked);
        monitor.setMemoryHighWatermark(0.2);
        monitor.check();
        assertEquals(2, heap.collectsAsked, "a new watermark is confirmed against at once");
        assertTrue(monitor.memoryAlarm(), "300 of 1000 is above 0.2");
    }

    @Test
    void shouldMeasureAStaleFigureAgainAndClearTheAlarmWhenMemoryWasFreed() {
        FakeHeap heap = heap(900, 900);
        ResourceMonitor monitor = monitor(heap);
        monitor.check();
        assertTrue(monitor.memoryAlarm());
        heap.usedAfterNextCollection = 300; // memory freed, but no collection comes to show it
        for (int i = 1; i < ResourceMonitor.STALE_CHECKS; i++) {
            monitor.check();
            assertTrue(monitor.memoryAlarm(), "check " + i);
        }
        assertEquals(1, heap.collectsAsked, "not before " + ResourceMonitor.STALE_CHECKS + " stale checks");
        monitor.check();
        assertEquals(2, heap.collectsAsked);
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
        assertEquals(1, heap.collectsAsked, "only the confirmation before raising");
    }

    @Test
    void shouldAskEverMoreRarelyWhileTheHeapIsTrulyFull() {
        FakeHeap heap = heap(900, 900);
        ResourceMonitor monitor = monitor(heap);
        int[] askedAt = collectionsAskedAt(6, heap, monitor, () -> { }, true);
        // the confirmation, then after 5, 10, 20, 40, 60 stale checks: a full heap is measured again at most
        // once a minute
        assertArrayEquals(new int[] {1, 6, 16, 36, 76, 136}, askedAt);
    }

    /** Checks until COUNT collections were asked for; which checks asked, each alarm as ALARM says. */
    private static int[] collectionsAskedAt(int count, FakeHeap heap, ResourceMonitor monitor, Runnable beforeCheck,
            boolean alarm) {
        int[] askedAt = new int[count];
        int checks = 0;
        while (heap.collectsAsked < count) {
            int before = heap.collectsAsked;
            beforeCheck.run();
            monitor.check();
            checks++;
            assertEquals(alarm, monitor.memoryAlarm(), "check " + checks);
            if (heap.collectsAsked > before) {
                askedAt[before] = checks;
            }
        }
        return askedAt;
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
