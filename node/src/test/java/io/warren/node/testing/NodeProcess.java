package io.warren.node.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real Warren node as an OS process (java io.warren.node.Main on the test classpath), on free ports,
 * with its data in a folder that outlives the process, so a test can kill -9 it and start it again.
 * Readiness is the node's own "event=node_ready" log line, awaited with a deadline, never a sleep.
 */
public final class NodeProcess implements AutoCloseable {
    private static final long START_TIMEOUT_SECONDS = 120;

    private final Path dataDir;
    private final int amqpPort;
    private final int raftPort;
    private final int adminPort;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final List<String> extraArgs;
    private Process process;
    private Thread reader;

    private NodeProcess(Path dataDir, List<String> extraArgs) throws IOException {
        this.dataDir = dataDir;
        this.extraArgs = extraArgs;
        this.amqpPort = freePort();
        this.raftPort = freePort();
        this.adminPort = freePort();
    }

    /** @param extraArgs more node flags, e.g. "--snapshot-every-entries", "16" */
    public static NodeProcess start(String name, String... extraArgs) throws IOException, InterruptedException {
        NodeProcess node = new NodeProcess(Files.createTempDirectory("warren-" + name), List.of(extraArgs));
        node.startAgain();
        return node;
    }

    public int amqpPort() {
        return amqpPort;
    }

    public int adminPort() {
        return adminPort;
    }

    public List<String> output() {
        return output;
    }

    /** Starts the node (again) with the same data and ports, and waits until it serves AMQP. */
    public void startAgain() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", classpath(), "io.warren.node.Main",
                "--node-id", "n1", "--data-dir", dataDir.toString(), "--amqp-host", "127.0.0.1",
                "--amqp-port", Integer.toString(amqpPort), "--raft-address", "127.0.0.1:" + raftPort,
                "--admin-port", Integer.toString(adminPort)));
        command.addAll(extraArgs);
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Process started = process;
        reader = new Thread(() -> pump(started, ready), "node-output");
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("node did not become ready: " + e + "\n" + String.join("\n", output), e);
        }
    }

    private void pump(Process source, CompletableFuture<Void> ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(source.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.add(line);
                if (line.contains("event=node_ready")) {
                    ready.complete(null);
                }
            }
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
        ready.completeExceptionally(new IllegalStateException("node exited with " + source.exitValue()));
    }

    /** kill -9: no shutdown hook runs, nothing is flushed beyond what Raft already fsynced. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        reader.join(10_000);
    }

    /** SIGTERM; returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        reader.join(10_000);
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The classpath surefire runs tests with, which also starts a node: main classes and every dependency. */
    public static String classpath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
