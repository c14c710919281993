package io.warren.raft.store;

import java.util.Arrays;

/** A growable array of ints: 4 bytes an element, no boxing. */
final class GrowableInts {
    private int[] values = new int[16];
    private int size;

    void add(int value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    int get(int i) {
        return values[i];
    }

    int size() {
        return size;
    }

    void truncate(int newSize) {
        size = Math.min(size, newSize);
    }
}
