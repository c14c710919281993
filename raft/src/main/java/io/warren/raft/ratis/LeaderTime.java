package io.warren.raft.ratis;

import io.warren.proto.Batch;
import java.nio.ByteBuffer;

/**
 * The leader's time in a log entry: {@link Batch}'s {@code leader_time_ms}, appended to the batch's encoded
 * bytes as one more field rather than by parsing and encoding the batch again. A protobuf parser keeps the
 * last value of a repeated scalar field, so the leader's stamp wins over anything the batch held.
 */
final class LeaderTime {
    private static final int TAG = Batch.LEADER_TIME_MS_FIELD_NUMBER << 3; // wire type 0: varint
    private static final int VARINT_BYTES_MAX = 10;

    private LeaderTime() {}

    /** The batch's bytes (the buffer's remaining ones, not consumed) followed by the leader time field. */
    static byte[] stamp(ByteBuffer batch, long timeMs) {
        ByteBuffer source = batch.duplicate();
        int length = source.remaining();
        byte[] out = new byte[length + 1 + varintBytes(timeMs)];
        source.get(out, 0, length);
        int at = length;
        out[at++] = (byte) TAG;
        long value = timeMs;
        while ((value & ~0x7FL) != 0) {
            out[at++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out[at] = (byte) value;
        return out;
    }

    private static int varintBytes(long value) {
        int bytes = 1;
        while ((value & ~0x7FL) != 0 && bytes < VARINT_BYTES_MAX) {
            value >>>= 7;
            bytes++;
        }
        return bytes;
    }
}
