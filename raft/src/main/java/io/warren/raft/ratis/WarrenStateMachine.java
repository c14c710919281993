package io.warren.raft.ratis;

import com.google.protobuf.InvalidProtocolBufferException;
import io.warren.proto.Batch;
import io.warren.proto.SnapshotRecord;
import io.warren.raft.core.BrokerCore;
import io.warren.raft.core.BrokerQueries;
import io.warren.raft.core.Effect;
import io.warren.raft.core.SnapshotLoader;
import io.warren.raft.core.SnapshotRecords;
import io.warren.raft.core.SnapshotWarmUp;
import io.warren.raft.store.MessageStore;
import io.warren.raft.store.StoreClosedException;
import io.warren.raft.store.StoreCorruptException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.util.FileUtils;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thin Ratis adapter around {@link BrokerCore}: decodes each log entry's {@link Batch}, applies it,
 * and hands the effects to the node's {@link EffectSink}. No broker rule lives here.
 *
 * <p>Messages travel beside the log (Ratis' DataApi): the leader splits each {@link EntryFrame} into the
 * batch (the log entry) and its messages (state-machine data); Ratis hands the messages to
 * {@link #write} on every node as it appends the entry, and they go into this node's
 * {@link MessageStore}, once. Applying a batch sees only the commands; a message is read from the store
 * when it is delivered. A snapshot is the index plus hard links to the store's sealed segments
 * ({@link SnapshotDirectories}), so a follower that is sent one gets the waiting messages too.
 *
 * <p>Threads: Ratis calls apply and takeSnapshot on its one updater thread. Edges read the core through
 * {@link #query}, under the same lock as apply, so they never see half an entry.
 *
 * <p>Apply never throws (DESIGN invariant 8, ratis-notes §3): an exception from Ratis' apply would stop
 * the group on every node and again on replay. Anything unexpected is logged and handed to the fatal
 * handler, which stops this node only.
 */
public final class WarrenStateMachine extends BaseStateMachine implements StateMachine.DataApi {
    private static final Logger log = LoggerFactory.getLogger(WarrenStateMachine.class);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final SnapshotDirectories storage;
    private final Object lock = new Object();
    /** The leader's wall clock, stamped into each entry it appends (Batch.leader_time_ms). */
    private final java.util.function.LongSupplier wallClockMs;
    private final EffectSink sink;
    private final Runnable fatal;
    private final MessageStore.Settings storeSettings;
    private final SnapshotPolicy snapshotPolicy;
    private final java.util.function.LongSupplier nanoClock;
    private final HotPathCounters counters = new HotPathCounters();
    private final SnapshotStats snapshotStats = new SnapshotStats();
    private final CommitNotices commitNotices = new CommitNotices();
    /** Applied since the last snapshot was started; written on the updater thread, read by housekeep too. */
    private volatile long entriesSinceSnapshot;
    private volatile long bytesSinceSnapshot;
    private volatile long settledBytesAtSnapshot;
    private volatile long lastSnapshotNanos;
    /**
     * Held while the store's segments are being named for a snapshot or reclaimed: a reclaim or compaction
     * between naming a snapshot's segments and linking them would cut messages out of the snapshot.
     * Apply only ever tries it: a snapshot put off is asked for again, a stalled apply is not undone.
     */
    private final java.util.concurrent.locks.ReentrantLock storeMaintenance = new java.util.concurrent.locks.ReentrantLock();
    /** From pause() to reinitialize(), under storeMaintenance: the store is about to be replaced. */
    private boolean installing;
    /** The snapshot index and settled bytes the store was last reclaimed at; under storeMaintenance. */
    private long reclaimedAtSnapshot = -1;
    private long reclaimedAtSettledBytes = -1;
    private volatile MessageStore store;
    private BrokerCore core = BrokerCore.initial();
    private volatile Runnable stateReplaced = () -> { };
    private volatile LeaderListener leaderListener = LeaderListener.NONE;
    /** The core's {@link BrokerCore#earliestExpiryMs} after the last apply, for the leader's expiry ticks. */
    private volatile long earliestExpiryMs = Long.MAX_VALUE;
    private final java.util.concurrent.ExecutorService snapshotWriter = java.util.concurrent.Executors
            .newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "warren-snapshot-writer");
                thread.setDaemon(true);
                return thread;
            });
    /** The snapshot being written, if any; touched on the updater thread only. */
    private volatile SnapshotWrite writing;
    private volatile long completedSnapshotIndex = -1;
    private final Object installLock = new Object();
    /** Non-null from pause() to reinitialize(): a snapshot from the leader is being installed. */
    private List<HeldWrite> heldWrites;

    public WarrenStateMachine(EffectSink sink, Runnable fatal, MessageStore.Settings storeSettings,
            SnapshotPolicy snapshotPolicy, java.util.function.LongSupplier nanoClock,
            java.util.function.LongSupplier wallClockMs) {
        this.sink = sink;
        this.wallClockMs = wallClockMs;
        this.fatal = fatal;
        this.storeSettings = storeSettings;
        this.snapshotPolicy = snapshotPolicy;
        this.nanoClock = nanoClock;
        this.lastSnapshotNanos = nanoClock.getAsLong();
        this.storage = new SnapshotDirectories(nanoClock);
    }

    public WarrenStateMachine(EffectSink sink, Runnable fatal, MessageStore.Settings storeSettings,
            SnapshotPolicy snapshotPolicy) {
        this(sink, fatal, storeSettings, snapshotPolicy, System::nanoTime, System::currentTimeMillis);
    }

    /** Told when the group has a new leader, on Ratis' threads: must not block. */
    public interface LeaderListener {
        LeaderListener NONE = new LeaderListener() {
            @Override
            public void leaderChanged(String leaderId) {}

            @Override
            public void leaderReady() {}
        };

        /** Another leader, or this server, was elected (this server's {@link #leaderReady} follows then). */
        void leaderChanged(String leaderId);

        /** This server leads and has applied its first entry of the term: it takes entries now. */
        void leaderReady();
    }

    void onLeaderChange(LeaderListener listener) {
        this.leaderListener = listener;
    }

    @Override
    public void notifyLeaderChanged(org.apache.ratis.protocol.RaftGroupMemberId member,
            org.apache.ratis.protocol.RaftPeerId newLeaderId) {
        if (newLeaderId != null) {
            leaderListener.leaderChanged(newLeaderId.toString());
        }
    }

    @Override
    public void notifyLeaderReady() {
        leaderListener.leaderReady();
    }

    @Override
    public SnapshotDirectories getStateMachineStorage() {
        return storage;
    }

    @Override
    public StateMachine.DataApi data() {
        return this;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(() -> {
            openStore();
            loadLatestSnapshot();
        }, IOException.class);
        // The first freeze in a JVM was the slow one (50-76 ms of wall time for 8-12 ms of CPU at each node's
        // first snapshot under load): it loads the record classes. Done here, before any entry waits on it.
        SnapshotWarmUp.run();
    }

    /**
     * Opens the live store. Where there is none (a snapshot was just installed from the leader, or this
     * node crashed right after), it starts from the newest snapshot's segments, linked in.
     */
    private void openStore() throws IOException {
        Path dir = storage.stateMachineDir().resolve(SnapshotDirectories.STORE);
        long builtFrom = -1;
        if (!Files.isDirectory(dir)) {
            Path fresh = storage.stateMachineDir().resolve(SnapshotDirectories.STORE + ".tmp");
            FileUtils.deleteFully(fresh);
            Files.createDirectories(fresh);
            var newest = storage.newest();
            if (newest.isPresent() && Files.isDirectory(newest.get().resolve(SnapshotDirectories.STORE))) {
                try (var segments = Files.list(newest.get().resolve(SnapshotDirectories.STORE))) {
                    for (Path segment : segments.toList()) {
                        Files.createLink(fresh.resolve(segment.getFileName()), segment);
                    }
                }
            }
            Files.move(fresh, dir, StandardCopyOption.ATOMIC_MOVE);
            builtFrom = newest.map(snapshot -> SnapshotDirectories.termIndex(snapshot).getIndex()).orElse(-1L);
        }
        store = MessageStore.open(dir, storeSettings);
        if (builtFrom >= 0) {
            store.builtFromSnapshot(builtFrom);
        }
    }

    /** The index of the newest snapshot complete on disk, or -1. */
    public long latestSnapshotIndex() {
        return completedSnapshotIndex;
    }

    /** Before a snapshot from the leader is installed: Ratis requires PAUSED (ratis-notes §3). */
    @Override
    public void pause() {
        awaitSnapshotWrite();
        storeMaintenance.lock();
        try {
            installing = true;
        } finally {
            storeMaintenance.unlock();
        }
        synchronized (installLock) {
            if (heldWrites == null) {
                heldWrites = new ArrayList<>();
            }
        }
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    /**
     * Who hears that a snapshot from the leader replaced the state while this node ran: the effects of the
     * entries it skipped (deliveries to its consumers, among others) were never performed here.
     */
    public void onStateReplaced(Runnable listener) {
        this.stateReplaced = listener;
    }

    /** A snapshot from the leader was installed: Ratis replaced the state-machine directory, store included. */
    @Override
    public void reinitialize() throws IOException {
        store.close();
        openStore();
        loadLatestSnapshot();
        releaseHeldWrites();
        storeMaintenance.lock();
        try {
            installing = false;
            reclaimedAtSnapshot = -1;
            reclaimedAtSettledBytes = -1;
            settledBytesAtSnapshot = store.settledBytes();
        } finally {
            storeMaintenance.unlock();
        }
        stateReplaced.run();
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    private void loadLatestSnapshot() throws IOException {
        var newest = storage.newest();
        if (newest.isEmpty()) {
            log.info("event=snapshot_none state=initial");
            return;
        }
        Path dir = newest.get();
        TermIndex at = SnapshotDirectories.termIndex(dir);
        File file = dir.resolve(SnapshotDirectories.INDEX).toFile();
        MD5FileUtil.verifySavedMD5(file, MD5FileUtil.readStoredMd5ForFile(file));
        SnapshotLoader.Loaded loaded;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file.toPath()), 1 << 16)) {
            loaded = SnapshotLoader.read(new RecordIterator(in));
        }
        long[] live = loaded.liveMessageKeys();
        store.retainOnly(at.getIndex(), live);
        synchronized (lock) {
            core = loaded.core();
            earliestExpiryMs = core.earliestExpiryMs();
        }
        setLastAppliedTermIndex(at);
        completedSnapshotIndex = at.getIndex();
        storage.published(dir);
        log.info("event=snapshot_loaded index={} term={} dir={} messages={}", at.getIndex(), at.getTerm(), dir,
                live.length);
    }

    /** On the leader: the log entry keeps the batch; the messages become state-machine data. */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        EntryFrame.Parts parts;
        try {
            parts = EntryFrame.split(request.getMessage().getContent().asReadOnlyByteBuffer());
        } catch (IllegalArgumentException e) {
            throw new IOException("refused entry: " + e.getMessage(), e);
        }
        // The batch is copied: Ratis' log cache keeps the log entry, and a view into the request would keep
        // the whole request, messages included, on the leader's heap (seen: ~1.5 KB per 1 KB message).
        var builder = TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request)
                .setLogData(UnsafeByteOperations.unsafeWrap(LeaderTime.stamp(parts.batch(), wallClockMs.getAsLong())));
        if (parts.messages().hasRemaining()) {
            builder.setStateMachineData(UnsafeByteOperations.unsafeWrap(parts.messages()));
        }
        return builder.build();
    }

    /**
     * Ratis appends an entry with messages: they go into the store, durable before the entry is written.
     * While a snapshot from the leader is being installed, Ratis replaces the state-machine folder, store
     * included, and the leader may already send the entries that follow the snapshot: those are held
     * (their futures, and so Ratis' log writer, wait) and written into the store the snapshot brings.
     */
    @Override
    public CompletableFuture<?> write(LogEntryProto entry, TransactionContext context) {
        var data = entry.getStateMachineLogEntry().getStateMachineEntry().getStateMachineData();
        // A view, not a copy: the data is an entry's own bytes (a leader's frame, or what gRPC parsed on a
        // follower, Ratis' zero-copy off), so what the store's caches keep of it holds no more than that.
        com.google.protobuf.ByteString messages = com.google.protobuf.UnsafeByteOperations.unsafeWrap(
                data.asReadOnlyByteBuffer());
        synchronized (installLock) {
            if (heldWrites != null) {
                HeldWrite held = new HeldWrite(entry.getIndex(), messages, new CompletableFuture<>());
                heldWrites.add(held);
                return held.done();
            }
            return writeToStore(entry.getIndex(), messages);
        }
    }

    private CompletableFuture<Void> writeToStore(long index, com.google.protobuf.ByteString messages) {
        try {
            CompletableFuture<Void> durable = store.write(index, messages);
            durable.whenComplete((ok, error) -> {
                if (error != null && !(error instanceof StoreClosedException)) {
                    // After a failed fsync the file's state is unknown (its pages may be dropped): serving
                    // on would vote and confirm on data that may not be there. Stop; a restart rescans.
                    log.error("event=store_write_failed index={} error=\"{}\" action=stop_node", index, error.toString());
                    fatal.run();
                }
            });
            return durable;
        } catch (StoreCorruptException e) {
            log.error("event=store_write_refused index={} error=\"{}\"", index, e.getMessage());
            return CompletableFuture.failedFuture(e);
        }
    }

    /** An entry's messages that arrived while a snapshot was being installed. */
    private record HeldWrite(long index, com.google.protobuf.ByteString messages, CompletableFuture<Void> done) {}

    /** The installed snapshot covers entries up to its index; the later ones held meanwhile go in now. */
    private void releaseHeldWrites() {
        synchronized (installLock) {
            if (heldWrites == null) {
                return;
            }
            long snapshotIndex = completedSnapshotIndex;
            for (HeldWrite held : heldWrites) {
                if (held.index() <= snapshotIndex) {
                    held.done().complete(null);
                } else {
                    writeToStore(held.index(), held.messages()).whenComplete((v, e) -> {
                        if (e == null) {
                            held.done().complete(null);
                        } else {
                            held.done().completeExceptionally(e);
                        }
                    });
                }
            }
            if (!heldWrites.isEmpty()) {
                log.info("event=held_writes_released count={} snapshot_index={}", heldWrites.size(), snapshotIndex);
            }
            heldWrites = null;
        }
    }

    /** A leader sends an entry to a follower: its messages, read back from the store. */
    @Override
    public CompletableFuture<org.apache.ratis.thirdparty.com.google.protobuf.ByteString> read(LogEntryProto entry,
            TransactionContext context) {
        try {
            return CompletableFuture.completedFuture(
                    UnsafeByteOperations.unsafeWrap(store.readEntry(entry.getIndex()).asReadOnlyByteBuffer()));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> truncate(long index) {
        synchronized (installLock) {
            if (heldWrites != null) {
                heldWrites.removeIf(held -> {
                    if (held.index() > index) {
                        held.done().complete(null);
                        return true;
                    }
                    return false;
                });
            }
            store.truncate(index);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        var entry = trx.getLogEntry();
        long index = entry.getIndex();
        long term = entry.getTerm();
        try {
            Batch batch = Batch.parseFrom(entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
            long started = System.nanoTime();
            List<Effect> effects;
            synchronized (lock) {
                effects = core.apply(index, term, batch);
                earliestExpiryMs = core.earliestExpiryMs();
            }
            updateLastAppliedTermIndex(term, index);
            entriesSinceSnapshot++;
            long entryBytes = entry.getSerializedSize() + messageBytes(batch);
            bytesSinceSnapshot += entryBytes;
            MessageStore messages = store;
            sink.perform(index, effects, messages);
            for (Effect effect : effects) {
                if (effect instanceof Effect.Discard discard) {
                    messages.discard(discard.key());
                }
            }
            counters.applied(batch.getCommandsCount(), entryBytes, System.nanoTime() - started);
            commitNotices.applied(index);
            return CompletableFuture.completedFuture(Message.EMPTY);
        } catch (InvalidProtocolBufferException e) {
            // Only a bug writes an entry that does not parse; skip it everywhere alike.
            log.error("event=apply_unparsable index={} error={}", index, e.toString());
            updateLastAppliedTermIndex(term, index);
            return CompletableFuture.completedFuture(Message.EMPTY);
        } catch (StoreCorruptException e) {
            log.error("event=store_corrupt index={} error=\"{}\" action=stop_node reason=\"a damaged message is"
                    + " never served\"", index, e.getMessage());
            fatal.run();
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException | Error e) {
            log.error("event=apply_failed index={} action=stop_node", index, e);
            fatal.run();
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Where the leader's appenders hear of entries this node applied, hence committed. */
    CommitNotices commitNotices() {
        return commitNotices;
    }

    /** How this node's snapshots went (count, durations, apply paused). */
    public SnapshotStats snapshotStats() {
        return snapshotStats;
    }

    /** What apply counts (and the submitter, handed the same counters, adds its commit times). */
    public HotPathCounters counters() {
        return counters;
    }

    /** The message store's figures: live messages, disk, cache, fsyncs. */
    public MessageStore.Stats storeStats() {
        return store.stats();
    }

    /**
     * At or before the earliest expiry of a queue's head (the core's clock, ms; {@code Long.MAX_VALUE}: none),
     * as of the last entry applied: the leader sends a Tick once its clock is past it.
     */
    public long earliestExpiryMs() {
        return earliestExpiryMs;
    }

    /** Reads the core under the apply lock; the function must only read and must return copies. */
    public <T> T query(Function<BrokerQueries, T> reader) {
        synchronized (lock) {
            return reader.apply(core.queries());
        }
    }

    /**
     * Snapshots without stalling apply. On the updater thread (under the apply lock) it only freezes a
     * consistent view of the state ({@link SnapshotRecords#freeze}: time grows with the metadata, not the
     * backlog), seals the store's open segment and links the sealed segments into a new snapshot
     * directory. The index is written, fsynced, given its MD5 (what makes a snapshot complete) and renamed
     * into place on the snapshot writer thread, while entries go on being applied.
     *
     * <p>Ratis purges the log up to the index this returns, so it returns an index only once that snapshot
     * is complete on disk: -1 (nothing new) while one is being written; Ratis asks again after its next
     * applied entries, and then hears the finished one.
     */
    @Override
    public long takeSnapshot() throws IOException {
        long finished = -1;
        SnapshotWrite previous = writing;
        if (previous != null) {
            if (!previous.done.isDone()) {
                return -1;
            }
            writing = null;
            try {
                previous.done.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw new IOException("snapshot at " + previous.at + " failed: " + e.getCause(), e.getCause());
            }
            // Ratis hears of it now, in this return: only now may it send it to a follower, purge the log
            // behind it, and let older snapshots go (it calls cleanupOldSnapshots next).
            storage.published(storage.directory(previous.at));
            finished = previous.at.getIndex();
        }
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0 || last.getIndex() <= completedSnapshotIndex || !snapshotDue()) {
            return finished;
        }
        if (!storeMaintenance.tryLock()) {
            return finished; // the store is being reclaimed: asked again after the next entries or by housekeep
        }
        try {
            if (installing) {
                return finished;
            }
            startSnapshot(last);
        } finally {
            storeMaintenance.unlock();
        }
        return finished;
    }

    private boolean snapshotDue() {
        long settled = store.settledBytes() - settledBytesAtSnapshot;
        return snapshotPolicy.due(entriesSinceSnapshot, bytesSinceSnapshot + settled,
                (nanoClock.getAsLong() - lastSnapshotNanos) / 1_000_000);
    }

    /** Under storeMaintenance, on the updater thread: freezes the state at {@code last}; the writer does the rest. */
    private void startSnapshot(TermIndex last) {
        entriesSinceSnapshot = 0;
        bytesSinceSnapshot = 0;
        settledBytesAtSnapshot = store.settledBytes();
        lastSnapshotNanos = nanoClock.getAsLong();
        Path target = storage.directory(last);
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        // On the apply thread only what must see this exact state: the frozen view, and the store's open
        // segment rolled so the messages applied so far sit in segments that get sealed. No fsync here.
        long started = System.nanoTime();
        // The thread's CPU time beside the wall time tells a slow freeze (CPU) from a descheduled or
        // paused one (a collection, a safepoint, a crowded machine).
        long cpuStarted = THREADS.getCurrentThreadCpuTime();
        SnapshotRecords.Frozen frozen;
        synchronized (lock) {
            frozen = SnapshotRecords.freeze(core);
        }
        long frozenNanos = System.nanoTime();
        long freezeCpuMs = (THREADS.getCurrentThreadCpuTime() - cpuStarted) / 1_000_000;
        MessageStore frozenStore = store;
        MessageStore.SnapshotSegments snapshotSegments = frozenStore.rollForSnapshot();
        long rolledNanos = System.nanoTime();
        long frozenMs = (rolledNanos - started) / 1_000_000;
        long freezeMs = (frozenNanos - started) / 1_000_000;
        long rollMs = (rolledNanos - frozenNanos) / 1_000_000;
        SnapshotWrite write = new SnapshotWrite(last, new CompletableFuture<>());
        writing = write;
        snapshotWriter.execute(() -> {
            try {
                long writeStarted = System.nanoTime();
                FileUtils.deleteFully(temporary);
                Files.createDirectories(temporary.resolve(SnapshotDirectories.STORE));
                List<Path> segments = frozenStore.snapshotFiles(snapshotSegments);
                for (Path segment : segments) {
                    Files.createLink(temporary.resolve(SnapshotDirectories.STORE).resolve(segment.getFileName()),
                            segment);
                }
                File index = temporary.resolve(SnapshotDirectories.INDEX).toFile();
                try (FileOutputStream file = new FileOutputStream(index);
                        BufferedOutputStream out = new BufferedOutputStream(file, 1 << 16)) {
                    frozen.write(record -> writeRecord(record, out));
                    out.flush();
                    file.getChannel().force(true);
                }
                MD5FileUtil.computeAndSaveMd5ForFile(index);
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
                completedSnapshotIndex = last.getIndex();
                long indexBytes = Files.size(target.resolve(SnapshotDirectories.INDEX));
                snapshotStats.taken(System.nanoTime() - started, rolledNanos - started, indexBytes);
                log.info("event=snapshot_taken index={} term={} index_bytes={} store_segments={} apply_paused_ms={}"
                        + " freeze_ms={} freeze_cpu_ms={} roll_ms={} write_ms={}", last.getIndex(), last.getTerm(),
                        indexBytes, segments.size(), frozenMs, freezeMs, freezeCpuMs, rollMs,
                        (System.nanoTime() - writeStarted) / 1_000_000);
                write.done.complete(null);
                askRatisToCollect();
            } catch (IOException | RuntimeException e) {
                log.error("event=snapshot_failed index={} error=\"{}\"", last.getIndex(), e.toString());
                write.done.completeExceptionally(e);
            }
        });
    }

    /**
     * What Ratis would otherwise do only on its next applied entries, which an idle node never has: called
     * about once a second from the node's housekeeping thread. Asks Ratis for a snapshot when one is due
     * (by settled bytes or time) or when a finished one waits for Ratis to hear of it; reclaims the store
     * behind the newest snapshot once that moved or a segment's worth more settled; lets superseded
     * snapshots go. Together these give a drained queue's disk back without another message.
     */
    public void housekeep() {
        SnapshotWrite current = writing;
        TermIndex last = getLastAppliedTermIndex();
        boolean finishedUnheard = current != null && current.done.isDone();
        boolean due = current == null && last != null && last.getIndex() > completedSnapshotIndex && snapshotDue();
        if (finishedUnheard || due) {
            askRatisToCollect();
        }
        reclaimStore();
        storage.expireSuperseded();
    }

    private static long messageBytes(Batch batch) {
        long bytes = 0;
        for (var command : batch.getCommandsList()) {
            if (command.hasPublish()) {
                bytes += command.getPublish().getSize();
            } else if (command.hasDeadLetter()) {
                bytes += command.getDeadLetter().getSize();
            }
        }
        return bytes;
    }

    /**
     * Ratis hears of a finished snapshot only from a later call of takeSnapshot, which it makes after
     * applying more entries; an idle group would never purge behind it. A snapshot request through the
     * admin API makes the updater call at once, even with nothing to apply.
     */
    private void askRatisToCollect() {
        try {
            RaftServer server = getServer().get();
            server.snapshotManagementAsync(org.apache.ratis.protocol.SnapshotManagementRequest.newCreate(
                    org.apache.ratis.protocol.ClientId.randomId(), server.getId(), getGroupId(), 0, 60_000, 1))
                    .whenComplete((reply, error) -> {
                        if (error != null) {
                            log.debug("event=snapshot_collect_failed error=\"{}\"", error.toString());
                        }
                    });
        } catch (java.util.concurrent.ExecutionException e) {
            log.debug("event=snapshot_collect_failed error=\"{}\"", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A snapshot being written off the apply thread. */
    private record SnapshotWrite(TermIndex at, CompletableFuture<Void> done) {}

    /** Waits for a snapshot being written (before a snapshot from the leader replaces the directory). */
    private void awaitSnapshotWrite() {
        SnapshotWrite current = writing;
        if (current != null) {
            try {
                current.done.get(5, java.util.concurrent.TimeUnit.MINUTES);
            } catch (Exception e) {
                log.warn("event=snapshot_wait_failed index={} error=\"{}\"", current.at.getIndex(), e.toString());
            }
            writing = null;
        }
    }

    /**
     * Store segments all settled and covered by the snapshot Ratis knows of can go: a follower that needs
     * their entries is sent that snapshot ({@link HintFollowingLogAppender}). Never while a snapshot's
     * segments are being named or linked, nor while a snapshot is being installed.
     */
    private void reclaimStore() {
        try {
            var published = storage.getLatestSnapshot();
            if (published == null) {
                return;
            }
            long snapshotIndex = published.getIndex();
            if (!storeMaintenance.tryLock()) {
                return;
            }
            try {
                MessageStore open = store;
                long settled = open.settledBytes();
                SnapshotWrite current = writing;
                if (installing || current != null && !current.done.isDone() || snapshotIndex <= reclaimedAtSnapshot
                        && settled - reclaimedAtSettledBytes < storeSettings.segmentBytesMax()) {
                    return;
                }
                open.reclaim(snapshotIndex);
                reclaimedAtSnapshot = snapshotIndex;
                reclaimedAtSettledBytes = settled;
            } finally {
                storeMaintenance.unlock();
            }
        } catch (IOException e) {
            log.warn("event=store_reclaim_skipped error=\"{}\"", e.toString());
        }
    }

    /** Entries up to here may lack their messages in this node's store (see {@link MessageStore#reclaimedThrough}). */
    public long reclaimedThrough() {
        return store.reclaimedThrough();
    }

    @Override
    public void close() throws IOException {
        awaitSnapshotWrite();
        snapshotWriter.shutdown();
        super.close();
        MessageStore open = store;
        if (open != null) {
            open.close();
        }
    }

    private static void writeRecord(SnapshotRecord record, BufferedOutputStream out) {
        try {
            record.writeDelimitedTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads length-delimited records one at a time, so a large snapshot is never one message in memory. */
    private static final class RecordIterator implements java.util.Iterator<SnapshotRecord> {
        private final InputStream in;
        private SnapshotRecord next;

        RecordIterator(InputStream in) {
            this.in = in;
            advance();
        }

        private void advance() {
            try {
                next = SnapshotRecord.parseDelimitedFrom(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public SnapshotRecord next() {
            SnapshotRecord current = next;
            advance();
            return current;
        }
    }
}
