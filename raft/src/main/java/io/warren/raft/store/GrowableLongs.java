package io.warren.raft.store;

import java.util.Arrays;

/** A growable array of longs: 8 bytes an element, no boxing. */
final class GrowableLongs {
    private long[] values = new long[16];
    private int size;

    void add(long value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    long get(int i) {
        return values[i];
    }

    int size() {
        return size;
    }

    /** Keeps the first {@code newSize} elements. */
    void truncate(int newSize) {
        size = Math.min(size, newSize);
    }

    /** The index of {@code value} in an ascending array, or a negative number as {@link Arrays#binarySearch}. */
    int search(long value) {
        return Arrays.binarySearch(values, 0, size, value);
    }

    /** The number of elements at most {@code value}, in an ascending array. */
    int countAtMost(long value) {
        int found = search(value);
        return found >= 0 ? found + 1 : -found - 1;
    }
}
