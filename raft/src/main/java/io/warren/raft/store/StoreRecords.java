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

    public static int crc(ByteBuffer content) {
        CRC32C crc = new CRC32C();
        crc.update(content.duplicate());
        return (int) crc.getValue();
    }

    /** Appends one record to {@code out}. */
    public static void append(ByteString.Output out, int position, ByteString content) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        header.putInt(position).putInt(content.size()).putInt(crc(content.asReadOnlyByteBuffer()));
        out.write(header.array(), 0, HEADER_BYTES);
        try {
            content.writeTo(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
