package io.warren.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node processes started from the built distribution (node/target: the node jar and its lib folder),
 * each with its data and log under the run folder. In namespace mode each node runs inside its own
 * network namespace (warren-cN, address 10.88.0.1N on the bridge wchaos0) and packet drops are iptables
 * rules inside the namespaces; in loopback mode the nodes share 127.0.0.1 on distinct ports, and only
 * kill and pause are possible.
 */
public final class NodeProcesses implements Nodes {
    private static final Logger log = LoggerFactory.getLogger(NodeProcesses.class);
    private static final String BRIDGE = "wchaos0";
    private static final long READY_TIMEOUT_SECONDS = 180;
    private static final int DATA_DISK_MB = 512;

    private final Path distribution;
    private final Path runDir;
    private final int size;
    private final boolean namespaces;
    /** Every node's flags; {@code {node}} in one stands for the node's id (its own certificate file, say). */
    private final List<String> extraFlags;
    private final Process[] processes;
    /** False once the node was removed from the group, until it is added back (a fresh newcomer). */
    private final boolean[] member;
    /** Node N's packets' delay while one is in force, else null. */
    private final PacketDelay[] delays;

    private NodeProcesses(Path distribution, Path runDir, int size, boolean namespaces, List<String> extraFlags) {
        this.distribution = distribution;
        this.runDir = runDir;
        this.size = size;
        this.namespaces = namespaces;
        this.extraFlags = extraFlags;
        this.processes = new Process[size + 1];
        this.delays = new PacketDelay[size + 1];
        this.member = new boolean[size + 1];
        java.util.Arrays.fill(member, true);
    }

    /** True when this process may create network namespaces (root, ip and iptables present). */
    public static boolean namespacesAvailable() {
        try {
            return ProcessHandle.current().info().user().orElse("").equals("root")
                    && new ProcessBuilder("ip", "netns", "list").start().waitFor() == 0
                    && new ProcessBuilder("iptables", "--version").start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Sets up the network (in namespace mode) and starts every node; returns once all serve. */
    public static NodeProcesses start(Path distribution, Path runDir, int size, boolean namespaces,
            List<String> extraFlags) throws IOException, InterruptedException {
        NodeProcesses nodes = new NodeProcesses(distribution, runDir, size, namespaces, extraFlags);
        if (namespaces) {
            removeLeftovers();
            nodes.createNetwork();
        }
        for (int node = 1; node <= size; node++) {
            if (namespaces) {
                nodes.mountDataDisk(node);
            }
            nodes.launch(node);
        }
        for (int node = 1; node <= size; node++) {
            nodes.awaitReady(node, 1);
        }
        return nodes;
    }

    private void createNetwork() throws IOException, InterruptedException {
        removeNetwork();
        sh("ip link add " + BRIDGE + " type bridge");
        sh("ip addr add 10.88.0.1/24 dev " + BRIDGE);
        sh("ip link set " + BRIDGE + " up");
        for (int node = 1; node <= size; node++) {
            String ns = namespace(node);
            sh("ip netns add " + ns);
            sh("ip link add wc" + node + " type veth peer name eth0 netns " + ns);
            sh("ip link set wc" + node + " master " + BRIDGE + " up");
            sh("ip -n " + ns + " addr add " + address(node) + "/24 dev eth0");
            sh("ip -n " + ns + " link set eth0 up");
            sh("ip -n " + ns + " link set lo up");
        }
        log.info("event=network_ready bridge={} nodes={}", BRIDGE, size);
    }

    /** What an earlier run that was killed left behind: its nodes, their tmpfs disks, the network. */
    private static void removeLeftovers() throws InterruptedException {
        shQuiet("pkill -9 -f 'io.warren.node.Main --node-id n[0-9] --data-dir .*/chaos-tests/target/runs/'");
        shQuiet("pkill -9 -f '/chaos-tests/target/runs/.*/nfq_delay.py'"); // they keep namespaces alive
        shQuiet("for m in $(grep ' tmpfs ' /proc/mounts | grep '^warren-chaos-' | cut -d' ' -f2); do umount -l $m; done");
        Thread.sleep(1000); // let the killed processes leave their namespaces
    }

    private void removeNetwork() throws InterruptedException {
        for (int node = 1; node <= 9; node++) {
            shQuiet("ip link del wc" + node);
            shQuiet("ip netns del " + namespace(node));
        }
        shQuiet("ip link del " + BRIDGE);
    }

    private static String namespace(int node) {
        return "warren-c" + node;
    }

    private static String address(int node) {
        return "10.88.0.1" + node;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String amqpHost(int node) {
        return namespaces ? address(node) : "127.0.0.1";
    }

    @Override
    public int amqpPort(int node) {
        return namespaces ? 5672 : 25670 + node;
    }

    /** The subject alternative names every node's certificate carries: all the addresses nodes may run at. */
    static String certificateNames(boolean namespaces, int size) {
        StringBuilder names = new StringBuilder("IP:127.0.0.1,DNS:localhost");
        for (int node = 1; namespaces && node <= size + 1; node++) {
            names.append(",IP:").append(address(node));
        }
        return names.toString();
    }

    private String raftAddress(int node) {
        return namespaces ? address(node) + ":9871" : "127.0.0.1:" + (25680 + node);
    }

    private int adminPort(int node) {
        return namespaces ? 15672 : 25690 + node;
    }

    private List<String> inNamespace(int node, List<String> command) {
        if (!namespaces) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", namespace(node)));
        wrapped.addAll(command);
        return wrapped;
    }

    private String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The node JVM options production uses, from the repository's deploy/jvm.options (beside the built
     * distribution, node/target), so that chaos runs test the JIT and collector users run.
     */
    private List<String> jvmOptions() throws IOException {
        Path file = distribution.toAbsolutePath().normalize().getParent().getParent().resolve("deploy/jvm.options");
        return Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
    }

    private String classpath() {
        return distribution.resolve("warren-node-0.1.0-SNAPSHOT.jar") + ":" + distribution.resolve("lib") + "/*";
    }

    private Path logFile(int node) {
        return runDir.resolve("nodes").resolve(id(node) + ".log");
    }

    private void launch(int node) throws IOException {
        launch(node, List.of());
    }

    private void launch(int node, List<String> moreFlags) throws IOException {
        List<String> peers = new ArrayList<>();
        for (int other = 1; other <= size; other++) {
            peers.add(id(other) + "=" + raftAddress(other));
        }
        List<String> command = new ArrayList<>(List.of(java(), "-Xms64m", "-Xmx384m"));
        command.addAll(jvmOptions()); // what deploy/warren starts a node with, but the heap
        command.addAll(List.of("-XX:ActiveProcessorCount=2", "-cp", classpath(), "io.warren.node.Main",
                "--node-id", id(node), "--data-dir", runDir.resolve("data").resolve(id(node)).toString(),
                "--amqp-host", amqpHost(node), "--amqp-port", Integer.toString(amqpPort(node)),
                "--raft-address", raftAddress(node), "--peers", String.join(",", peers),
                "--admin-port", Integer.toString(adminPort(node)),
                "--prometheus-port", Integer.toString(namespaces ? 15692 : 25700 + node)));
        extraFlags.forEach(flag -> command.add(flag.replace("{node}", id(node))));
        command.addAll(moreFlags);
        Files.createDirectories(logFile(node).getParent());
        ProcessBuilder builder = new ProcessBuilder(inNamespace(node, command));
        builder.environment().put("MALLOC_ARENA_MAX", "2"); // as deploy/warren sets it
        processes[node] = builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(node).toFile())).start();
        log.info("event=node_launched node={} pid={}", id(node), processes[node].pid());
    }

    /** Waits until the node's log holds {@code readyCount} "event=node_ready" lines (one per start). */
    private void awaitReady(int node, int readyCount) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            if (readyLines(node) >= readyCount) {
                return;
            }
            if (!processes[node].isAlive()) {
                throw new IOException(id(node) + " exited with " + processes[node].exitValue() + "; see " + logFile(node));
            }
            Thread.sleep(100);
        }
        throw new IOException(id(node) + " did not serve within " + READY_TIMEOUT_SECONDS + " s; see " + logFile(node));
    }

    private long readyLines(int node) throws IOException {
        try (var lines = Files.lines(logFile(node), StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains("event=node_ready")).count();
        }
    }

    @Override
    public void start(int node) throws IOException, InterruptedException {
        if (!member[node]) {
            // Removed and not (yet) added back: with its old peers list it would wait for a leader forever.
            rejoinFresh(node);
            return;
        }
        if (running(node)) {
            return;
        }
        long before = readyLines(node);
        launch(node);
        awaitReady(node, (int) before + 1);
    }

    @Override
    public void kill(int node) throws InterruptedException {
        Process process = processes[node];
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void killAll() throws IOException, InterruptedException {
        StringBuilder pids = new StringBuilder();
        for (int node = 1; node <= size(); node++) {
            if (running(node)) {
                pids.append(' ').append(processes[node].pid());
            }
        }
        if (pids.isEmpty()) {
            return;
        }
        sh("kill -9" + pids);
        for (int node = 1; node <= size(); node++) {
            if (processes[node] != null) {
                processes[node].waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void startAll() throws IOException, InterruptedException {
        long[] before = new long[size() + 1];
        List<Integer> launched = new ArrayList<>();
        for (int node = 1; node <= size(); node++) {
            if (member[node] && !running(node)) {
                before[node] = readyLines(node);
                launch(node);
                launched.add(node);
            }
        }
        for (int node : launched) {
            awaitReady(node, (int) before[node] + 1);
        }
    }

    @Override
    public void pause(int node) throws IOException, InterruptedException {
        signal(node, "STOP");
    }

    @Override
    public void resume(int node) throws IOException, InterruptedException {
        signal(node, "CONT");
    }

    private void signal(int node, String signal) throws IOException, InterruptedException {
        if (!running(node)) {
            // A node that did not come back from an earlier fault: nothing to pause or thaw.
            log.warn("event=signal_skipped node={} signal={} reason=not_running", id(node), signal);
            return;
        }
        sh("kill -" + signal + " " + processes[node].pid());
    }

    @Override
    public boolean member(int node) {
        return member[node];
    }

    @Override
    public boolean running(int node) {
        return processes[node] != null && processes[node].isAlive();
    }

    @Override
    public String warrenctl(int node, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", classpath(),
                "io.warren.node.WarrenCtl", "-n", "127.0.0.1:" + adminPort(node), "-q"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(inNamespace(node, command)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(150, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("warrenctl " + String.join(" ", args) + " on " + id(node) + ": " + output.strip());
        }
        return output;
    }

    @Override
    public void removeMember(int node) throws IOException, InterruptedException {
        try {
            // Bounded: under a partition the change cannot commit, which is an answer, not a reason to hang.
            warrenctl(otherRunning(node), "-t", "20", "forget_cluster_node", id(node));
        } catch (IOException e) {
            if (!e.getMessage().contains("is not a member")) {
                throw e;
            }
        }
        member[node] = false;
        log.info("event=member_removed node={}", id(node));
    }

    @Override
    public void rejoinFresh(int node) throws IOException, InterruptedException {
        if (isMember(node)) {
            // An earlier add that timed out committed since. A member's log must never be wiped (with it, its
            // vote could elect a leader missing committed entries): it restarts on its own data instead.
            member[node] = true;
            kill(node);
            long before = readyLines(node);
            launch(node);
            awaitReady(node, (int) before + 1);
            log.info("event=member_already_added node={}", id(node));
            return;
        }
        kill(node);
        Path data = runDir.resolve("data").resolve(id(node));
        try (var children = Files.list(data)) {
            for (Path child : children.toList()) {
                deleteRecursively(child);
            }
        }
        long before = readyLines(node);
        launch(node, List.of("--join", "true"));
        warrenctl(otherRunning(node), "add_cluster_node", id(node), raftAddress(node));
        member[node] = true;
        awaitReady(node, (int) before + 1);
        log.info("event=member_added node={}", id(node));
    }

    /** Whether the group's configuration, as another running node's cluster_status shows it, holds the node. */
    private boolean isMember(int node) throws IOException, InterruptedException {
        for (String line : warrenctl(otherRunning(node), "cluster_status").split("\n")) {
            String[] columns = line.split("\t");
            if (columns.length > 1 && columns[0].equals(id(node))) {
                return columns[1].equals("true");
            }
        }
        return false;
    }

    private int otherRunning(int node) throws IOException {
        for (int other = 1; other <= size; other++) {
            if (other != node && running(other)) {
                return other;
            }
        }
        throw new IOException("no other node runs");
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            try (var children = Files.list(path)) {
                for (Path child : children.toList()) {
                    deleteRecursively(child);
                }
            }
        }
        Files.delete(path);
    }

    @Override
    public String tearLogTail(int node, int bytes) throws IOException {
        Path raft = runDir.resolve("data").resolve(id(node)).resolve("raft");
        Path segment;
        try (var files = Files.walk(raft)) {
            segment = files.filter(p -> p.getFileName().toString().startsWith("log_inprogress_"))
                    .max(java.util.Comparator.comparing(Path::toString)).orElse(null);
        }
        if (segment == null) {
            return null;
        }
        // Segments are preallocated and zero-filled: the written data ends at the last non-zero byte. A write
        // torn by a crash leaves the start of an entry that was never acknowledged there: random bytes
        // after the last complete entry. (Cutting into complete entries instead would destroy data the
        // node had acknowledged, which no crash of an fsyncing log does; Ratis then keeps the leader's
        // nextIndex for it above what it has, and it cannot catch up until the leader changes.)
        byte[] content = Files.readAllBytes(segment);
        int end = content.length;
        while (end > 0 && content[end - 1] == 0) {
            end--;
        }
        // An entry is written as its length (a varint), its bytes and a checksum; a torn write leaves the
        // length and only some of the rest. Here: a length of 100 and 1-64 bytes of it.
        byte[] torn = new byte[1 + Math.min(bytes, 64)];
        new java.util.Random(end).nextBytes(torn);
        torn[0] = 100;
        try (var channel = java.nio.channels.FileChannel.open(segment, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(torn), end);
        }
        log.info("event=log_torn node={} segment={} data_end={} torn_bytes={}", id(node), segment.getFileName(), end,
                bytes);
        return segment.getFileName().toString();
    }

    /** Each node's data on a tmpfs of its own, so that one node's disk can fill up alone. */
    private void mountDataDisk(int node) throws IOException, InterruptedException {
        Path dir = runDir.resolve("data").resolve(id(node));
        Files.createDirectories(dir);
        sh("mount -t tmpfs -o size=" + DATA_DISK_MB + "m warren-chaos-" + id(node) + " " + dir);
    }

    private Path ballast(int node) {
        return runDir.resolve("data").resolve(id(node)).resolve("ballast");
    }

    @Override
    public void fillDisk(int node) throws IOException, InterruptedException {
        requireNamespaces();
        Path dir = runDir.resolve("data").resolve(id(node));
        long free = Files.getFileStore(dir).getUsableSpace();
        // dd stops at ENOSPC (exit code 1); what it wrote stays as the ballast.
        shQuiet("dd if=/dev/zero of=" + ballast(node) + " bs=1M count=" + (free / (1 << 20) + 1));
        log.info("event=disk_filled node={} free_before={} free_now={}", id(node), free,
                Files.getFileStore(dir).getUsableSpace());
    }

    @Override
    public void freeDisk(int node) throws IOException {
        Files.deleteIfExists(ballast(node));
    }

    @Override
    public void cut(int a, int b) throws IOException, InterruptedException {
        requireNamespaces();
        for (int[] pair : new int[][] {{a, b}, {b, a}}) {
            String ns = namespace(pair[0]);
            sh("ip netns exec " + ns + " iptables -A INPUT -s " + address(pair[1]) + " -j DROP");
            sh("ip netns exec " + ns + " iptables -A OUTPUT -d " + address(pair[1]) + " -j DROP");
        }
    }

    @Override
    public void loss(int node, double share) throws IOException, InterruptedException {
        requireNamespaces();
        // tc netem is missing from this kernel, so loss is iptables' statistic match on the node's input
        // from the other nodes (clients on the bridge's own address are spared).
        for (int other = 1; other <= size; other++) {
            if (other != node) {
                sh("ip netns exec " + namespace(node) + " iptables -A INPUT -s " + address(other)
                        + " -m statistic --mode random --probability " + share + " -j DROP");
            }
        }
    }

    @Override
    public void delay(int node, int millis) throws IOException, InterruptedException {
        requireNamespaces();
        if (delays[node] != null) {
            throw new IllegalStateException(id(node) + " is already delayed");
        }
        // Bound before any packet is queued: the rules' --queue-bypass lets packets through while nothing listens.
        delays[node] = PacketDelay.start(runDir, namespace(node), node, millis);
        for (int other = 1; other <= size; other++) {
            if (other != node) {
                String queue = " -j NFQUEUE --queue-num " + node + " --queue-bypass";
                sh("ip netns exec " + namespace(node) + " iptables -A OUTPUT -d " + address(other) + queue);
                sh("ip netns exec " + namespace(node) + " iptables -A INPUT -s " + address(other) + queue);
            }
        }
        log.info("event=delay_started node={} delay_ms={} each_way=true", id(node), millis);
    }

    @Override
    public void heal() throws IOException, InterruptedException {
        if (!namespaces) {
            return;
        }
        for (int node = 1; node <= size; node++) {
            sh("ip netns exec " + namespace(node) + " iptables -F");
        }
        stopDelays();
    }

    /** Stops every delay; each lets the packets it still holds go (the rules are gone by now). */
    private void stopDelays() throws IOException, InterruptedException {
        for (int node = 1; node <= size; node++) {
            PacketDelay delay = delays[node];
            if (delay != null) {
                delays[node] = null;
                log.info("event=delay_stopped node={} packets={}", id(node), delay.stop());
            }
        }
    }

    private void requireNamespaces() {
        if (!namespaces) {
            throw new IllegalStateException("network faults need network namespaces (run as root)");
        }
    }

    private static void sh(String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("'" + command + "' failed: " + output.strip());
        }
    }

    private static void shQuiet(String command) throws InterruptedException {
        try {
            new ProcessBuilder("sh", "-c", command + " >/dev/null 2>&1").start().waitFor();
        } catch (IOException e) {
            // nothing to clean
        }
    }

    @Override
    public void close() {
        for (int node = 1; node <= size; node++) {
            if (delays[node] != null) {
                delays[node].kill();
            }
            Process process = processes[node];
            if (process != null && process.isAlive()) {
                try {
                    resume(node);
                } catch (IOException | InterruptedException e) {
                    // best effort: it is killed next
                }
                process.destroyForcibly();
            }
        }
        try {
            for (int node = 1; node <= size; node++) {
                if (processes[node] != null) {
                    processes[node].waitFor(30, TimeUnit.SECONDS);
                }
            }
            if (namespaces) {
                removeNetwork();
                for (int node = 1; node <= size; node++) {
                    shQuiet("umount " + runDir.resolve("data").resolve(id(node)));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
