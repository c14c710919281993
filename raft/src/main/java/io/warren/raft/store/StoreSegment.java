package io.warren.raft.store;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.zip.CRC32C;
import io.warren.raft.core.MessageKeys;

/**
 * One file of the message store: frames appended in log order, each the messages of one log entry.
 * A frame is {@code int magic, long log index, int data length, int CRC32C of the three} followed by the
 * entry's {@link StoreRecords}. In memory a segment keeps, per frame, its index and place, and per
 * message its key, its place and whether it is settled: about 12 bytes a message.
 */
final class StoreSegment implements AutoCloseable {
    static final int MAGIC = 0x5752_4e31; // "WRN1"
    static final int FRAME_HEADER_BYTES = 20;

    final long id;
    final Path path;
    private final FileChannel channel;
    private long size;
    private boolean sealed;

    private final GrowableLongs frameIndices = new GrowableLongs();
    private final GrowableInts frameOffsets = new GrowableInts();
    private final GrowableInts frameLengths = new GrowableInts();
    /** Per frame, the number of records before it: frame f's records are [recordStart(f), recordStart(f+1)). */
    private final GrowableInts frameFirstRecord = new GrowableInts();
    private final GrowableLongs keys = new GrowableLongs();
    private final GrowableInts recordOffsets = new GrowableInts();
    private final BitSet settled = new BitSet();
    private int live;

    private StoreSegment(long id, Path path, FileChannel channel, long size) {
        this.id = id;
        this.path = path;
        this.channel = channel;
        this.size = size;
    }

    static StoreSegment create(Path dir, long id) throws IOException {
        Path path = dir.resolve(name(id));
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        return new StoreSegment(id, path, channel, 0);
    }

    static String name(long id) {
        return String.format("seg-%020d.dat", id);
    }

    /** The segment id of a file name, or -1 when it is not a segment. */
    static long idOf(String fileName) {
        if (!fileName.startsWith("seg-") || !fileName.endsWith(".dat") || fileName.length() != 28) {
            return -1;
        }
        try {
            return Long.parseLong(fileName.substring(4, 24));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Opens an existing segment and reads its frames. A frame that is cut short or fails its checksum ends
     * the readable part: the file is cut there when {@code repairTail} (the last segment, whose tail a crash
     * may have torn before it was acknowledged), and refused otherwise.
     *
     * @param onFrame told of every frame read, in order, so the store can drop what a later frame of the
     *     same or a lower index replaces
     */
    static StoreSegment open(Path path, long id, boolean repairTail, FrameListener onFrame) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        // An index that matches the data is read even for the last segment: it is written only after the
        // data was forced, so that segment has no torn tail, and it holds what a truncation left of it.
        StoreSegment indexed = fromIndexFile(path, id, channel, onFrame);
        if (indexed != null) {
            return indexed;
        }
        StoreSegment segment = new StoreSegment(id, path, channel, 0);
        long fileSize = channel.size();
        long at = 0;
        ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER_BYTES);
        while (at < fileSize) {
            String problem = null;
            long index = 0;
            int length = 0;
            if (fileSize - at < FRAME_HEADER_BYTES) {
                problem = "frame header cut short";
            } else {
                header.clear();
                readFully(channel, header, at);
                header.flip();
                int magic = header.getInt();
                index = header.getLong();
                length = header.getInt();
                int crc = header.getInt();
                if (magic != MAGIC || crc != headerCrc(index, length)) {
                    problem = "frame header damaged";
                } else if (length < 0 || at + FRAME_HEADER_BYTES + length > fileSize) {
                    problem = "frame data cut short";
                }
            }
            java.util.List<StoreRecords.Record> records = null;
            if (problem == null) {
                ByteBuffer data = ByteBuffer.allocate(length);
                readFully(channel, data, at + FRAME_HEADER_BYTES);
                try {
                    records = StoreRecords.parse(ByteString.copyFrom(data.flip()));
                } catch (StoreCorruptException e) {
                    problem = e.getMessage();
                }
            }
            if (problem != null) {
                if (!repairTail) {
                    channel.close();
                    throw new StoreCorruptException("message store segment " + path + " is damaged at offset " + at
                            + ": " + problem);
                }
                onFrame.tornTail(path, at, fileSize - at, problem);
                channel.truncate(at);
                channel.force(true);
                break;
            }
            onFrame.frame(index);
            segment.addFrame(index, at, length, records);
            at += FRAME_HEADER_BYTES + length;
        }
        segment.size = at;
        return segment;
    }

    /** What {@link #open} reports while it reads. */
    interface FrameListener {
        void frame(long index);

        void tornTail(Path path, long offset, long bytes, String problem);
    }

    static int headerCrc(long index, int length) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(16).putInt(MAGIC).putLong(index).putInt(length).flip());
        return (int) crc.getValue();
    }

    /** Appends one entry's frame (not yet forced to disk). */
    void append(long index, ByteString data, java.util.List<StoreRecords.Record> records) throws IOException {
        if (sealed) {
            throw new IllegalStateException("segment " + id + " is sealed");
        }
        ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER_BYTES);
        header.putInt(MAGIC).putLong(index).putInt(data.size()).putInt(headerCrc(index, data.size())).flip();
        long at = size;
        writeFully(header, at);
        long position = at + FRAME_HEADER_BYTES;
        for (ByteBuffer part : data.asReadOnlyByteBufferList()) {
            int length = part.remaining();
            writeFully(part, position);
            position += length;
        }
        addFrame(index, at, data.size(), records);
        size = at + FRAME_HEADER_BYTES + data.size();
    }

    private void writeFully(ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
        size = Math.max(size, at);
    }

    private void addFrame(long index, long at, int length, java.util.List<StoreRecords.Record> records) {
        frameIndices.add(index);
        frameOffsets.add((int) at);
        frameLengths.add(length);
        frameFirstRecord.add(keys.size());
        int recordAt = (int) at + FRAME_HEADER_BYTES;
        for (StoreRecords.Record record : records) {
            keys.add(MessageKeys.key(index, record.position()));
            recordOffsets.add(recordAt);
            live++;
            recordAt += StoreRecords.HEADER_BYTES + record.content().size();
        }
    }

    void force() throws IOException {
        channel.force(false);
    }

    long size() {
        return size;
    }

    boolean sealed() {
        return sealed;
    }

    /** Forces the file and writes its index beside it; a sealed segment never changes again. */
    void seal() throws IOException {
        if (sealed) {
            return;
        }
        channel.force(true);
        writeIndex(indexBytes());
        sealed = true;
    }

    /** After {@link #writeIndex} of what {@link #indexBytes} gave while nothing changed in between. */
    void markSealed() {
        sealed = true;
    }

    static Path indexPath(Path segment) {
        return segment.resolveSibling(segment.getFileName().toString().replace(".dat", ".idx"));
    }

    private static final int INDEX_MAGIC = 0x5752_4e49; // "WRNI"

    /**
     * The segment's index, so a restart reads a few bytes per message rather than every body (issue 11,
     * point 4): {@code magic, data size, frame count, record count}, per frame {@code log index, offset,
     * length, first record}, per record {@code key, offset}, then a CRC32C of all of it.
     */
    ByteBuffer indexBytes() {
        int frames = frameIndices.size();
        int records = keys.size();
        ByteBuffer out = ByteBuffer.allocate(4 + 8 + 4 + 4 + frames * 20 + records * 12 + 4);
        out.putInt(INDEX_MAGIC).putLong(size).putInt(frames).putInt(records);
        for (int f = 0; f < frames; f++) {
            out.putLong(frameIndices.get(f)).putInt(frameOffsets.get(f)).putInt(frameLengths.get(f))
                    .putInt(frameFirstRecord.get(f));
        }
        for (int r = 0; r < records; r++) {
            out.putLong(keys.get(r)).putInt(recordOffsets.get(r));
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        out.flip();
        return out;
    }

    /** Writes an index built by {@link #indexBytes} beside the data, durably, replacing any earlier one. */
    void writeIndex(ByteBuffer out) throws IOException {
        Path target = indexPath(path);
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel file = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (out.hasRemaining()) {
                file.write(out);
            }
            file.force(true);
        }
        Files.move(temporary, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** A sealed segment from its index file, or null when there is none or it does not match the data. */
    private static StoreSegment fromIndexFile(Path path, long id, FileChannel channel, FrameListener onFrame)
            throws IOException {
        Path index = indexPath(path);
        if (!Files.exists(index)) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(index));
        if (in.remaining() < 24) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(in.array(), 0, in.remaining() - 4);
        if ((int) crc.getValue() != in.getInt(in.remaining() - 4) || in.getInt() != INDEX_MAGIC) {
            return null;
        }
        long dataSize = in.getLong();
        int frames = in.getInt();
        int records = in.getInt();
        if (dataSize != channel.size() || frames < 0 || records < 0
                || in.remaining() != (long) frames * 20 + (long) records * 12 + 4) {
            return null;
        }
        StoreSegment segment = new StoreSegment(id, path, channel, dataSize);
        for (int f = 0; f < frames; f++) {
            long frameIndex = in.getLong();
            onFrame.frame(frameIndex);
            segment.frameIndices.add(frameIndex);
            segment.frameOffsets.add(in.getInt());
            segment.frameLengths.add(in.getInt());
            segment.frameFirstRecord.add(in.getInt());
        }
        for (int r = 0; r < records; r++) {
            segment.keys.add(in.getLong());
            segment.recordOffsets.add(in.getInt());
        }
        segment.live = records;
        segment.sealed = true;
        return segment;
    }

    boolean isEmpty() {
        return frameIndices.size() == 0;
    }

    long lastIndex() {
        return frameIndices.get(frameIndices.size() - 1);
    }

    int live() {
        return live;
    }

    int records() {
        return keys.size();
    }

    /** The record number of {@code key} in this segment, or -1. */
    int find(long key) {
        int count = keys.size();
        if (count == 0 || key < keys.get(0) || key > keys.get(count - 1)) {
            return -1; // most segments are ruled out by their range, without a search
        }
        int found = keys.search(key);
        return found >= 0 ? found : -1;
    }

    /** Marks a record settled; returns true when it was live. */
    boolean settle(int record) {
        if (settled.get(record)) {
            return false;
        }
        settled.set(record);
        live--;
        return true;
    }

    /**
     * About the disk a record takes: up to the next record's start (so a frame header is counted with the
     * record before it), or to the end of the segment. Exact enough to decide when settled bytes are
     * worth a snapshot, without a search for the record's frame.
     */
    long approximateRecordBytes(int record) {
        long start = recordOffsets.get(record);
        long end = record + 1 < recordOffsets.size() ? recordOffsets.get(record + 1) : size;
        return Math.max(0, end - start);
    }

    boolean isLive(int record) {
        return !settled.get(record);
    }

    long key(int record) {
        return keys.get(record);
    }

    /** Bytes on disk of the live records (headers included). */
    long liveBytes() {
        long bytes = 0;
        for (int f = 0; f < frameIndices.size(); f++) {
            for (int r = frameFirstRecord.get(f); r < recordsEnd(f); r++) {
                if (!settled.get(r)) {
                    bytes += recordEnd(f, r) - recordOffsets.get(r);
                }
            }
        }
        return bytes;
    }

    /** Frame f's records are [frameFirstRecord(f), recordsEnd(f)). */
    private int recordsEnd(int frame) {
        return frame + 1 < frameIndices.size() ? frameFirstRecord.get(frame + 1) : keys.size();
    }

    /** Where record r of frame f ends in the file: at the frame's next record, or at the frame's end. */
    private long recordEnd(int frame, int record) {
        return record + 1 < recordsEnd(frame) ? recordOffsets.get(record + 1)
                : (long) frameOffsets.get(frame) + FRAME_HEADER_BYTES + frameLengths.get(frame);
    }

    /**
     * Starts a rewrite of this sealed segment with only the records live now, under the store's lock. The
     * copy ({@link Compaction#write}) then runs without it, reading the immutable frames of a sealed
     * segment, so writes, reads and settles go on; {@link Compaction#install} (under the lock again) settles
     * in the copy what was settled meanwhile and puts it in place.
     */
    Compaction planCompaction() {
        if (!sealed) {
            throw new IllegalStateException("only a sealed segment is compacted");
        }
        return new Compaction((BitSet) settled.clone());
    }

    /** One rewrite of this segment; see {@link #planCompaction}. */
    final class Compaction {
        private final BitSet settledAtPlan;
        private final Path temporary = path.resolveSibling(path.getFileName() + ".compact");
        private StoreSegment fresh;

        private Compaction(BitSet settledAtPlan) {
            this.settledAtPlan = settledAtPlan;
        }

        /**
         * Writes and forces the copy beside the segment: frames keep their log index, a frame with nothing
         * live goes, and records are copied as they are, checksums included.
         */
        void write() throws IOException {
            Files.deleteIfExists(temporary);
            StoreSegment copy = new StoreSegment(id, path, null, 0);
            try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                long at = 0;
                for (int f = 0; f < frameIndices.size(); f++) {
                    ByteString.Output data = ByteString.newOutput();
                    java.util.List<StoreRecords.Record> kept = new java.util.ArrayList<>();
                    for (int r = frameFirstRecord.get(f); r < recordsEnd(f); r++) {
                        if (settledAtPlan.get(r)) {
                            continue;
                        }
                        ByteBuffer record = ByteBuffer.allocate((int) (recordEnd(f, r) - recordOffsets.get(r)));
                        readFully(channel, record, recordOffsets.get(r));
                        data.write(record.array(), 0, record.capacity());
                        kept.add(new StoreRecords.Record(MessageKeys.positionOf(keys.get(r)),
                                ByteString.copyFrom(record.array(), StoreRecords.HEADER_BYTES,
                                        record.capacity() - StoreRecords.HEADER_BYTES)));
                    }
                    if (kept.isEmpty()) {
                        continue;
                    }
                    ByteString bytes = data.toByteString();
                    long index = frameIndices.get(f);
                    ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER_BYTES);
                    header.putInt(MAGIC).putLong(index).putInt(bytes.size()).putInt(headerCrc(index, bytes.size()))
                            .flip();
                    writeFully(out, header, at);
                    writeFully(out, bytes.asReadOnlyByteBuffer(), at + FRAME_HEADER_BYTES);
                    copy.addFrame(index, at, bytes.size(), kept);
                    at += FRAME_HEADER_BYTES + bytes.size();
                }
                out.force(true);
                copy.size = at;
            }
            fresh = copy;
        }

        /**
         * Under the store's lock: settles in the copy the records settled since the plan, replaces the
         * segment's file with it (a snapshot that linked the old file keeps that one) and returns the new
         * segment; this one is closed.
         */
        StoreSegment install() throws IOException {
            // The old file is closed only once the copy is in place: should the rename fail, this segment
            // still serves its reads (an open channel keeps reading the replaced file's data meanwhile).
            Files.move(temporary, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            StoreSegment reopened = new StoreSegment(id, path,
                    FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE), fresh.size);
            channel.close();
            reopened.adopt(fresh);
            for (int r = settled.nextSetBit(0); r >= 0; r = settled.nextSetBit(r + 1)) {
                if (!settledAtPlan.get(r)) {
                    int moved = reopened.find(keys.get(r));
                    if (moved >= 0) {
                        reopened.settle(moved);
                    }
                }
            }
            reopened.writeIndex(reopened.indexBytes());
            reopened.sealed = true;
            return reopened;
        }

        /** The copy is not used (the store closed, or the copy failed): its file goes. */
        void abandon() {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException e) {
                // left for the next start, which ignores files it does not know
            }
        }
    }

    private void adopt(StoreSegment other) {
        for (int f = 0; f < other.frameIndices.size(); f++) {
            frameIndices.add(other.frameIndices.get(f));
            frameOffsets.add(other.frameOffsets.get(f));
            frameLengths.add(other.frameLengths.get(f));
            frameFirstRecord.add(other.frameFirstRecord.get(f));
        }
        for (int r = 0; r < other.keys.size(); r++) {
            keys.add(other.keys.get(r));
            recordOffsets.add(other.recordOffsets.get(r));
        }
        live = other.live;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += out.write(buffer, at);
        }
    }

    /** Reads one record's content from disk and checks it. */
    ByteString read(int record) throws IOException {
        long at = recordOffsets.get(record);
        ByteBuffer header = ByteBuffer.allocate(StoreRecords.HEADER_BYTES);
        readFully(channel, header, at);
        header.flip();
        int position = header.getInt();
        int length = header.getInt();
        int crc = header.getInt();
        long expectedKey = keys.get(record);
        if (MessageKeys.positionOf(expectedKey) != position || length < 0
                || at + StoreRecords.HEADER_BYTES + length > size) {
            throw new StoreCorruptException("message store segment " + path + ": record at offset " + at
                    + " does not match its index");
        }
        ByteBuffer content = ByteBuffer.allocate(length);
        readFully(channel, content, at + StoreRecords.HEADER_BYTES);
        content.flip();
        if (StoreRecords.crc(content) != crc) {
            throw new StoreCorruptException("message store segment " + path + ": checksum mismatch in the record"
                    + " at offset " + at);
        }
        return ByteString.copyFrom(content);
    }

    /** The frame of log entry {@code index}, or -1. */
    int findFrame(long index) {
        int found = frameIndices.search(index);
        return found >= 0 ? found : -1;
    }

    /** Reads a frame's data, every record of the entry, as Ratis sends it to a follower. */
    ByteString readFrame(int frame) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(frameLengths.get(frame));
        readFully(channel, data, frameOffsets.get(frame) + FRAME_HEADER_BYTES);
        return ByteString.copyFrom(data.flip());
    }

    /**
     * Forgets every frame of index {@code index} and above (a log truncation, or a frame rewritten after a
     * crash). Returns the keys of the records dropped that were live. An unsealed segment's file is cut too;
     * a sealed one's index is rewritten.
     */
    GrowableLongs dropFrom(long index) throws IOException {
        int keep = frameIndices.countAtMost(index - 1);
        GrowableLongs dropped = new GrowableLongs();
        if (keep == frameIndices.size()) {
            return dropped;
        }
        int firstDroppedRecord = frameFirstRecord.get(keep);
        for (int r = firstDroppedRecord; r < keys.size(); r++) {
            if (!settled.get(r)) {
                live--;
                dropped.add(keys.get(r));
            }
        }
        settled.clear(firstDroppedRecord, Math.max(firstDroppedRecord, keys.size()));
        long cut = frameOffsets.get(keep);
        keys.truncate(firstDroppedRecord);
        recordOffsets.truncate(firstDroppedRecord);
        frameIndices.truncate(keep);
        frameOffsets.truncate(keep);
        frameLengths.truncate(keep);
        frameFirstRecord.truncate(keep);
        if (sealed) {
            // The data file stays as it is (a snapshot may hard-link it); the index a restart reads must
            // not bring the cut frames back, so it is written again, durably, before the cut is reported.
            writeIndex(indexBytes());
        } else {
            channel.truncate(cut);
            size = cut;
        }
        return dropped;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new StoreCorruptException("unexpected end of file at offset " + at);
            }
            at += n;
        }
    }

    void delete() throws IOException {
        channel.close();
        Files.deleteIfExists(path);
        Files.deleteIfExists(indexPath(path));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
