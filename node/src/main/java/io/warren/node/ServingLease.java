package io.warren.node;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How long this node may still speak for the replicated state (issue 19): a lease on serving, on the monotonic
 * clock, extended from each contact with a working majority and never past {@code duration} after it. The AMQP
 * front end asks {@link #holds} before it writes or flushes anything the state decided, so output queued before
 * a pause or a partition longer than the lease never leaves. {@link NodeLiveness} alone extends and revokes it;
 * a lease that lapsed is not extended again in the same epoch: the node suspends and serves again only under a
 * new one.
 *
 * <p>Why this is safe: the leader declares a node down (and hands its unacked deliveries to others) only after
 * hearing nothing from it for {@code node.down.after.ms}, and a new leader counts that silence from at most the
 * election timeout's spread before it took over; the lease is shorter by at least that spread, so it has lapsed
 * before anything the node held can be delivered elsewhere. See NodeLiveness.Timing for the check at start.
 */
final class ServingLease {
    private final LongSupplier nanoTime;
    private final long durationNanos;
    /** Written only by liveness; read by every event loop. */
    private volatile long expiresAtNanos;
    private volatile boolean granted;

    ServingLease(long durationMs, LongSupplier nanoTime) {
        this.durationNanos = TimeUnit.MILLISECONDS.toNanos(durationMs);
        this.nanoTime = nanoTime;
    }

    /** True while the lease holds: granted, and not past its end. Cheap: two volatile reads and the clock. */
    boolean holds() {
        return granted && nanoTime.getAsLong() - expiresAtNanos <= 0;
    }

    /** Extends the lease to {@code duration} after a contact with the majority at {@code contactNanos}. */
    void extendFrom(long contactNanos) {
        long expires = contactNanos + durationNanos;
        if (!granted || expires - expiresAtNanos > 0) {
            expiresAtNanos = expires;
        }
        granted = true;
    }

    /** Ends the lease now (the node stops serving). */
    void revoke() {
        granted = false;
    }

    /** How long ago the lease ended, in ms (0 while it holds or was revoked rather than lapsed). */
    long lapsedForMs() {
        long over = nanoTime.getAsLong() - expiresAtNanos;
        return granted && over > 0 ? TimeUnit.NANOSECONDS.toMillis(over) : 0;
    }
}
