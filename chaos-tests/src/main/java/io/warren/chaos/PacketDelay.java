package io.warren.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A delay on the packets that iptables sends to one NFQUEUE inside a network namespace: nfq_delay.py,
 * run in that namespace, holds each packet for the same time and then accepts it. This stands in for
 * {@code tc netem delay}, which this kernel lacks. The caller adds and removes the NFQUEUE rules.
 */
public final class PacketDelay {
    private static final String PROGRAM = "nfq_delay.py";

    private final Process process;
    private final String namespace;
    /** What the program prints after its ready line, read to its end (its exit) by a thread of its own. */
    private final java.util.concurrent.CompletableFuture<String> rest;

    private PacketDelay(Process process, String namespace, BufferedReader output) {
        this.process = process;
        this.namespace = namespace;
        this.rest = new java.util.concurrent.CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                StringBuilder text = new StringBuilder();
                output.lines().forEach(line -> text.append(line).append(' '));
                rest.complete(text.toString().strip());
            } catch (RuntimeException e) {
                rest.completeExceptionally(e);
            }
        });
    }

    /**
     * Starts holding queue {@code queue}'s packets for {@code millis} in {@code namespace}; returns once the
     * program has bound the queue. The program is copied into {@code workDir} on first use.
     */
    public static PacketDelay start(Path workDir, String namespace, int queue, int millis)
            throws IOException, InterruptedException {
        Path program = workDir.resolve(PROGRAM);
        if (!Files.exists(program)) {
            try (var in = PacketDelay.class.getResourceAsStream(PROGRAM)) {
                Files.copy(in, program);
            }
        }
        // The system's python: only its standard library is needed, and a user's PATH may hold another.
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        Process process = new ProcessBuilder("ip", "netns", "exec", namespace, python, program.toString(),
                Integer.toString(queue), Integer.toString(millis)).redirectErrorStream(true).start();
        BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String ready = output.readLine();
        if (ready == null || !ready.startsWith("event=delay_ready")) {
            // It fails with a traceback and exits; read that before the process (and its pipe) is gone.
            StringBuilder reason = new StringBuilder(ready == null ? "" : ready);
            try {
                if (process.waitFor(10, TimeUnit.SECONDS)) {
                    output.lines().forEach(line -> reason.append(' ').append(line.strip()));
                }
            } catch (java.io.UncheckedIOException e) {
                reason.append(" (the rest of its output is lost: ").append(e).append(')');
            }
            process.destroyForcibly();
            throw new IOException(PROGRAM + " in " + namespace + " did not start: " + reason.toString().strip());
        }
        return new PacketDelay(process, namespace, output);
    }

    /** Lets every held packet go and stops; returns how many packets were delayed. */
    public long stop() throws IOException, InterruptedException {
        // SIGTERM: the program accepts what it holds, prints its count and exits 0. (Through the handle:
        // Process.destroy would also close the pipe that count comes through.)
        process.toHandle().destroy();
        String output;
        try {
            output = rest.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            throw new IOException(PROGRAM + " in " + namespace + " did not stop on SIGTERM");
        } catch (java.util.concurrent.ExecutionException e) {
            process.destroyForcibly();
            throw new IOException(PROGRAM + " in " + namespace + ": its output could not be read", e.getCause());
        }
        process.waitFor();
        if (process.exitValue() != 0) {
            throw new IOException(PROGRAM + " in " + namespace + " failed (exit " + process.exitValue() + "): " + output);
        }
        java.util.regex.Matcher packets = java.util.regex.Pattern.compile("packets=(\\d+)").matcher(output);
        if (!packets.find()) {
            throw new IOException(PROGRAM + " in " + namespace + " stopped without its count: " + output);
        }
        return Long.parseLong(packets.group(1));
    }

    /** Stops at once, for clean-up after a failure. */
    public void kill() {
        process.destroyForcibly();
    }
}
