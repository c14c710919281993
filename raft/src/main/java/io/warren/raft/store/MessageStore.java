package io.warren.raft.store;

import com.google.protobuf.ByteString;
import io.warren.raft.core.MessageKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's copy of every message body, written once, beside the Raft log: Ratis hands each entry's
 * messages to {@link #write} as it appends the entry (DataApi), and the log entry itself keeps only the
 * commands. The replicated index names a message by its key, {@code (log index << 20) | position of the
 * publish in the entry's batch}, the same on every node.
 *
 * <p>Files: segments of frames (see {@link StoreSegment}), rolled at {@code segmentBytesMax} and at each
 * snapshot, so that a snapshot can hard-link sealed, immutable files. A segment is deleted once every
 * message in it is settled and its entries are behind the Raft log's start, so no follower can still ask
 * for them (it is sent a snapshot instead).
 *
 * <p>Durability: {@link #write}'s future completes once the frame is forced to disk; Ratis is configured to
 * wait for it before it writes the log entry (statemachine.data.sync), so an entry is never acknowledged,
 * nor present in the log after a crash, without its messages.
 *
 * <p>Threads: Ratis' appending threads write, its updater thread reads and settles, log appenders read
 * entries for followers; one lock guards the index, and one flusher thread forces the file.
 */
public final class MessageStore implements MessageReader, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MessageStore.class);
    /** The store's limits. */
    public record Settings(long segmentBytesMax, long cacheBytesMax) {
        public Settings {
            if (segmentBytesMax < 1 << 16 || segmentBytesMax > Integer.MAX_VALUE || cacheBytesMax < 0) {
                throw new IllegalArgumentException("store settings: segment bytes " + segmentBytesMax
                        + " (expected 64 KiB to 2 GiB), cache bytes " + cacheBytesMax + " (expected >= 0)");
            }
        }
    }

    private final Path dir;
    private final Settings settings;
    private final List<StoreSegment> segments = new ArrayList<>();
    private final BodyCache cache;
    /**
     * The newest entries' data as written, for the leader's appenders, which send each entry to each
     * follower just after it was written. They share the arrays the cache's messages are cut from.
     */
    private final java.util.LinkedHashMap<Long, ByteString> recentFrames = new java.util.LinkedHashMap<>();
    private long recentFrameBytes;
    private StoreSegment open;
    /**
     * Segments rolled (no more appends) but not sealed yet: forcing them and writing their index happens
     * off the write path and off the apply thread (the flusher or the snapshot writer), so neither Ratis'
     * log writer nor apply waits for those fsyncs under the store's lock.
     */
    private final List<StoreSegment> rolled = new ArrayList<>();
    /** Rolled segments whose last appends the flusher has not forced yet. */
    private final List<StoreSegment> unforced = new ArrayList<>();
    /** One sealer at a time (the flusher and the snapshot writer both seal rolled segments). */
    private final Object sealLock = new Object();
    private long nextSegmentId;
    private long liveMessages;
    /** Written under this store's lock, read without it: the apply thread and the appenders must not wait on compaction. */
    private volatile long settledBytes;
    /**
     * The highest log index whose messages reclaim may have deleted or compacted away: a follower that
     * needs an entry up to here gets a snapshot instead (HintFollowingLogAppender). Kept in
     * {@value #RECLAIMED_THROUGH_FILE}, written before any segment goes, so a restart never underestimates it.
     */
    private volatile long reclaimedThrough = -1;
    static final String RECLAIMED_THROUGH_FILE = "reclaimed-through";

    private final List<CompletableFuture<Void>> unflushed = new ArrayList<>();
    private final Thread flusher;
    /** The flusher's fsyncs and the time they took, for status. */
    private final java.util.concurrent.atomic.AtomicLong fsyncs = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong fsyncNanos = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean running = true;

    private MessageStore(Path dir, Settings settings) {
        this.dir = dir;
        this.settings = settings;
        this.cache = new BodyCache(settings.cacheBytesMax());
        this.flusher = new Thread(this::flushLoop, "warren-store-flush");
        this.flusher.setDaemon(true);
    }


    /**
     * Opens the store in {@code dir} (made when missing) and reads its segments. A torn tail of the last
     * segment, written but never acknowledged, is cut off; damage anywhere else is refused.
     */
    public static MessageStore open(Path dir, Settings settings) throws IOException {
        Files.createDirectories(dir);
        MessageStore store = new MessageStore(dir, settings);
        store.load();
        store.flusher.start();
        return store;
    }

    private void load() throws IOException {
        Path reclaimed = dir.resolve(RECLAIMED_THROUGH_FILE);
        if (Files.exists(reclaimed)) {
            String text = Files.readString(reclaimed).trim();
            try {
                reclaimedThrough = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new IOException("message store " + dir + ": " + RECLAIMED_THROUGH_FILE + " holds \"" + text
                        + "\", not a log index");
            }
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(p -> StoreSegment.idOf(p.getFileName().toString()) >= 0).sorted().toList();
        }
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            long id = StoreSegment.idOf(file.getFileName().toString());
            boolean last = i == files.size() - 1;
            StoreSegment segment = StoreSegment.open(file, id, last, new StoreSegment.FrameListener() {
                @Override
                public void frame(long index) {
                    dropFrom(index);
                }

                @Override
                public void tornTail(Path path, long offset, long bytes, String problem) {
                    log.warn("event=store_tail_repaired segment={} offset={} bytes_cut={} problem=\"{}\""
                            + " reason=\"a frame torn by a crash, never acknowledged\"", path, offset, bytes, problem);
                }
            });
            segments.add(segment);
            liveMessages += segment.live();
            nextSegmentId = id + 1;
        }
        // Every segment is sealed but the last: they were rolled before this start (a crash may have come
        // between the roll and the index file: sealing again writes it).
        for (StoreSegment segment : segments) {
            if (segment != segments.get(segments.size() - 1)) {
                segment.seal();
            }
        }
        if (!segments.isEmpty() && !segments.get(segments.size() - 1).sealed()) {
            open = segments.get(segments.size() - 1);
        }
        log.info("event=store_opened dir={} segments={} messages={}", dir, segments.size(), liveMessages);
    }

    /**
     * Writes the messages of log entry {@code index}. A frame already stored for this index or a later one
     * (a log truncated and rewritten) is replaced. The future completes once the frame is on disk.
     *
     * @throws StoreCorruptException when the data does not parse or a checksum fails
     */
    public CompletableFuture<Void> write(long index, ByteString data) {
        List<StoreRecords.Record> records = StoreRecords.parse(data);
        CompletableFuture<Void> durable = new CompletableFuture<>();
        synchronized (this) {
            if (!running) {
                durable.completeExceptionally(new StoreClosedException());
                return durable;
            }
            try {
                dropFrom(index);
                if (open == null || open.size() + data.size() > settings.segmentBytesMax() && !open.isEmpty()) {
                    roll();
                }
                open.append(index, data, records);
                liveMessages += records.size();
                rememberFrame(index, data);
                for (StoreRecords.Record record : records) {
                    cache.put(MessageKeys.key(index, record.position()), record.content());
                }
                unflushed.add(durable);
                notifyAll();
            } catch (IOException e) {
                durable.completeExceptionally(e);
            }
        }
        return durable;
    }

    private void rememberFrame(long index, ByteString data) {
        ByteString earlier = recentFrames.put(index, data);
        recentFrameBytes += data.size() - (earlier == null ? 0 : earlier.size());
        var oldest = recentFrames.entrySet().iterator();
        while (recentFrameBytes > Math.max(1 << 20, settings.cacheBytesMax() / 4) && oldest.hasNext()) {
            recentFrameBytes -= oldest.next().getValue().size();
            oldest.remove();
        }
    }

    private void roll() throws IOException {
        retireOpen();
        open = StoreSegment.create(dir, nextSegmentId++);
        segments.add(open);
    }

    /** The open segment takes no more appends; the flusher forces it, a sealer seals it. */
    private void retireOpen() {
        if (open != null) {
            rolled.add(open);
            unforced.add(open);
            open = null;
        }
    }

    /**
     * Seals every rolled segment: forces it and writes its index outside the store's lock, so readers,
     * settles and writes go on meanwhile. The index is built under the lock; if a log truncation changed
     * the segment before it is marked sealed, it is built again.
     */
    private void sealRolled() throws IOException {
        synchronized (sealLock) {
            while (true) {
                StoreSegment segment;
                java.nio.ByteBuffer index;
                int records;
                synchronized (this) {
                    if (rolled.isEmpty()) {
                        return;
                    }
                    segment = rolled.get(0);
                    index = segment.indexBytes();
                    records = segment.records();
                }
                segment.force();
                segment.writeIndex(index);
                synchronized (this) {
                    if (segment.records() == records) {
                        segment.markSealed();
                        rolled.remove(0);
                        // Forced just now: the flusher must not force it again, as reclaim may close it.
                        unforced.remove(segment);
                    }
                }
            }
        }
    }

    private void flushLoop() {
        while (running) {
            List<CompletableFuture<Void>> batch;
            StoreSegment segment;
            List<StoreSegment> retiredUnforced;
            synchronized (this) {
                while (running && unflushed.isEmpty()) {
                    try {
                        wait(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                batch = new ArrayList<>(unflushed);
                unflushed.clear();
                segment = open;
                retiredUnforced = new ArrayList<>(unforced);
                unforced.clear();
            }
            try {
                long started = System.nanoTime();
                // A frame of this batch may sit in a segment rolled since the last round: force those too.
                for (StoreSegment retired : retiredUnforced) {
                    forceUnlessSealed(retired);
                }
                if (segment != null) {
                    forceUnlessSealed(segment);
                }
                fsyncNanos.addAndGet(System.nanoTime() - started);
                fsyncs.incrementAndGet();
                batch.forEach(f -> f.complete(null));
            } catch (IOException | RuntimeException e) {
                log.error("event=store_flush_failed error=\"{}\"", e.toString());
                batch.forEach(f -> f.completeExceptionally(e));
            }
            try {
                sealRolled();
            } catch (IOException | RuntimeException e) {
                // Not a loss: a rolled segment is forced before its frames are acknowledged; unsealed, it is
                // sealed by the next round, a snapshot, or scanned at the next start.
                log.warn("event=store_seal_failed error=\"{}\"", e.toString());
            }
        }
    }

    /**
     * Forces a segment the flusher picked up. A sealer may seal it meanwhile (forcing it first) and reclaim
     * then delete or compact it, closing its file: that segment is durable already, not a failed fsync.
     */
    private void forceUnlessSealed(StoreSegment segment) throws IOException {
        try {
            segment.force();
        } catch (ClosedChannelException e) {
            synchronized (this) {
                if (!segment.sealed()) {
                    throw e;
                }
            }
        }
    }

    /**
     * The message under {@code key}: from the cache, or read from disk and checked.
     *
     * @throws StoreCorruptException when the record is missing or fails its checksum
     */
    @Override
    public StoredMessage read(long key) {
        ByteString content;
        synchronized (this) {
            content = cache.get(key);
            if (content == null) {
                content = readFromDisk(key);
            }
        }
        return StoredMessage.decode(content);
    }

    private ByteString readFromDisk(long key) {
        Located at = locate(key);
        if (at == null) {
            throw new StoreCorruptException("message " + describe(key) + " is not in the store");
        }
        try {
            return at.segment().read(at.record());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A message's segment and record number in it. */
    private record Located(StoreSegment segment, int record) {}

    /** Where {@code key} is (the newest segment, should a rewritten entry have left two), or null. */
    private Located locate(long key) {
        for (int i = segments.size() - 1; i >= 0; i--) {
            int record = segments.get(i).find(key);
            if (record >= 0) {
                return new Located(segments.get(i), record);
            }
        }
        return null;
    }

    /** Every message of log entry {@code index} as one entry's data, for a follower that lacks it. */
    public ByteString readEntry(long index) throws IOException {
        synchronized (this) {
            ByteString recent = recentFrames.get(index);
            if (recent != null) {
                return recent;
            }
            for (int i = segments.size() - 1; i >= 0; i--) {
                StoreSegment segment = segments.get(i);
                int frame = segment.findFrame(index);
                if (frame >= 0) {
                    return segment.readFrame(frame);
                }
            }
        }
        throw new IOException("log entry " + index + " has no messages in the store");
    }

    /** The message is settled in every queue: its space may be reclaimed. */
    public synchronized void discard(long key) {
        cache.remove(key);
        Located at = locate(key);
        if (at != null && at.segment().settle(at.record())) {
            liveMessages--;
            settledBytes += at.segment().approximateRecordBytes(at.record());
        }
    }

    /**
     * Disk bytes of every message settled since the store was opened: what snapshots and reclaim can give
     * back, so the state machine takes a snapshot once enough has settled, not only once enough arrived.
     */
    public long settledBytes() {
        return settledBytes;
    }

    /** The Raft log was cut after {@code index}: frames of later entries are forgotten. */
    public synchronized void truncate(long index) {
        dropFrom(index + 1);
    }

    private void dropFrom(long index) {
        var newest = recentFrames.lastEntry();
        if (newest != null && newest.getKey() >= index) {
            recentFrames.keySet().removeIf(frame -> frame >= index);
            recentFrameBytes = recentFrames.values().stream().mapToLong(ByteString::size).sum();
        }
        try {
            for (int i = segments.size() - 1; i >= 0; i--) {
                StoreSegment segment = segments.get(i);
                if (segment.isEmpty() || segment.lastIndex() < index) {
                    continue;
                }
                GrowableLongs dropped = segment.dropFrom(index);
                liveMessages -= dropped.size();
                for (int k = 0; k < dropped.size(); k++) {
                    cache.remove(dropped.get(k));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * After a restart or an installed snapshot, the state at {@code throughIndex} names the messages still
     * waiting; every other message of an entry up to there is settled. {@code liveKeys} is ascending.
     */
    public synchronized void retainOnly(long throughIndex, long[] liveKeys) {
        // The segments hold keys ascending, as the live keys are: one walk over both, not a search a record.
        int cursor = 0;
        long previous = Long.MIN_VALUE;
        for (StoreSegment segment : segments) {
            for (int r = 0; r < segment.records(); r++) {
                long key = segment.key(r);
                if (key < previous) {
                    int found = Arrays.binarySearch(liveKeys, key);
                    cursor = found >= 0 ? found : -found - 1;
                }
                previous = key;
                while (cursor < liveKeys.length && liveKeys[cursor] < key) {
                    cursor++;
                }
                boolean held = cursor < liveKeys.length && liveKeys[cursor] == key;
                if (MessageKeys.indexOf(key) <= throughIndex && segment.isLive(r) && !held) {
                    segment.settle(r);
                    liveMessages--;
                    cache.remove(key);
                }
            }
        }
    }

    /** The segments a snapshot links: those that held a live message at the snapshot's index. */
    public record SnapshotSegments(long[] ids) {}

    /**
     * For a snapshot, on the apply thread: the open segment takes no more appends (no fsync here), so
     * every message of an entry applied so far is in a segment that will be sealed, and the segments that
     * hold a live message now, at the snapshot's index, are named. They are named here and not later on
     * the writer thread: applies that go on meanwhile settle messages the snapshot still holds.
     */
    public synchronized SnapshotSegments rollForSnapshot() {
        if (open != null && !open.isEmpty()) {
            retireOpen();
        }
        return new SnapshotSegments(segments.stream().filter(segment -> segment.live() > 0)
                .mapToLong(segment -> segment.id).toArray());
    }

    /** On the snapshot writer: seals what was rolled, then names the files of those segments, for hard links. */
    public List<Path> snapshotFiles(SnapshotSegments named) throws IOException {
        sealRolled();
        return sealedFiles(named);
    }

    private synchronized List<Path> sealedFiles(SnapshotSegments named) throws IOException {
        List<Path> files = new ArrayList<>();
        for (StoreSegment segment : segments) {
            if (Arrays.binarySearch(named.ids(), segment.id) < 0) {
                continue;
            }
            if (!segment.sealed()) {
                throw new IOException("segment " + segment.path + " of a snapshot is not sealed");
            }
            files.add(segment.path);
            Path index = StoreSegment.indexPath(segment.path);
            if (Files.exists(index)) {
                files.add(index);
            }
        }
        if (files.stream().filter(p -> p.getFileName().toString().endsWith(".dat")).count() != named.ids().length) {
            // Only reclaim or compaction remove segments, and neither runs while a snapshot is written.
            throw new IOException("a segment of the snapshot is gone: expected ids " + Arrays.toString(named.ids()));
        }
        return files;
    }

    /**
     * Deletes the sealed segments whose every message is settled and whose entries are all at or below
     * {@code snapshotIndex}, the newest snapshot Ratis knows of, and compacts the sparse ones there. A
     * follower that still needs one of those entries gets that snapshot instead of the entries, however
     * far the log itself was purged ({@link #reclaimedThrough}). Returns how many segments went.
     */
    public int reclaim(long snapshotIndex) throws IOException {
        long started = System.nanoTime();
        List<StoreSegment> sparse = new ArrayList<>();
        int deleted = 0;
        synchronized (this) {
            long through = reclaimedThrough;
            List<StoreSegment> reclaimable = new ArrayList<>();
            for (StoreSegment segment : segments) {
                if (!segment.sealed()) {
                    continue;
                }
                if (segment.isEmpty()) {
                    reclaimable.add(segment);
                } else if (segment.lastIndex() <= snapshotIndex && (segment.live() == 0 || isSparse(segment))) {
                    reclaimable.add(segment);
                    through = Math.max(through, segment.lastIndex());
                }
            }
            if (through > reclaimedThrough) {
                writeReclaimedThrough(through);
            }
            for (StoreSegment segment : reclaimable) {
                if (segment.live() > 0) {
                    sparse.add(segment);
                    continue;
                }
                try {
                    segment.delete();
                } catch (IOException e) {
                    log.warn("event=store_segment_delete_failed segment={} error=\"{}\"", segment.path, e.toString());
                    continue;
                }
                segments.remove(segment);
                deleted++;
            }
            if (deleted > 0) {
                log.info("event=store_reclaimed segments={} left={} messages={} ms={}", deleted, segments.size(),
                        liveMessages, (System.nanoTime() - started) / 1_000_000);
            }
        }
        sparse.forEach(this::compact);
        return deleted;
    }

    /**
     * A few old unsettled messages must not pin whole segments (issue 11, point 2): a sealed segment a
     * snapshot covers whose live records fill less than half of it is rewritten with only those.
     */
    private static boolean isSparse(StoreSegment segment) {
        return segment.liveBytes() * 2 < segment.size();
    }

    /**
     * Rewrites a sparse segment without holding the store's lock while it copies (issue 11: a compaction
     * must not stall publishing): only the plan and the swap take it.
     */
    private void compact(StoreSegment segment) {
        long started = System.nanoTime();
        StoreSegment.Compaction compaction;
        synchronized (this) {
            if (!running || !segments.contains(segment)) {
                return;
            }
            compaction = segment.planCompaction();
        }
        try {
            compaction.write();
            long copiedNanos = System.nanoTime() - started;
            synchronized (this) {
                if (!running || !segments.contains(segment)) {
                    compaction.abandon();
                    return;
                }
                StoreSegment compacted = compaction.install();
                segments.set(segments.indexOf(segment), compacted);
                log.info("event=store_compacted segment={} bytes_before={} bytes_after={} messages={} ms={} locked_ms={}",
                        segment.path, segment.size(), compacted.size(), compacted.live(),
                        (System.nanoTime() - started) / 1_000_000, (System.nanoTime() - started - copiedNanos) / 1_000_000);
            }
        } catch (IOException | RuntimeException e) {
            compaction.abandon();
            log.warn("event=store_compaction_failed segment={} error=\"{}\"", segment.path, e.toString());
        }
    }

    /** Written and forced before the segments it covers are touched; replaced atomically. */
    private void writeReclaimedThrough(long index) throws IOException {
        Path file = dir.resolve(RECLAIMED_THROUGH_FILE);
        Path temporary = dir.resolve(RECLAIMED_THROUGH_FILE + ".tmp");
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(ByteBuffer.wrap((index + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            out.force(true);
        }
        Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        reclaimedThrough = index;
    }

    /** Entries up to here may lack their messages in this store: a follower that needs one gets a snapshot. */
    public long reclaimedThrough() {
        return reclaimedThrough;
    }

    /**
     * This store was built from a snapshot's segments: only the messages waiting at {@code snapshotIndex}
     * are here, so every entry up to it counts as reclaimed.
     */
    public synchronized void builtFromSnapshot(long snapshotIndex) throws IOException {
        if (snapshotIndex > reclaimedThrough) {
            writeReclaimedThrough(snapshotIndex);
        }
    }

    /** Figures for status and tests. */
    public record Stats(long liveMessages, int segments, long diskBytes, long cacheBytes, long cacheHits,
            long cacheMisses, long fsyncs, long fsyncNanos) {}

    public synchronized Stats stats() {
        long bytes = segments.stream().mapToLong(StoreSegment::size).sum();
        return new Stats(liveMessages, segments.size(), bytes, cache.bytes(), cache.hits(), cache.misses(),
                fsyncs.get(), fsyncNanos.get());
    }

    static String describe(long key) {
        return "(entry " + MessageKeys.indexOf(key) + ", position " + MessageKeys.positionOf(key) + ")";
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            running = false;
            notifyAll();
        }
        try {
            flusher.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            sealRolled(); // a restart then reads their index rather than scan them
        } catch (IOException e) {
            log.warn("event=store_seal_on_close_failed error=\"{}\" consequence=\"the next start scans them\"",
                    e.toString());
        }
        synchronized (this) {
            for (StoreSegment segment : segments) {
                segment.close();
            }
            segments.clear();
            cache.clear();
            unflushed.forEach(f -> f.completeExceptionally(new StoreClosedException()));
            unflushed.clear();
        }
    }
}
