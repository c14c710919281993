package io.warren.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The credit one channel's consumers get from this node (issue 11, point 5). Each consumer starts with
 * {@link #WINDOW} deliveries; once half of them were handed to a socket that still takes writes, they
 * are granted again. While the socket is not writable nothing is granted, so a consumer that does not
 * read (no-ack, or no prefetch limit) holds at most a window of deliveries in this node's memory, and the
 * rest wait in the store, not the heap. Threads: deliveries come on the apply thread, writability on the
 * event loop; one lock.
 */
final class ConsumerCredit {
    /** Deliveries a consumer may have in flight before this node grants more. */
    static final int WINDOW = 512;
    private static final int GRANT_AT = WINDOW / 2;

    /** A grant to send: {@code credit} more deliveries for consumer {@code tag}. */
    record Grant(String tag, int credit) {}

    private final Map<String, Integer> deliveredSinceGrant = new LinkedHashMap<>();
    private boolean withheld;

    synchronized void started(String tag) {
        deliveredSinceGrant.put(tag, 0);
    }

    synchronized void ended(String tag) {
        deliveredSinceGrant.remove(tag);
    }

    /** A delivery was handed to the socket; returns the grant to send now, if any. */
    synchronized Grant delivered(String tag, boolean writable) {
        // A consumer's first deliveries can come in the entry that started it, before its tag is known here.
        int count = deliveredSinceGrant.getOrDefault(tag, 0) + 1;
        if (count >= GRANT_AT && writable) {
            deliveredSinceGrant.put(tag, 0);
            return new Grant(tag, count);
        }
        deliveredSinceGrant.put(tag, count);
        if (count >= GRANT_AT && !withheld) {
            withheld = true;
        }
        return null;
    }

    /** True once per stretch of holding back, for one log line. */
    synchronized boolean takeWithheldNotice() {
        if (withheld) {
            withheld = false;
            return true;
        }
        return false;
    }

    /** The socket takes writes again: everything delivered since the last grants is granted. */
    synchronized List<Grant> writable() {
        List<Grant> grants = new ArrayList<>();
        for (var entry : deliveredSinceGrant.entrySet()) {
            if (entry.getValue() > 0) {
                grants.add(new Grant(entry.getKey(), entry.getValue()));
                entry.setValue(0);
            }
        }
        return grants;
    }
}
