package io.warren.raft.ratis;

import com.google.protobuf.CodedOutputStream;
import io.warren.proto.Batch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * The leader's time in a log entry: {@link Batch}'s {@code leader_time_ms}, appended to the batch's encoded
 * bytes as one more field rather than by parsing and encoding the batch again. A protobuf parser keeps the
 * last value of a repeated scalar field, so the leader's stamp wins over anything the batch held.
 */
final class LeaderTime {
    private LeaderTime() {}

    /** The batch's bytes (the buffer's remaining ones, not consumed) followed by the leader time field. */
    static byte[] stamp(ByteBuffer batch, long timeMs) {
        ByteBuffer source = batch.duplicate();
        int length = source.remaining();
        int field = CodedOutputStream.computeUInt64Size(Batch.LEADER_TIME_MS_FIELD_NUMBER, timeMs);
        byte[] out = new byte[length + field];
        source.get(out, 0, length);
        try {
            CodedOutputStream tail = CodedOutputStream.newInstance(out, length, field);
            tail.writeUInt64(Batch.LEADER_TIME_MS_FIELD_NUMBER, timeMs);
            tail.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException("the field was sized to fit", e);
        }
        return out;
    }
}
