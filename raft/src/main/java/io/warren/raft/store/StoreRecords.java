package io.warren.raft.store;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The messages of one log entry, as they travel beside it (Ratis state-machine data) and as the store
 * writes them: for each, {@code int position} (the publish's place in the entry's batch), {@code int
 * length}, {@code int CRC32C of the content}, then the encoded {@link StoredMessage}. The publishing node
 * computes the checksum, so a record damaged anywhere between it and a disk read is caught.
 */
public final class StoreRecords {
    /** Bytes before a record's content. */
    public static final int HEADER_BYTES = 12;

    private StoreRecords() {}

    /** One record: its place in the entry's batch and its content. */
    public record Record(int position, ByteString content) {}

    /** Scratch for {@link #crc}: a read-only heap buffer (a ByteString's view) shows no array to sum. */
    private static final ThreadLocal<byte[]> CRC_SCRATCH = ThreadLocal.withInitial(() -> new byte[8192]);

    public static int crc(ByteBuffer content) {
        CRC32C crc = new CRC32C();
        if (content.hasArray() || content.isDirect()) {
            crc.update(content.duplicate());
        } else {
            // CRC32C would copy such a buffer through a new array on every call (an eighth of a leader's
            // allocation in a JFR profile); one scratch array per thread does the same without garbage.
            byte[] scratch = CRC_SCRATCH.get();
            ByteBuffer in = content.duplicate();
            while (in.hasRemaining()) {
                int n = Math.min(scratch.length, in.remaining());
                in.get(scratch, 0, n);
                crc.update(scratch, 0, n);
            }
        }
        return (int) crc.getValue();
    }

    /** The bytes {@link #put} writes for {@code content}. */
    public static int recordBytes(ByteString content) {
        return HEADER_BYTES + content.size();
    }

    /** Writes one record into {@code out}, which has room for {@link #recordBytes} more. */
    public static void put(ByteBuffer out, int position, ByteString content) {
        out.putInt(position).putInt(content.size()).putInt(crc(content.asReadOnlyByteBuffer()));
        content.copyTo(out);
    }

    /** Appends one record to {@code out}, as {@link #put} writes it. */
    public static void append(ByteString.Output out, int position, ByteString content) {
        ByteBuffer record = ByteBuffer.allocate(recordBytes(content));
        put(record, position, content);
        out.write(record.array(), 0, record.capacity());
    }

    /**
     * Splits an entry's data into records, checking each checksum.
     *
     * @throws StoreCorruptException when the data is cut short or a checksum does not match
     */
    public static List<Record> parse(ByteString data) {
        List<Record> records = new ArrayList<>();
        ByteBuffer in = data.asReadOnlyByteBuffer();
        while (in.hasRemaining()) {
            if (in.remaining() < HEADER_BYTES) {
                throw new StoreCorruptException("record header cut short: " + in.remaining() + " bytes");
            }
            int position = in.getInt();
            int length = in.getInt();
            int crc = in.getInt();
            if (length < 0 || length > in.remaining()) {
                throw new StoreCorruptException("record at position " + position + " says " + length
                        + " bytes, " + in.remaining() + " remain");
            }
            ByteBuffer content = in.slice(in.position(), length);
            if (crc(content) != crc) {
                throw new StoreCorruptException("checksum mismatch in the record at position " + position);
            }
            records.add(new Record(position, data.substring(in.position(), in.position() + length)));
            in.position(in.position() + length);
        }
        return records;
    }
}
