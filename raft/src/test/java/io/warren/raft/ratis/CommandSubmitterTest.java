package io.warren.raft.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.warren.proto.Ack;
import io.warren.proto.Batch;
import io.warren.proto.ChannelRef;
import io.warren.proto.Command;
import io.warren.proto.ConnectionRef;
import io.warren.proto.Publish;
import io.warren.raft.store.StoreRecords;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit against a recording log whose appends the test completes by hand: commands of several
 * channels share one entry while an earlier entry is in flight; entries in flight and bytes per entry
 * stay within their limits; the backlog raises and clears backpressure; a failed append reports exactly
 * its own commands. Every wait has a deadline; the only waits for absence are bounded polls, which can
 * make a broken submitter pass on a slow machine but never make a correct one fail.
 */
class CommandSubmitterTest {
    private static final long WAIT_SECONDS = 10;

    private final RecordingLog log = new RecordingLog();
    private final RecordingListener listener = new RecordingListener();
    private CommandSubmitter submitter;

    @AfterEach
    void close() {
        if (submitter != null) {
            submitter.close();
        }
    }

    private void start(int inFlight, int entryBytes, long queuedBytes) {
        start(inFlight, entryBytes, queuedBytes, 0);
    }

    private void start(int inFlight, int entryBytes, long queuedBytes, long resendWindowMs) {
        start(new CommandSubmitter.Limits(inFlight, entryBytes, queuedBytes, resendWindowMs));
    }

    private void start(CommandSubmitter.Limits limits) {
        submitter = new CommandSubmitter(log, "n1", limits, listener);
        submitter.useEpoch(3);
        submitter.start();
    }

    @Test
    void shouldHoldAnEntryThatIsNotFullUntilTheOneOutIsAnsweredOrAFullOneWaits() throws Exception {
        start(new CommandSubmitter.Limits(4, 1, 1024, 1 << 20, 0));
        submitPublish(1, 1, 700);
        Appended first = log.next();
        submitPublish(1, 2, 700);
        assertNull(log.poll(), "700 bytes are not a full entry: they wait while one entry is out");
        submitPublish(1, 3, 700);
        Appended second = log.next();
        assertEquals(2, second.batch.getCommands(0).getPublish().getConfirmSequence(),
                "1,400 bytes wait, more than an entry holds: the full entry goes beside the first");
        assertEquals(1, second.batch.getCommandsCount());
        assertNull(log.poll(), "the third publish is not a full entry, and two are out");
        first.commit();
        assertNull(log.poll(), "one entry is still out");
        second.commit();
        Appended third = log.next();
        assertEquals(3, third.batch.getCommands(0).getPublish().getConfirmSequence(), "nothing out: it goes");
    }

    @Test
    void shouldSendEachPublishsMessageBesideTheBatchUnderItsPosition() throws Exception {
        start(1, 1 << 16, 1 << 20);
        submitter.submit(ack(1, 1));
        Appended first = log.next();
        assertTrue(first.messages.isEmpty(), "an entry without publishes carries no messages");
        submitter.submit(ack(1, 2));
        submitPublish(2, 1, 10);
        submitPublish(3, 1, 20);
        first.commit();
        Appended second = log.next();
        assertEquals(3, second.batch.getCommandsCount());
        assertEquals(List.of(1, 2), second.messages.stream().map(StoreRecords.Record::position).toList(),
                "each message names its publish's place in the batch");
        assertEquals(List.of(message(10), message(20)),
                second.messages.stream().map(StoreRecords.Record::content).toList());
        assertEquals(message(20).size(), second.batch.getCommands(2).getPublish().getSize());
    }

    @Test
    void shouldGatherTheCommandsOfSeveralChannelsIntoOneEntryWhileAnEarlierEntryIsInFlight() throws Exception {
        start(1, 1 << 16, 1 << 20);
        submitter.submit(ack(1, 1));
        Appended first = log.next();
        assertEquals(1, first.batch.getCommandsCount());
        for (int channel = 1; channel <= 3; channel++) {
            submitter.submit(ack(channel, 10 + channel));
        }
        assertNull(log.poll(), "nothing else is sent while the limit of one entry is in flight");
        first.commit();
        Appended second = log.next();
        assertEquals(List.of(1L, 2L, 3L), second.batch.getCommandsList().stream()
                .map(c -> c.getChannel().getId()).toList(), "one entry holds the three channels' commands, in order");
        assertEquals("n1", second.batch.getNode());
        assertEquals(3, second.batch.getEpoch());
        assertEquals(List.of(1L, 2L), List.of(first.batch.getSequence(), second.batch.getSequence()),
                "per-node sequence numbers, so a resent batch is recognised");
    }

    @Test
    void shouldNeverHaveMoreEntriesInFlightThanTheLimit() throws Exception {
        start(2, 1024, 1 << 20);
        for (int i = 0; i < 6; i++) {
            submitPublish(1, i + 1, 700); // one command per entry: two do not fit in 1024 bytes
        }
        List<Appended> seen = new ArrayList<>();
        seen.add(log.next());
        seen.add(log.next());
        assertNull(log.poll(), "a third entry waits for one of the two in flight");
        while (seen.size() < 6) {
            seen.get(seen.size() - 2).commit();
            seen.add(log.next());
            assertTrue(log.maxOutstanding() <= 2, "outstanding entries: " + log.maxOutstanding());
        }
        seen.forEach(Appended::commit);
        for (Appended entry : seen) {
            assertEquals(1, entry.batch.getCommandsCount());
            assertTrue(entry.bytes <= 1024 + 64, "entry of " + entry.bytes + " bytes");
        }
        assertEquals(2, log.maxOutstanding());
    }

    @Test
    void shouldSendACommandLargerThanAnEntryAlone() throws Exception {
        start(1, 1024, 1 << 20);
        submitter.submit(ack(1, 1));
        Appended first = log.next();
        submitPublish(1, 1, 5000);
        submitter.submit(ack(2, 2));
        first.commit();
        Appended large = log.next();
        assertEquals(1, large.batch.getCommandsCount());
        assertTrue(large.batch.getCommands(0).hasPublish());
        large.commit();
        assertTrue(log.next().batch.getCommands(0).hasAck());
    }

    @Test
    void shouldBlockPublishersAboveTheBacklogLimitAndUnblockBelowHalf() throws Exception {
        start(1, 4096, 8192);
        submitter.submit(ack(1, 1));
        Appended held = log.next();
        for (int i = 0; i < 12; i++) {
            submitPublish(1, i + 1, 1000);
        }
        assertEquals(List.of(true), listener.backpressure, "blocked as soon as the backlog passed 8192 bytes");
        held.commit();
        Appended entry = log.next(); // three commands (about 3 KiB) in flight: they count until committed
        assertEquals(3, entry.batch.getCommandsCount());
        assertEquals(List.of(true), listener.backpressure);
        int entries = 1;
        while (listener.backpressure.size() < 2 && entries < 12) {
            entry.commit();
            entry = log.next();
            entries++;
        }
        entry.commit();
        assertEquals(List.of(true, false), listener.backpressure);
        assertEquals(4, entries, "unblocked when the third entry of publishes committed, leaving under 4096 bytes"
                + " queued or in flight");
    }

    @Test
    void shouldEndUnblockedWhenSubmittersAndTheSenderRaceAroundTheLimit() throws Exception {
        // Regression: "blocked" from an event loop once overtook "unblocked" from the sender, leaving the
        // node's publishers blocked forever with nothing queued. Each round submits commands larger than
        // the limit from two threads against a log that commits at once; when all is drained the last
        // word must be "unblocked". A broken submitter fails some rounds; a correct one never fails.
        EntryLog instant = entry -> CompletableFuture.completedFuture(null);
        for (int round = 0; round < 200; round++) {
            RecordingListener heard = new RecordingListener();
            CountDownLatch sent = new CountDownLatch(40);
            CommandSubmitter racing = new CommandSubmitter(entry -> {
                sent.countDown();
                return instant.append(entry);
            }, "n1", new CommandSubmitter.Limits(1, 1024, 2048, 0), heard);
            racing.useEpoch(1);
            racing.start();
            Thread[] threads = new Thread[2];
            for (int t = 0; t < threads.length; t++) {
                threads[t] = new Thread(() -> {
                    for (int i = 0; i < 20; i++) {
                        racing.submit(publish(1, i + 1, 3000), message(3000));
                    }
                });
                threads[t].start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertTrue(sent.await(WAIT_SECONDS, TimeUnit.SECONDS), "round " + round + ": all 40 sent");
            // The last entry's bytes leave the backlog once its commit is heard, just after it was sent.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (!heard.backpressure.isEmpty() && heard.backpressure.get(heard.backpressure.size() - 1)
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            racing.close();
            // No word at all is fine too: the sender may have drained each command before the check.
            List<Boolean> words = List.copyOf(heard.backpressure);
            assertTrue(words.isEmpty() || !words.get(words.size() - 1), "round " + round + ": " + words);
        }
    }

    @Test
    void shouldResendAFailedEntryUnchangedBeforeAnythingNewer() throws Exception {
        start(2, 1 << 16, 1 << 20, 60_000);
        submitter.submit(ack(1, 1));
        Appended first = log.next();
        first.fail(new IOException("leader stepping down"));
        Appended again = log.next();
        assertEquals(first.batch, again.batch, "the same entry, same sequence: the core applies it once");
        submitter.submit(ack(2, 2));
        again.commit();
        Appended newer = log.next();
        assertEquals(first.batch.getSequence() + 1, newer.batch.getSequence());
        newer.commit();
        assertNull(listener.failed.poll(300, TimeUnit.MILLISECONDS), "nobody was told of a failure");
    }

    @Test
    void shouldReportExactlyTheCommandsOfAFailedEntry() throws Exception {
        start(1, 1 << 16, 1 << 20);
        submitter.submit(ack(1, 1));
        Appended first = log.next();
        submitPublish(2, 7, 10);
        submitter.submit(ack(3, 8));
        first.commit();
        Appended second = log.next();
        second.fail(new IOException("leader lost"));
        List<Command> failed = listener.failed.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(failed);
        assertEquals(second.batch.getCommandsList(), failed);
        assertEquals("leader lost", listener.causes.get(0).getMessage());
        submitter.submit(ack(4, 9));
        assertEquals(4, log.next().batch.getCommands(0).getChannel().getId(), "the submitter goes on after a failure");
    }

    private static ChannelRef channel(long id) {
        return ChannelRef.newBuilder().setConnection(ConnectionRef.newBuilder().setNode("n1").setEpoch(3).setId(100))
                .setId(id).setNumber((int) id).build();
    }

    private static Command ack(long channel, long tag) {
        return Command.newBuilder().setChannel(channel(channel)).setAck(Ack.newBuilder().setDeliveryTag(tag)).build();
    }

    private static Command publish(long channel, long sequence, int bodyBytes) {
        return Command.newBuilder().setChannel(channel(channel)).setPublish(Publish.newBuilder().setRoutingKey("q")
                .setConfirmSequence(sequence).setSize(message(bodyBytes).size())).build();
    }

    private static ByteString message(int bodyBytes) {
        return new io.warren.raft.store.StoredMessage("", "q", ByteString.EMPTY, ByteString.copyFrom(new byte[bodyBytes]))
                .encode();
    }

    private void submitPublish(long channel, long sequence, int bodyBytes) {
        submitter.submit(publish(channel, sequence, bodyBytes), message(bodyBytes));
    }

    /** One entry the submitter appended, which the test commits or fails. */
    private record Appended(Batch batch, List<StoreRecords.Record> messages, int bytes, CompletableFuture<Void> outcome,
            AtomicInteger outstanding) {
        void commit() {
            if (!outcome.isDone()) {
                outstanding.decrementAndGet();
                outcome.complete(null);
            }
        }

        void fail(Throwable cause) {
            outstanding.decrementAndGet();
            outcome.completeExceptionally(cause);
        }
    }

    private static final class RecordingLog implements EntryLog {
        private final BlockingQueue<Appended> appended = new LinkedBlockingQueue<>();
        private final AtomicInteger outstanding = new AtomicInteger();
        private final AtomicInteger maxOutstanding = new AtomicInteger();

        @Override
        public CompletableFuture<Void> append(byte[] entry) {
            CompletableFuture<Void> outcome = new CompletableFuture<>();
            maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
            try {
                EntryFrame.Parts parts = EntryFrame.split(java.nio.ByteBuffer.wrap(entry));
                appended.add(new Appended(Batch.parseFrom(parts.batch()),
                        StoreRecords.parse(ByteString.copyFrom(parts.messages())), entry.length, outcome, outstanding));
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError("the submitter sent something that is not a Batch", e);
            }
            return outcome;
        }

        Appended next() throws InterruptedException {
            Appended entry = appended.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(entry, "no entry appended within " + WAIT_SECONDS + " s");
            return entry;
        }

        Appended poll() throws InterruptedException {
            return appended.poll(300, TimeUnit.MILLISECONDS);
        }

        int maxOutstanding() {
            return maxOutstanding.get();
        }
    }

    private static final class RecordingListener implements CommandSubmitter.Listener {
        final BlockingQueue<List<Command>> failed = new LinkedBlockingQueue<>();
        final List<Throwable> causes = new CopyOnWriteArrayList<>();
        final List<Boolean> backpressure = new CopyOnWriteArrayList<>();

        @Override
        public void failed(List<Command> commands, Throwable cause) {
            causes.add(cause);
            failed.add(commands);
        }

        @Override
        public void backpressure(boolean blocked) {
            backpressure.add(blocked);
        }
    }
}
