package io.warren.raft.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Entries in flight are sent again, in order, on a new route; the first commit answers, all failures fail. */
class InFlightEntriesTest {
    /** A route that records what it was given and leaves each answer to the test. */
    private static final class ManualRoute implements InFlightEntries.Route {
        final List<String> sent = new ArrayList<>();
        final List<CompletableFuture<Void>> answers = new ArrayList<>();

        @Override
        public CompletableFuture<Void> send(byte[] entry) {
            sent.add(new String(entry));
            CompletableFuture<Void> answer = new CompletableFuture<>();
            answers.add(answer);
            return answer;
        }
    }

    private final InFlightEntries entries = new InFlightEntries();

    @Test
    void unansweredEntriesAreSentAgainInOrderAndTheFirstCommitAnswers() {
        ManualRoute oldLeader = new ManualRoute();
        CompletableFuture<Void> first = entries.send("a".getBytes(), oldLeader);
        CompletableFuture<Void> second = entries.send("b".getBytes(), oldLeader);
        CompletableFuture<Void> third = entries.send("c".getBytes(), oldLeader);
        oldLeader.answers.get(1).complete(null); // b was committed before the leader froze
        ManualRoute newLeader = new ManualRoute();
        assertEquals(2, entries.resendAll(newLeader));
        assertEquals(List.of("a", "c"), newLeader.sent, "only the unanswered, oldest first");
        newLeader.answers.forEach(answer -> answer.complete(null));
        assertTrue(first.isDone() && !first.isCompletedExceptionally());
        assertTrue(second.isDone() && third.isDone());
        assertEquals(0, entries.size());
        oldLeader.answers.get(0).completeExceptionally(new RuntimeException("request timeout, late"));
        assertFalse(first.isCompletedExceptionally(), "a late failure of the first attempt changes nothing");
    }

    @Test
    void anEntryFailsOnlyWhenEveryAttemptFailed() throws Exception {
        ManualRoute oldLeader = new ManualRoute();
        CompletableFuture<Void> entry = entries.send("a".getBytes(), oldLeader);
        ManualRoute newLeader = new ManualRoute();
        entries.resendAll(newLeader);
        oldLeader.answers.get(0).completeExceptionally(new RuntimeException("old leader gone"));
        assertFalse(entry.isDone(), "the resend is still out");
        newLeader.answers.get(0).completeExceptionally(new RuntimeException("new leader stepped down"));
        ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                entry::get);
        assertEquals("new leader stepped down", failed.getCause().getMessage());
        assertEquals(0, entries.resendAll(new ManualRoute()), "a failed entry is the submitter's to resend");
    }

    @Test
    void bothAttemptsCommittingAnswersOnceAndARouteThatThrowsIsAFailedAttempt() {
        ManualRoute oldLeader = new ManualRoute();
        CompletableFuture<Void> entry = entries.send("a".getBytes(), oldLeader);
        entries.resendAll(bytes -> {
            throw new IllegalStateException("client closed");
        });
        assertFalse(entry.isDone(), "the first attempt is still out");
        ManualRoute again = new ManualRoute();
        entries.resendAll(again);
        again.answers.get(0).complete(null);
        oldLeader.answers.get(0).complete(null); // the old leader's copy committed too: applied once by the core
        assertTrue(entry.isDone() && !entry.isCompletedExceptionally());
        assertEquals(List.of(), entries.pendingIds());
    }

    /**
     * Ratis' client answers under its sliding window's lock, which its send takes too: answers arriving
     * while the submitter sends must not wait on the submitter (the chaos run of 2026-12-07 deadlocked).
     */
    @Test
    void answersUnderTheRoutesOwnLockDoNotDeadlockASend() throws Exception {
        Object window = new Object();
        List<CompletableFuture<Void>> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        InFlightEntries.Route locking = bytes -> {
            synchronized (window) {
                CompletableFuture<Void> answer = new CompletableFuture<>();
                answers.add(answer);
                return answer;
            }
        };
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread answerer = new Thread(() -> {
            while (!stop.get()) {
                synchronized (window) {
                    answers.forEach(answer -> answer.complete(null));
                    answers.clear();
                }
            }
        });
        List<CompletableFuture<Void>> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread sender = new Thread(() -> {
            for (int i = 0; i < 20_000; i++) {
                sent.add(entries.send(new byte[] {(byte) i}, locking));
                if (i % 50 == 0) {
                    entries.resendAll(locking);
                }
            }
        });
        answerer.setDaemon(true);
        sender.setDaemon(true);
        answerer.start();
        sender.start();
        sender.join(30_000);
        stop.set(true);
        assertFalse(sender.isAlive(), "the sender finished: no deadlock with the answering thread");
        answerer.join(30_000);
        synchronized (window) {
            answers.forEach(answer -> answer.complete(null));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(0, entries.size());
    }
}
