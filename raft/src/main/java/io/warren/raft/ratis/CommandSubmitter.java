package io.warren.raft.ratis;

import io.warren.proto.Batch;
import io.warren.proto.Command;
import io.warren.raft.core.Commands;
import io.warren.raft.core.MessageKeys;
import io.warren.raft.store.StoreRecords;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: gathers the commands of all the node's channels into one Raft entry while earlier
 * entries are in flight. At most {@code entriesInFlightMax} entries are outstanding; an entry holds at
 * most {@code entryBytesMax} bytes of commands (one larger command goes alone). An entry that is not full
 * waits while {@code partialEntriesInFlightMax} entries are out: the cost of an entry on every node (two
 * writes and fsyncs, the append round trip) hardly depends on its size, so on a busy node fewer, fuller
 * entries commit sooner than many small ones (docs/performance.md); a full one goes at once, up to the
 * cap, so large messages still stream. Bytes queued or in flight
 * (sent, not yet committed) above {@code queuedBytesMax} tell the node to block its publishers until they
 * are down to half. An entry
 * that fails is sent again, unchanged, for {@code resendWindowMs} before its commands are reported failed.
 *
 * <p>One thread sends, because Ratis' async send may block its caller (ratis-notes §10.6); callers of
 * {@link #submit} never block. A test or a simulator that never calls {@link #start} sends with
 * {@link #pump} instead, on its own thread and the clock it gave the constructor. Replies do not come back
 * through here: every node applies every entry, and this node's own apply hands it the effects addressed
 * to it. Here only failures are reported: a batch Ratis could not commit fails all its commands.
 */
public final class CommandSubmitter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CommandSubmitter.class);

    /** The submitter's limits; see the class comment. */
    public record Limits(int entriesInFlightMax, int partialEntriesInFlightMax, int entryBytesMax,
            long queuedBytesMax, long resendWindowMs) {
        public Limits {
            if (entriesInFlightMax < 1 || partialEntriesInFlightMax < 1
                    || partialEntriesInFlightMax > entriesInFlightMax || entryBytesMax < 1024 || queuedBytesMax < entryBytesMax || resendWindowMs < 0) {
                throw new IllegalArgumentException("limits: " + entriesInFlightMax + ", " + partialEntriesInFlightMax
                        + ", " + entryBytesMax + ", " + queuedBytesMax + ", " + resendWindowMs
                        + " (expected: in flight >= 1, partial in flight from 1 to in flight, entry bytes >= 1024,"
                        + " queued >= entry, resend window >= 0)");
            }
        }

        /** Limits under which any entry may go while fewer than {@code entriesInFlightMax} are out. */
        public Limits(int entriesInFlightMax, int entryBytesMax, long queuedBytesMax, long resendWindowMs) {
            this(entriesInFlightMax, entriesInFlightMax, entryBytesMax, queuedBytesMax, resendWindowMs);
        }
    }

    /** What the node hears back. Called on Ratis client threads or the sender thread. */
    public interface Listener {
        /** These commands may not have been applied; whoever waits on them must be told. */
        void failed(List<Command> commands, Throwable cause);

        /** Queued bytes crossed the high-water mark (true) or fell back under half of it (false). */
        void backpressure(boolean blocked);
    }

    private final EntryLog entryLog;
    private final String node;
    private volatile long consumerTimeoutMs;
    private final Limits limits;
    private final Listener listener;
    private static final long RESEND_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final LinkedBlockingQueue<Submission> queue = new LinkedBlockingQueue<>();
    private final PriorityBlockingQueue<Resend> resends = new PriorityBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Bytes of the commands queued and not yet put into an entry: a full entry's worth may go at once. */
    private final AtomicLong unsentBytes = new AtomicLong();
    /** What the sender waits on while an entry that is not full must wait: an answer, or a full entry. */
    private final Object sendable = new Object();
    private final Semaphore inFlight;
    private final Thread sender;
    private final HotPathCounters counters;
    private final LongSupplier nanoTime;
    /** Entries appended whose outcome is not known yet (the idle sender holds a permit, not an entry). */
    private final java.util.concurrent.atomic.AtomicInteger entriesOut = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long epoch;
    private boolean blocked; // guarded by this
    private volatile boolean running = true;
    private long sequence;

    public CommandSubmitter(EntryLog entryLog, String node, Limits limits, Listener listener) {
        this(entryLog, node, limits, listener, new HotPathCounters());
    }

    /** @param counters where the time from send to commit of each entry is counted */
    public CommandSubmitter(EntryLog entryLog, String node, Limits limits, Listener listener,
            HotPathCounters counters) {
        this(entryLog, node, limits, listener, counters, System::nanoTime);
    }

    /** @param nanoTime the monotonic clock that resend delays and the resend window are measured on */
    public CommandSubmitter(EntryLog entryLog, String node, Limits limits, Listener listener,
            HotPathCounters counters, LongSupplier nanoTime) {
        this.counters = counters;
        this.nanoTime = nanoTime;
        this.entryLog = entryLog;
        this.node = node;
        this.limits = limits;
        this.listener = listener;
        this.inFlight = new Semaphore(limits.entriesInFlightMax());
        this.sender = new Thread(this::run, "warren-submitter");
        this.sender.setDaemon(true);
    }

    public void start() {
        sender.start();
    }

    /**
     * Sends this node's registration (a batch of epoch 0). The epoch comes back as an effect of applying
     * it; then {@link #useEpoch} before submitting anything else. The returned future fails when the
     * entry could not be committed (its outcome is then unknown: it may still apply later).
     */
    public CompletableFuture<Void> register(byte[] incarnation) {
        // A request id, so the core answers; the node tells its answer from others' by the incarnation.
        Command command = Commands.registerNode(node, com.google.protobuf.ByteString.copyFrom(incarnation),
                consumerTimeoutMs).setRequest(1).build();
        Batch batch = Batch.newBuilder().setNode(node).setEpoch(0).addCommands(command).build();
        return entryLog.append(EntryFrame.encode(batch, List.of()));
    }

    /** The consumer timeout every registration of this node carries (0: the core's default, 30 minutes). */
    public void useConsumerTimeout(long ms) {
        this.consumerTimeoutMs = ms;
    }

    public void useEpoch(long epoch) {
        this.epoch = epoch;
    }

    /** Queues a command for the next entry; never blocks. */
    public void submit(Command command) {
        submit(command, null);
    }

    /**
     * Queues a publish with its message (an encoded {@link io.warren.raft.store.StoredMessage}), which
     * travels beside the entry into every node's message store; never blocks.
     */
    public void submit(Command command, com.google.protobuf.ByteString message) {
        Submission submission = new Submission(command, message);
        long bytes = queuedBytes.addAndGet(submission.bytes());
        queue.add(submission);
        long unsent = unsentBytes.addAndGet(submission.bytes());
        if (unsent >= limits.entryBytesMax() && unsent - submission.bytes() < limits.entryBytesMax()) {
            wakeSender();
        }
        if (bytes > limits.queuedBytesMax()) {
            updateBackpressure();
        }
    }

    private void wakeSender() {
        synchronized (sendable) {
            sendable.notifyAll();
        }
    }

    /** May the next entry go now: none that is not full is held back by those already out. */
    private boolean mayGo() {
        return entriesOut.get() < limits.partialEntriesInFlightMax() || unsentBytes.get() >= limits.entryBytesMax();
    }

    /** Waits, with a slot held, until {@link #mayGo}; the lock orders a check before an answer's wake-up. */
    private void awaitMayGo() throws InterruptedException {
        synchronized (sendable) {
            while (running && !mayGo()) {
                sendable.wait(50);
            }
        }
    }

    /**
     * Decides blocked or not from the backlog as it is now, and tells the listener, under one lock: the
     * submitting event loops and the sender thread both get here, and without the lock a "blocked" from
     * one could overtake an "unblocked" from the other and leave publishers blocked with nothing queued.
     */
    private synchronized void updateBackpressure() {
        long bytes = queuedBytes.get();
        if (!blocked && bytes > limits.queuedBytesMax()) {
            blocked = true;
            listener.backpressure(true);
        } else if (blocked && bytes < limits.queuedBytesMax() / 2) {
            blocked = false;
            listener.backpressure(false);
        }
    }

    private void run() {
        try {
            while (running) {
                inFlight.acquire();
                long waitNanos = resendDue();
                if (waitNanos == 0) {
                    continue;
                }
                if (waitNanos > 0) {
                    inFlight.release();
                    TimeUnit.NANOSECONDS.sleep(Math.min(waitNanos, TimeUnit.MILLISECONDS.toNanos(50)));
                    continue;
                }
                awaitMayGo();
                Submission first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    inFlight.release();
                    continue;
                }
                send(drainBatch(first));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * With a slot held: sends the oldest waiting resend if it is due (0), or says how long until it is (> 0),
     * or that none waits (-1). Failed entries go again before anything newer, so a channel's commands keep
     * their order.
     */
    private long resendDue() {
        Resend resend = resends.peek();
        if (resend == null) {
            return -1;
        }
        long waitNanos = resend.notBeforeNanos - nanoTime.getAsLong();
        if (waitNanos > 0) {
            return waitNanos;
        }
        resends.remove(resend);
        append(resend.entry, resend.firstSentNanos);
        return 0;
    }

    /**
     * The sender's work without its thread, for a submitter that was never started: sends due resends, then
     * what is queued, while a slot is free, and never blocks. Returns the nanoseconds until the next waiting
     * resend falls due, or -1 when none waits.
     */
    public long pump() {
        while (inFlight.tryAcquire()) {
            long waitNanos = resendDue();
            if (waitNanos == 0) {
                continue;
            }
            if (waitNanos > 0) {
                inFlight.release();
                return waitNanos;
            }
            Submission first = mayGo() ? queue.poll() : null;
            if (first == null) {
                inFlight.release();
                return -1;
            }
            send(drainBatch(first));
        }
        Resend waiting = resends.peek();
        return waiting == null ? -1 : Math.max(1, waiting.notBeforeNanos - nanoTime.getAsLong());
    }

    private List<Submission> drainBatch(Submission first) {
        List<Submission> submissions = new ArrayList<>();
        submissions.add(first);
        long bytes = first.bytes();
        Submission next;
        while ((next = queue.peek()) != null && bytes + next.bytes() <= limits.entryBytesMax()
                && submissions.size() < MessageKeys.POSITIONS_MAX) {
            submissions.add(queue.poll());
            bytes += next.bytes();
        }
        unsentBytes.addAndGet(-bytes);
        return submissions;
    }

    /** One entry: the batch of commands, and beside it the messages of its publishes, by position. */
    private void send(List<Submission> submissions) {
        Batch.Builder batch = Batch.newBuilder().setNode(node).setEpoch(epoch).setSequence(++sequence);
        List<StoreRecords.Record> messages = new ArrayList<>();
        long bytes = 0;
        for (int position = 0; position < submissions.size(); position++) {
            Submission submission = submissions.get(position);
            batch.addCommands(submission.command());
            bytes += submission.bytes();
            if (submission.message() != null) {
                messages.add(new StoreRecords.Record(position, submission.message()));
            }
        }
        Batch built = batch.build();
        append(new Entry(built, EntryFrame.encode(built, messages), bytes), nanoTime.getAsLong());
    }

    /** A queued command and, for a publish, its message. */
    private record Submission(Command command, com.google.protobuf.ByteString message) {
        long bytes() {
            return command.getSerializedSize()
                    + (message == null ? 0 : StoreRecords.recordBytes(message));
        }
    }

    /**
     * One entry as sent, its frame kept whole for a resend; its bytes count as backlog until it is settled.
     * The batch stays for what a failure reports.
     */
    private record Entry(Batch batch, byte[] frame, long bytes) {}

    /** An entry committed, or given up on: its bytes leave the backlog. */
    private void settled(Entry entry) {
        queuedBytes.addAndGet(-entry.bytes());
        updateBackpressure();
    }

    /**
     * Appends one entry. A failed one is sent again, unchanged, for up to {@code resendWindowMs} (a leader
     * stepping down or changing refuses writes it did not append, and an entry whose outcome is unknown is
     * safe to resend: the core applies each (node, epoch, sequence) once). After that its commands are
     * reported failed.
     */
    private void append(Entry entry, long firstSentNanos) {
        Batch batch = entry.batch();
        entriesOut.incrementAndGet();
        entryLog.append(entry.frame()).whenComplete((done, error) -> {
            entriesOut.decrementAndGet();
            wakeSender();
            if (error == null) {
                counters.committed(nanoTime.getAsLong() - firstSentNanos);
                inFlight.release();
                settled(entry);
                return;
            }
            long elapsedMs = (nanoTime.getAsLong() - firstSentNanos) / 1_000_000;
            if (running && elapsedMs < limits.resendWindowMs()) {
                log.info("event=batch_resend sequence={} after_ms={} error={}", batch.getSequence(), elapsedMs,
                        rootCause(error));
                resends.add(new Resend(entry, firstSentNanos, nanoTime.getAsLong() + RESEND_DELAY_NANOS));
                inFlight.release();
                return;
            }
            inFlight.release();
            settled(entry);
            log.warn("event=batch_failed sequence={} commands={} after_ms={} error={}", batch.getSequence(),
                    batch.getCommandsCount(), elapsedMs, rootCause(error));
            listener.failed(batch.getCommandsList(), error);
        });
    }

    private static String rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /** An entry waiting to be sent again, in sequence order. */
    private record Resend(Entry entry, long firstSentNanos, long notBeforeNanos) implements Comparable<Resend> {
        @Override
        public int compareTo(Resend other) {
            return Long.compare(entry.batch().getSequence(), other.entry.batch().getSequence());
        }
    }

    /** Commands waiting to be put into an entry. */
    public int queuedCommands() {
        return queue.size();
    }

    /** Bytes queued or sent and not yet committed (what backpressure counts). */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    /** Entries sent whose outcome is not known yet. */
    public int entriesInFlight() {
        return entriesOut.get();
    }

    @Override
    public void close() {
        running = false;
        sender.interrupt();
    }
}
