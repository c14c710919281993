package io.warren.raft.core;

import io.warren.proto.SnapshotRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A core's snapshot as the bytes a node would write: what tests compare to tell two states apart. */
public final class SnapshotBytes {
    private SnapshotBytes() {}

    public static byte[] of(BrokerCore core) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotRecords.write(core, record -> write(record, out));
        return out.toByteArray();
    }

    /** A core loaded from such bytes, as a node restarting from its snapshot loads one. */
    public static BrokerCore load(byte[] bytes) {
        java.util.List<SnapshotRecord> records = new java.util.ArrayList<>();
        var in = new java.io.ByteArrayInputStream(bytes);
        try {
            SnapshotRecord record;
            while ((record = SnapshotRecord.parseDelimitedFrom(in)) != null) {
                records.add(record);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return SnapshotLoader.load(records.iterator());
    }

    /** Appends one record, length-delimited, as the snapshot file holds it. */
    public static void write(SnapshotRecord record, ByteArrayOutputStream out) {
        try {
            record.writeDelimitedTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
