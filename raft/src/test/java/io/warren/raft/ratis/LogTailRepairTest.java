package io.warren.raft.ratis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * The torn-tail repair on hand-made segments in Ratis' format (header, then varint length, entry bytes,
 * CRC32C; zeros after): a torn last entry is zeroed; complete entries and damage in the middle are not
 * touched.
 */
class LogTailRepairTest {
    private static final int MAX = 1 << 20;

    private static byte[] entry(String body) {
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int length = payload.length;
        while (length >= 0x80) {
            out.write((length & 0x7f) | 0x80);
            length >>>= 7;
        }
        out.write(length);
        out.writeBytes(payload);
        CRC32C crc = new CRC32C();
        crc.update(out.toByteArray());
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }

    private static Path segment(byte[]... parts) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("RaftLog1".getBytes(StandardCharsets.UTF_8));
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        out.writeBytes(new byte[4096]); // preallocated zeros
        Path dir = Files.createTempDirectory("segment").resolve("group").resolve("current");
        Files.createDirectories(dir);
        Path file = dir.resolve("log_inprogress_7");
        Files.write(file, out.toByteArray());
        return file;
    }

    @Test
    void zeroesAnEntryTornAfterItsLength() throws Exception {
        byte[] first = entry("first entry");
        byte[] second = entry("second entry with more bytes in it");
        byte[] torn = Arrays.copyOf(entry("x".repeat(100)), 30); // length and the first bytes only
        Path file = segment(first, second, torn);
        byte[] before = Files.readAllBytes(file);
        Optional<LogTailRepair.Repair> repair = LogTailRepair.repair(file.getParent().getParent().getParent(), MAX);
        assertTrue(repair.isPresent());
        int kept = 8 + first.length + second.length;
        assertEquals(kept, repair.get().offset());
        byte[] after = Files.readAllBytes(file);
        assertArrayEquals(Arrays.copyOf(before, kept), Arrays.copyOf(after, kept), "complete entries untouched");
        assertTrue(allZero(after, kept), "the torn bytes are zeros now");
        assertEquals(Optional.empty(), LogTailRepair.repair(file.getParent().getParent().getParent(), MAX),
                "a repaired segment needs nothing more");
    }

    @Test
    void zeroesAnEntryWhoseChecksumWasNotWritten() throws Exception {
        byte[] whole = entry("complete but for its checksum");
        Path file = segment(entry("kept"), Arrays.copyOf(whole, whole.length - 4));
        assertTrue(LogTailRepair.repair(file.getParent().getParent().getParent(), MAX).isPresent());
    }

    @Test
    void leavesCompleteSegmentsAlone() throws Exception {
        Path file = segment(entry("one"), entry("two"));
        byte[] before = Files.readAllBytes(file);
        assertEquals(Optional.empty(), LogTailRepair.repair(file.getParent().getParent().getParent(), MAX));
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void leavesDamageInTheMiddleForRatisToReport() throws Exception {
        byte[] damaged = entry("damaged in the middle");
        damaged[5] ^= 0x55;
        Path file = segment(entry("one"), damaged, entry("a complete entry after the damage"));
        byte[] before = Files.readAllBytes(file);
        assertEquals(Optional.empty(), LogTailRepair.repair(file.getParent().getParent().getParent(), MAX));
        assertArrayEquals(before, Files.readAllBytes(file), "nothing cut: committed entries may follow");
    }

    private static boolean allZero(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
