package io.warren.raft.ratis;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Repairs a write torn by a crash at the end of the open Raft log segment, before Ratis reads it.
 *
 * <p>Ratis preallocates segments with zeros and writes each entry as a varint length, the entry's bytes
 * and a CRC32C of both. A crash in the middle of that write leaves a length and part of the rest,
 * followed by zeros; Ratis 3.3.0 then reads zeros as the rest of the entry, finds the checksum wrong
 * and refuses to start ("Log entry corrupted"), although such an entry was never fsynced, so never
 * acknowledged. Here exactly that case is undone: when the first entry that does not check out is
 * followed by nothing but zeros, its bytes are zeroed, and Ratis sees a clean end of log. Anything
 * else (a bad entry with data after it) is real damage and is left for Ratis to report.
 */
public final class LogTailRepair {
    private static final byte[] HEADER = "RaftLog1".getBytes(StandardCharsets.UTF_8);
    private static final int CHECKSUM_BYTES = 4;

    private LogTailRepair() {}

    /** What was repaired: the segment and the offset from which the torn entry was zeroed. */
    public record Repair(Path segment, long offset, long bytesZeroed) {}

    /**
     * Looks at the newest open segment under {@code storageDir} (Ratis' group directories inside it).
     *
     * @param entryBytesMax the largest entry Ratis accepts: a length above it is a torn length
     */
    public static Optional<Repair> repair(Path storageDir, int entryBytesMax) throws IOException {
        if (!Files.isDirectory(storageDir)) {
            return Optional.empty();
        }
        Optional<Path> segment;
        try (Stream<Path> files = Files.walk(storageDir, 3)) {
            segment = files.filter(p -> p.getFileName().toString().startsWith("log_inprogress_"))
                    .max(Comparator.comparingLong(LogTailRepair::startIndex));
        }
        return segment.isEmpty() ? Optional.empty() : repairSegment(segment.get(), entryBytesMax);
    }

    private static long startIndex(Path segment) {
        try {
            return Long.parseLong(segment.getFileName().toString().substring("log_inprogress_".length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static Optional<Repair> repairSegment(Path segment, int entryBytesMax) throws IOException {
        byte[] bytes = Files.readAllBytes(segment);
        if (bytes.length < HEADER.length || !java.util.Arrays.equals(bytes, 0, HEADER.length, HEADER, 0, HEADER.length)) {
            return Optional.empty(); // not a segment we understand: leave it to Ratis
        }
        int position = HEADER.length;
        while (position < bytes.length && bytes[position] != 0) {
            int entryEnd = checkedEntryEnd(bytes, position, entryBytesMax, bytes.length);
            if (entryEnd < 0) {
                return zeroTornTail(segment, bytes, position, entryBytesMax);
            }
            position = entryEnd;
        }
        return Optional.empty(); // every entry checks out up to the zeros
    }

    /** The offset after the entry at {@code position}, or -1 when it is incomplete or its checksum is wrong. */
    private static int checkedEntryEnd(byte[] bytes, int position, int entryBytesMax, int limit) {
        long length = 0;
        int cursor = position;
        for (int shift = 0; ; shift += 7) {
            if (cursor >= bytes.length || shift > 28) {
                return -1;
            }
            byte b = bytes[cursor++];
            length |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        if (length <= 0 || length > entryBytesMax) {
            return -1;
        }
        long end = cursor + length + CHECKSUM_BYTES;
        if (end > limit) {
            return -1;
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, position, (int) (cursor + length - position));
        int stored = ByteBuffer.wrap(bytes, (int) (cursor + length), CHECKSUM_BYTES).getInt();
        return stored == (int) crc.getValue() ? (int) end : -1;
    }

    /**
     * The entry at {@code position} does not check out. It is a torn tail only if every byte after the
     * most it could span is zero; then [position, last non-zero byte] is zeroed.
     */
    private static Optional<Repair> zeroTornTail(Path segment, byte[] bytes, int position, int entryBytesMax)
            throws IOException {
        int dataEnd = bytes.length;
        while (dataEnd > position && bytes[dataEnd - 1] == 0) {
            dataEnd--;
        }
        long mostTheEntrySpans = (long) position + 5 + entryBytesMax + CHECKSUM_BYTES;
        boolean onlyZerosBeyond = dataEnd <= mostTheEntrySpans && !validEntryFollows(bytes, position + 1, dataEnd,
                entryBytesMax);
        if (!onlyZerosBeyond) {
            return Optional.empty();
        }
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(dataEnd - position), position);
            channel.force(true);
        }
        return Optional.of(new Repair(segment, position, dataEnd - position));
    }

    /**
     * A torn entry is the last thing written: if a valid entry starts anywhere after it, the log is
     * damaged in the middle and must not be cut.
     */
    private static boolean validEntryFollows(byte[] bytes, int from, int dataEnd, int entryBytesMax) {
        for (int candidate = from; candidate < dataEnd; candidate++) {
            if (bytes[candidate] != 0
                    && checkedEntryEnd(bytes, candidate, entryBytesMax, Math.min(bytes.length, dataEnd + CHECKSUM_BYTES)) > 0) {
                return true;
            }
        }
        return false;
    }
}
