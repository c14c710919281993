package io.warren.raft.ratis;

import com.google.protobuf.CodedOutputStream;
import io.warren.proto.Batch;
import io.warren.raft.store.StoreRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * What a node sends to the Raft group for one entry: {@code int length of the batch, the Batch, the
 * entry's messages} (a {@link io.warren.raft.store.StoreRecords} sequence, possibly empty). The leader
 * splits it without parsing: the batch becomes the log entry, the messages its state-machine data, which
 * Ratis hands to the message store on every node instead of writing it into the log.
 */
public final class EntryFrame {
    private EntryFrame() {}

    /**
     * The frame of {@code batch} and the messages of its publishes, each written once, straight into the
     * frame (a body is copied here and nowhere else on its way from the channel to the Raft server).
     */
    public static byte[] encode(Batch batch, List<StoreRecords.Record> messages) {
        int batchBytes = batch.getSerializedSize();
        long size = 4L + batchBytes;
        for (StoreRecords.Record message : messages) {
            size += StoreRecords.recordBytes(message.content());
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("an entry of " + size + " bytes does not fit a frame");
        }
        byte[] frame = new byte[(int) size];
        ByteBuffer out = ByteBuffer.wrap(frame);
        out.putInt(batchBytes);
        CodedOutputStream coded = CodedOutputStream.newInstance(frame, 4, batchBytes);
        try {
            batch.writeTo(coded);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an array with room for it: not an IO failure
        }
        coded.checkNoSpaceLeft();
        out.position(4 + batchBytes);
        for (StoreRecords.Record message : messages) {
            StoreRecords.put(out, message.position(), message.content());
        }
        return frame;
    }

    /** The two parts of a frame, as views of its bytes. */
    public record Parts(ByteBuffer batch, ByteBuffer messages) {}

    /**
     * Splits a frame.
     *
     * @throws IllegalArgumentException when the length prefix does not fit the frame
     */
    public static Parts split(ByteBuffer frame) {
        ByteBuffer in = frame.duplicate();
        if (in.remaining() < 4) {
            throw new IllegalArgumentException("entry frame of " + in.remaining() + " bytes has no batch length");
        }
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("entry frame says its batch has " + length + " bytes, "
                    + in.remaining() + " follow");
        }
        ByteBuffer batch = in.slice(in.position(), length);
        ByteBuffer messages = in.slice(in.position() + length, in.remaining() - length);
        return new Parts(batch, messages);
    }
}
