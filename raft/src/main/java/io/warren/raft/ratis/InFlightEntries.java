package io.warren.raft.ratis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The entries sent to the group and not yet answered, so that they can be sent again, in the order they
 * were first sent, the moment a new leader is known: a request to a leader that froze or was cut off
 * is otherwise answered only by the Raft client's request timeout, and a paused or partitioned leader
 * cost about 6 s before the next confirm (docs/chaos.md). An entry's future completes with the first
 * attempt that commits it, and fails only when every attempt failed; sending one again is safe, as the
 * core applies each (node, epoch, sequence) once. No threads, clocks or Ratis of its own; thread-safe.
 */
final class InFlightEntries {
    /** One way to the group: sends the entry, completing once it is committed and applied. */
    @FunctionalInterface
    interface Route {
        CompletableFuture<Void> send(byte[] entry);
    }

    /**
     * Held while sending, so that resends and new entries leave in order. Never held by an answer's
     * callback, and this object's own monitor (the map) is never held while a route sends: a route's
     * client answers under locks of its own (Ratis' sliding window), and waiting on one of ours there
     * deadlocked the submitter against gRPC's executor (chaos, 2026-12-07).
     */
    private final Object sendOrder = new Object();
    /** Guarded by this object's monitor. */
    private final Map<Long, Attempts> pending = new LinkedHashMap<>();
    private long nextId;

    /** Sends a new entry by {@code route}; its future is the entry's, whichever attempt answers. */
    CompletableFuture<Void> send(byte[] entry, Route route) {
        synchronized (sendOrder) {
            Attempts attempts;
            synchronized (this) {
                attempts = new Attempts(++nextId, entry);
                pending.put(attempts.id, attempts);
            }
            attempts.attempt(route);
            return attempts.result;
        }
    }

    /** Sends every unanswered entry again by {@code route}, oldest first; returns how many. */
    int resendAll(Route route) {
        synchronized (sendOrder) {
            List<Attempts> unanswered;
            synchronized (this) {
                unanswered = new ArrayList<>(pending.values());
            }
            for (Attempts attempts : unanswered) {
                attempts.attempt(route);
            }
            return unanswered.size();
        }
    }

    synchronized int size() {
        return pending.size();
    }

    private synchronized void settled(long id) {
        pending.remove(id);
    }

    /** One entry's attempts: done at the first success, failed when the last outstanding one fails. */
    private final class Attempts {
        final long id;
        final byte[] entry;
        final CompletableFuture<Void> result = new CompletableFuture<>();
        private int outstanding;

        Attempts(long id, byte[] entry) {
            this.id = id;
            this.entry = entry;
        }

        void attempt(Route route) {
            synchronized (this) {
                if (result.isDone()) {
                    return; // answered while the resend was being prepared
                }
                outstanding++;
            }
            CompletableFuture<Void> sent;
            try {
                sent = route.send(entry);
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            sent.whenComplete((ignored, error) -> answered(error));
        }

        private void answered(Throwable error) {
            boolean last;
            synchronized (this) {
                last = --outstanding == 0;
            }
            if (error == null) {
                settled(id);
                result.complete(null);
            } else if (last) {
                settled(id);
                result.completeExceptionally(error);
            }
        }
    }

    /** For tests: the ids of unanswered entries, oldest first. */
    synchronized List<Long> pendingIds() {
        return new ArrayList<>(pending.keySet());
    }
}
