package io.warren.raft.ratis;

import io.warren.proto.Batch;
import java.nio.ByteBuffer;

/**
 * What a node sends to the Raft group for one entry: {@code int length of the batch, the Batch, the
 * entry's messages} (a {@link io.warren.raft.store.StoreRecords} sequence, possibly empty). The leader
 * splits it without parsing: the batch becomes the log entry, the messages its state-machine data, which
 * Ratis hands to the message store on every node instead of writing it into the log.
 */
public final class EntryFrame {
    private EntryFrame() {}

    public static byte[] encode(Batch batch, com.google.protobuf.ByteString messages) {
        byte[] batchBytes = batch.toByteArray();
        ByteBuffer out = ByteBuffer.allocate(4 + batchBytes.length + messages.size());
        out.putInt(batchBytes.length).put(batchBytes);
        messages.copyTo(out);
        return out.array();
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
