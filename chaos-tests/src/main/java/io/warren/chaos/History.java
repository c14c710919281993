package io.warren.chaos;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Every operation of a run, in the order recorded, kept in memory and written as JSON lines. */
public final class History implements AutoCloseable {
    private final long startNanos = System.nanoTime();
    private final List<Op> ops = new ArrayList<>();
    private final BufferedWriter out;

    public History(Path file) throws IOException {
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    public long nowMs() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    public Op add(String type, String f, String process, String node, String id, long latencyMs) {
        return add(new Op(nowMs(), type, f, process, node, id, latencyMs));
    }

    /** A delivery (ok deliver), with the broker's redelivered flag. */
    public Op delivered(String process, String node, String id, boolean redelivered) {
        return add(new Op(nowMs(), "ok", "deliver", process, node, id, 0, redelivered));
    }

    private synchronized Op add(Op op) {
        ops.add(op);
        try {
            out.write(op.toJson());
            out.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return op;
    }

    public synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
