package io.warren.raft.ratis;

import com.google.protobuf.InvalidProtocolBufferException;
import io.warren.proto.Batch;
import io.warren.proto.SnapshotRecord;
import io.warren.raft.core.BrokerCore;
import io.warren.raft.core.BrokerQueries;
import io.warren.raft.core.Effect;
import io.warren.raft.core.SnapshotLoader;
import io.warren.raft.core.SnapshotRecords;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thin Ratis adapter around {@link BrokerCore}: decodes each log entry's {@link Batch}, applies it,
 * and hands the effects to the node's {@link EffectSink}. No broker rule lives here.
 *
 * <p>Threads: Ratis calls apply and takeSnapshot on its one updater thread. Edges read the core through
 * {@link #query}, under the same lock as apply, so they never see half an entry.
 *
 * <p>Apply never throws (DESIGN invariant 8, ratis-notes §3): an exception from Ratis' apply would stop
 * the group on every node and again on replay. Anything unexpected is logged and handed to the fatal
 * handler, which stops this node only.
 */
public final class WarrenStateMachine extends BaseStateMachine {
    private static final Logger log = LoggerFactory.getLogger(WarrenStateMachine.class);

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Object lock = new Object();
    private final EffectSink sink;
    private final Runnable fatal;
    private BrokerCore core = BrokerCore.initial();
    private volatile Runnable stateReplaced = () -> { };

    public WarrenStateMachine(EffectSink sink, Runnable fatal) {
        this.sink = sink;
        this.fatal = fatal;
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(this::loadLatestSnapshot, IOException.class);
    }

    /** Before a snapshot from the leader is installed: Ratis requires PAUSED (ratis-notes §3). */
    @Override
    public void pause() {
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

    @Override
    public void reinitialize() throws IOException {
        loadLatestSnapshot();
        stateReplaced.run();
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    private void loadLatestSnapshot() throws IOException {
        SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
        if (snapshot == null) {
            log.info("event=snapshot_none state=initial");
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        if (snapshot.getFile().getFileDigest() != null) {
            MD5FileUtil.verifySavedMD5(file, snapshot.getFile().getFileDigest());
        }
        BrokerCore loaded;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file.toPath()), 1 << 16)) {
            loaded = SnapshotLoader.load(new RecordIterator(in));
        }
        synchronized (lock) {
            core = loaded;
        }
        setLastAppliedTermIndex(snapshot.getTermIndex());
        log.info("event=snapshot_loaded index={} term={} file={}", snapshot.getIndex(), snapshot.getTerm(), file);
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        var entry = trx.getLogEntry();
        long index = entry.getIndex();
        long term = entry.getTerm();
        try {
            Batch batch = Batch.parseFrom(entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
            List<Effect> effects;
            synchronized (lock) {
                effects = core.apply(index, term, batch);
            }
            updateLastAppliedTermIndex(term, index);
            sink.perform(index, effects);
            return CompletableFuture.completedFuture(Message.EMPTY);
        } catch (InvalidProtocolBufferException e) {
            // Only a bug writes an entry that does not parse; skip it everywhere alike.
            log.error("event=apply_unparsable index={} error={}", index, e.toString());
            updateLastAppliedTermIndex(term, index);
            return CompletableFuture.completedFuture(Message.EMPTY);
        } catch (RuntimeException | Error e) {
            log.error("event=apply_failed index={} action=stop_node", index, e);
            fatal.run();
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Reads the core under the apply lock; the function must only read and must return copies. */
    public <T> T query(Function<BrokerQueries, T> reader) {
        synchronized (lock) {
            return reader.apply(core.queries());
        }
    }

    /**
     * Writes the whole state as a record stream to a temporary file, fsyncs it, renames it into place and
     * writes its MD5 (ratis-notes §4). Runs on the updater thread, so no entry is applied meanwhile.
     */
    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return -1;
        }
        File target = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        File temporary = new File(target.getParentFile(), target.getName() + ".tmp");
        long started = System.nanoTime();
        try (FileOutputStream file = new FileOutputStream(temporary);
                BufferedOutputStream out = new BufferedOutputStream(file, 1 << 16)) {
            synchronized (lock) {
                SnapshotRecords.write(core, record -> writeRecord(record, out));
            }
            out.flush();
            file.getChannel().force(true);
        }
        Files.move(temporary.toPath(), target.toPath(), StandardCopyOption.ATOMIC_MOVE);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(target);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), last));
        log.info("event=snapshot_taken index={} term={} bytes={} ms={}", last.getIndex(), last.getTerm(),
                target.length(), (System.nanoTime() - started) / 1_000_000);
        return last.getIndex();
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
