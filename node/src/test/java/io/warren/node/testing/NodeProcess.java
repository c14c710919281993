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
    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newBuilder()
            .connectTimeout(java.time.Duration.ofSeconds(5)).build();

    private final String nodeId;
    private final Path dataDir;
    private final int amqpPort;
    private final int raftPort;
    private final int adminPort;
    /** The Prometheus endpoint's port, a free one per process (15692, the default, may be in use). */
    private final int prometheusPort;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final List<String> extraArgs;
    private String peers;
    private Process process;
    private Thread reader;
    private CompletableFuture<Void> ready;

    private NodeProcess(String nodeId, Path dataDir, List<String> extraArgs) throws IOException {
        this(nodeId, dataDir, extraArgs, freePort(), freePort(), freePort());
    }

    private NodeProcess(String nodeId, Path dataDir, List<String> extraArgs, int amqpPort, int raftPort, int adminPort) {
        this.nodeId = nodeId;
        this.dataDir = dataDir;
        this.extraArgs = extraArgs;
        this.amqpPort = amqpPort;
        this.raftPort = raftPort;
        this.adminPort = adminPort;
        try {
            this.prometheusPort = freePort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        this.peers = nodeId + "=127.0.0.1:" + raftPort;
    }

    /** @param extraArgs more node flags, e.g. "--snapshot-every-entries", "16" */
    public static NodeProcess start(String name, String... extraArgs) throws IOException, InterruptedException {
        NodeProcess node = new NodeProcess("n1", Files.createTempDirectory("warren-" + name), List.of(extraArgs));
        node.startAgain();
        return node;
    }

    /**
     * Nodes n1..n{count} of one Raft group, started together (a node becomes ready only once a majority
     * runs) and returned once every one serves AMQP.
     */
    public static List<NodeProcess> startCluster(String name, int count, String... extraArgs)
            throws IOException, InterruptedException {
        Path root = Files.createTempDirectory("warren-" + name);
        List<NodeProcess> nodes = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            nodes.add(new NodeProcess("n" + i, root.resolve("n" + i), List.of(extraArgs)));
        }
        String peers = String.join(",", nodes.stream().map(n -> n.nodeId + "=127.0.0.1:" + n.raftPort).toList());
        for (NodeProcess node : nodes) {
            node.peers = peers;
            node.launch();
        }
        for (NodeProcess node : nodes) {
            node.awaitReady();
        }
        return nodes;
    }

    /**
     * Nodes n1..n{count} of one Raft group, each with flags of its own (its certificate, say), not yet
     * launched: the caller launches them and waits for those that should become ready.
     */
    public static List<NodeProcess> unstartedCluster(String name, int count,
            java.util.function.IntFunction<List<String>> argsOfNode) throws IOException {
        Path root = Files.createTempDirectory("warren-" + name);
        List<NodeProcess> nodes = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            nodes.add(new NodeProcess("n" + i, root.resolve("n" + i), argsOfNode.apply(i)));
        }
        String peers = String.join(",", nodes.stream().map(n -> n.nodeId + "=127.0.0.1:" + n.raftPort).toList());
        nodes.forEach(node -> node.peers = peers);
        return nodes;
    }

    /** A node that is not yet a member: it starts with the group's id and only itself as peer list. */
    public static NodeProcess newcomer(Path root, String nodeId, String... extraArgs) throws IOException {
        NodeProcess node = new NodeProcess(nodeId, root.resolve(nodeId), List.of(extraArgs));
        node.peers = "";
        return node;
    }

    /**
     * A newcomer under this node's name, data directory and ports (as a machine wiped and reinstalled),
     * to be added with add_cluster_node; this one must be stopped and its data deleted first.
     */
    public NodeProcess wipedAndRejoining(String... extraArgs) {
        NodeProcess node = new NodeProcess(nodeId, dataDir, List.of(extraArgs), amqpPort, raftPort, adminPort);
        node.peers = "";
        return node;
    }

    public String nodeId() {
        return nodeId;
    }

    public String raftAddress() {
        return "127.0.0.1:" + raftPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    public int amqpPort() {
        return amqpPort;
    }

    public int prometheusPort() {
        return prometheusPort;
    }

    public int adminPort() {
        return adminPort;
    }

    public List<String> output() {
        return output;
    }

    /** Starts the node (again) with the same data and ports, and waits until it serves AMQP. */
    public void startAgain() throws IOException, InterruptedException {
        launch();
        awaitReady();
    }

    /** Starts the process without waiting for it to serve. */
    public void launch() throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-XX:ActiveProcessorCount=2", "-cp", classpath(), "io.warren.node.Main",
                "--node-id", nodeId, "--data-dir", dataDir.toString(), "--amqp-host", "127.0.0.1",
                "--amqp-port", Integer.toString(amqpPort), "--raft-address", "127.0.0.1:" + raftPort,
                "--admin-port", Integer.toString(adminPort), "--prometheus-port", Integer.toString(prometheusPort)));
        if (!peers.isEmpty()) {
            command.addAll(List.of("--peers", peers));
        } else {
            command.addAll(List.of("--join", "true"));
        }
        command.addAll(extraArgs);
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        ready = new CompletableFuture<>();
        Process started = process;
        CompletableFuture<Void> startedReady = ready;
        reader = new Thread(() -> pump(started, startedReady), "node-output-" + nodeId);
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits for this start's "event=node_ready" line; fails with the node's output when it exits first. */
    public void awaitReady() throws InterruptedException {
        try {
            ready.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(nodeId + " did not become ready: " + e + "\n" + String.join("\n", output), e);
        }
    }

    /** One admin API call (what warrenctl sends), answered as text; throws when the node refuses. */
    public String admin(String command, String... params) throws IOException, InterruptedException {
        StringBuilder query = new StringBuilder();
        for (int i = 0; i + 1 < params.length; i += 2) {
            query.append(query.isEmpty() ? "?" : "&").append(params[i]).append('=')
                    .append(java.net.URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
        }
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + adminPort + "/"
                + command + query)).timeout(java.time.Duration.ofSeconds(120)).build();
        var response = HTTP.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(nodeId + " refused " + command + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    /** The status row's cell in {@code column} (role, leader, serving, epoch, ...). */
    public String status(String column) throws IOException, InterruptedException {
        List<String> lines = admin("status").lines().toList();
        List<String> header = List.of(lines.get(0).split("\t"));
        return lines.get(1).split("\t", -1)[header.indexOf(column)];
    }

    /** Its Raft role ("leader", "follower", ...), or "unknown" while it does not answer (stopped, starting). */
    public String role() {
        try {
            return status("role");
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return "unknown";
        }
    }

    /** kill -STOP / kill -CONT: the process freezes and thaws without knowing. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
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
        // its output can end a moment before the process does (it is being stopped): no exit code yet then
        ready.completeExceptionally(new IllegalStateException(source.isAlive() ? "node closed its output"
                : "node exited with " + source.exitValue()));
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
        keepLog();
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The node's output, kept under target/node-logs for reading after a failed run. */
    private void keepLog() {
        try {
            Path dir = Path.of("target", "node-logs", dataDir.getParent().getFileName().toString());
            Files.createDirectories(dir);
            Files.write(dir.resolve(nodeId + "-" + dataDir.getFileName() + ".log"), output);
        } catch (IOException e) {
            // only a debugging aid
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

    /** Ports this JVM handed out: a cluster's ports are chosen before its nodes bind them. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A port free now, below Linux's ephemeral range (32768 and up): a port from that range, free when
     * chosen, can become some connection's source port before the node binds it. Never the same port twice
     * in one JVM: a cluster picks its nine ports before any node binds one, and a port picked twice made
     * two of its nodes collide (seen in CI: "admin port ... cannot be bound", the other node's Raft port).
     */
    public static int freePort() throws IOException {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = 20000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(12000);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port)) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port in 20000-32000");
    }
}
