package io.warren.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chaos run: start a three-node cluster, run the workload, apply nemeses on a schedule (every
 * requested one at least once, in a random order, then random picks, one time in three a process fault
 * and a network fault at once), heal everything, wait (bounded)
 * for every node to serve, drain every queue, check the history, and write the run folder:
 * history.jsonl, summary.json, report.html and the nodes' logs.
 *
 * <p>Usage: {@code ChaosRun --distribution node/target --out DIR [--duration S] [--nemesis a,b|all]
 * [--seed N] [--node-flag FLAG]... [--backlog N]}
 */
public final class ChaosRun {
    private static final Logger log = LoggerFactory.getLogger(ChaosRun.class);
    private static final long FAULT_MS = 8_000;
    private static final long CALM_MS = 6_000;
    private static final long RECOVERY_TIMEOUT_MS = 120_000;
    /** Standing backlog messages are this big, so that 200 k of them fit each node's 512 MB disk. */
    private static final int BACKLOG_BODY_BYTES = 512;

    /**
     * What to run. {@code nodeFlags} go to every node. {@code thief} runs a {@link Thief}, for the checker's own
     * test only: it makes confirmed messages vanish, and the run must be found invalid. {@code raftTls} puts
     * the Raft traffic between nodes inside mutual TLS, with a throw-away authority made for the run.
     */
    public record Settings(Path distribution, Path runsDir, long durationSeconds, List<Nemesis> nemeses, long seed,
            List<String> nodeFlags, int backlog, boolean thief, boolean raftTls) {
        public Settings(Path distribution, Path runsDir, long durationSeconds, List<Nemesis> nemeses, long seed,
                List<String> nodeFlags, int backlog) {
            this(distribution, runsDir, durationSeconds, nemeses, seed, nodeFlags, backlog, false, false);
        }

        public Settings(Path distribution, Path runsDir, long durationSeconds, List<Nemesis> nemeses, long seed,
                List<String> nodeFlags, int backlog, boolean thief) {
            this(distribution, runsDir, durationSeconds, nemeses, seed, nodeFlags, backlog, thief, false);
        }

        public Settings withRaftTls() {
            return new Settings(distribution, runsDir, durationSeconds, nemeses, seed, nodeFlags, backlog, thief, true);
        }
    }

    public static void main(String[] args) throws Exception {
        Settings settings = parse(args);
        Map<String, Object> summary = run(settings);
        System.out.println(Json.object(summary));
        System.exit(Boolean.TRUE.equals(summary.get("valid")) ? 0 : 1);
    }

    static Settings parse(String[] args) {
        Path distribution = Path.of("node/target");
        Path out = Path.of("chaos-tests/target/runs");
        long duration = 180;
        String nemeses = "all";
        long seed = System.nanoTime();
        List<String> nodeFlags = new ArrayList<>();
        int backlog = 0;
        boolean raftTls = false;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--distribution" -> distribution = Path.of(value);
                case "--out" -> out = Path.of(value);
                case "--duration" -> duration = Long.parseLong(value);
                case "--nemesis" -> nemeses = value;
                case "--seed" -> seed = Long.parseLong(value);
                case "--node-flag" -> nodeFlags.add(value);
                case "--backlog" -> backlog = Integer.parseInt(value);
                case "--raft-tls" -> raftTls = Boolean.parseBoolean(value);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
            i++;
        }
        List<Nemesis> chosen = nemeses.equals("all") ? List.of(Nemesis.values())
                : nemeses.isBlank() || nemeses.equals("none") ? List.of()
                : java.util.Arrays.stream(nemeses.split(",")).map(String::trim).map(Nemesis::of).toList();
        Settings settings = new Settings(distribution, out, duration, chosen, seed, nodeFlags, backlog);
        return raftTls ? settings.withRaftTls() : settings;
    }

    public static Map<String, Object> run(Settings settings) throws Exception {
        Path runDir = settings.runsDir().resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(runDir);
        boolean namespaces = NodeProcesses.namespacesAvailable();
        List<Nemesis> nemeses = new ArrayList<>(settings.nemeses());
        List<String> skipped = new ArrayList<>();
        if (!namespaces) {
            log.warn("event=loopback_mode reason=\"no network namespaces (not root, or ip/iptables missing)\""
                    + " consequence=\"partitions and packet loss are SKIPPED; only kill and pause run\"");
            nemeses.removeIf(n -> {
                if (n.network) {
                    skipped.add(n.label);
                }
                return n.network;
            });
        }
        Random random = new Random(settings.seed());
        Map<String, Object> summary = new LinkedHashMap<>();
        List<String> applied = new ArrayList<>();
        List<Long> recoveryMs = new ArrayList<>();
        List<String> healFailures = new ArrayList<>();
        long started = System.nanoTime();
        try (History history = new History(runDir.resolve("history.jsonl"));
                NodeProcesses nodes = NodeProcesses.start(settings.distribution(), runDir, 3, namespaces,
                        nodeFlags(settings, runDir, namespaces))) {
            // guest may only connect from loopback (as in RabbitMQ): the clients get a user of their own.
            nodes.warrenctl(1, "add_user", Workload.USER, Workload.PASSWORD);
            nodes.warrenctl(1, "set_permissions", Workload.USER, ".*", ".*", ".*");
            Workload workload = new Workload(nodes, history, List.of("chaos-a", "chaos-b"), 40);
            workload.declareQueues();
            if (settings.backlog() > 0) {
                Backlog.load(Workload.factory(), workload.addresses(1), nodes.id(1), history, settings.backlog(),
                        BACKLOG_BODY_BYTES);
            }
            workload.start(4, 4);
            Thief thief = settings.thief()
                    ? new Thief(Workload.factory(), workload.addresses(1), List.of("chaos-a", "chaos-b")) : null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.durationSeconds());
            List<Nemesis> firstPass = new ArrayList<>(nemeses);
            Collections.shuffle(firstPass, random);
            sleepUntil(Math.min(deadline, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CALM_MS)));
            while (!nemeses.isEmpty() && (System.nanoTime() < deadline || !firstPass.isEmpty())) {
                List<Nemesis> now = new ArrayList<>();
                if (!firstPass.isEmpty()) {
                    now.add(firstPass.remove(0));
                } else {
                    now.add(nemeses.get(random.nextInt(nemeses.size())));
                    // A mix, one time in three: a process fault and a network fault at once.
                    List<Nemesis> partners = nemeses.stream().filter(n -> n.network != now.get(0).network).toList();
                    if (!partners.isEmpty() && random.nextInt(3) == 0) {
                        now.add(partners.get(random.nextInt(partners.size())));
                    }
                }
                List<Nemesis.Applied> faults = new ArrayList<>();
                for (Nemesis nemesis : now) {
                    Nemesis.Applied fault = nemesis.start(nodes, random);
                    String target = nodes.id(fault.target());
                    history.add("nemesis", "start", "nemesis", target, nemesis.label, 0);
                    log.info("event=nemesis_start kind={} target={} mix={}", nemesis.label, target, now.size() > 1);
                    applied.add(nemesis.label + "@" + target);
                    faults.add(fault);
                }
                Thread.sleep(FAULT_MS);
                // Network first: a killed node restarted while a partition stands may find no majority to
                // register with.
                faults.sort((a, b) -> Boolean.compare(b.nemesis().network, a.nemesis().network));
                for (Nemesis.Applied fault : faults) {
                    String target = nodes.id(fault.target());
                    try {
                        Nemesis.heal(fault, nodes);
                    } catch (java.io.IOException e) {
                        // A node that will not come back is a finding, not the end of the run.
                        log.warn("event=heal_failed kind={} target={} error={}", fault.nemesis().label, target, e.toString());
                        healFailures.add(fault.nemesis().label + "@" + target + ": " + e.getMessage());
                    }
                    history.add("nemesis", "stop", "nemesis", target, fault.nemesis().label, 0);
                    log.info("event=nemesis_stop kind={} target={}", fault.nemesis().label, target);
                }
                Thread.sleep(CALM_MS);
            }
            sleepUntil(deadline);

            // Final phase: heal everything, wait for every node to serve, stop clients, drain.
            nodes.heal();
            for (int node = 1; node <= nodes.size(); node++) {
                for (int attempt = 1; (!nodes.running(node) || !nodes.member(node)) && attempt <= 3; attempt++) {
                    try {
                        nodes.start(node);
                    } catch (java.io.IOException e) {
                        log.warn("event=final_start_failed node={} attempt={} error={}", nodes.id(node), attempt, e.toString());
                        healFailures.add("final start of " + nodes.id(node) + " (attempt " + attempt + "): " + e.getMessage());
                    }
                }
                if (nodes.running(node)) {
                    nodes.resume(node);
                }
            }
            long recoveredAt = awaitServing(nodes);
            summary.put("ms_to_all_serving_after_heal", recoveredAt);
            if (thief != null) {
                thief.stop();
                summary.put("stolen", thief.stolen().size());
                summary.put("stolen_ids", thief.stolen().stream().sorted().toList());
            }
            workload.stopPublishing();
            Thread.sleep(5_000); // consumers take what is in flight
            workload.stopConsuming();
            int drained = workload.drain(1);
            if (settings.backlog() > 0) {
                drained += Backlog.drain(Workload.factory(), workload.addresses(1), nodes.id(1), history);
            }
            summary.put("drained_at_end", drained);
            summary.put("queues_after_drain", agreement(nodes));
            List<Op> ops = history.ops();
            Checker.Verdict verdict = Checker.check(ops);
            summary.putAll(verdict.toMap());
            summary.put("heal_failures", healFailures);
            summary.put("node_events", nodeEvents(runDir.resolve("nodes")));
            summary.put("valid", verdict.valid() && Boolean.TRUE.equals(((Map<?, ?>) summary.get("queues_after_drain")).get("agree"))
                    && allRunning(nodes) && recoveredAt >= 0);
            summary.put("nemeses", applied);
            summary.put("nemeses_skipped", skipped);
            summary.put("mode", namespaces ? "network namespaces" : "loopback (kill and pause only)");
            summary.put("seed", settings.seed());
            summary.put("duration_s", (System.nanoTime() - started) / 1_000_000_000);
            summary.put("node_flags", settings.nodeFlags());
            summary.put("raft_tls", settings.raftTls());
            summary.put("standing_backlog", settings.backlog());
            for (Checker.WindowStats w : verdict.windows()) {
                if (w.kind().equals(Nemesis.KILL_LEADER.label) || w.kind().equals(Nemesis.PARTITION_LEADER.label)
                        || w.kind().equals(Nemesis.PAUSE_LEADER.label)) {
                    recoveryMs.add(w.msToFirstConfirm());
                }
            }
            summary.put("ms_to_first_confirm_after_losing_leader", recoveryMs);
            Files.writeString(runDir.resolve("summary.json"), Json.object(summary));
            Report.write(runDir.resolve("report.html"), ops, verdict, summary);
            summary.put("run_dir", runDir.toString());
            log.info("event=chaos_done valid={} dir={}", summary.get("valid"), runDir);
            return summary;
        }
    }

    private static List<String> nodeFlags(Settings settings, Path runDir, boolean namespaces)
            throws IOException, InterruptedException {
        List<String> flags = new ArrayList<>(List.of("--node-down-after-ms", "5000", "--quorum-lost-after-ms", "4000"));
        if (settings.raftTls()) {
            Path tls = runDir.resolve("tls");
            makeCertificates(settings.distribution(), tls, NodeProcesses.certificateNames(namespaces, 3));
            flags.addAll(List.of("--raft-tls", "true", "--amqps-port", "none", "--tls-cert",
                    tls.resolve("{node}.pem").toString(), "--tls-key", tls.resolve("{node}.key").toString(),
                    "--tls-ca", tls.resolve("ca.pem").toString()));
        }
        for (String flag : settings.nodeFlags()) {
            flags.addAll(List.of(flag.split("=", 2)));
        }
        return flags;
    }

    /**
     * An authority and n1..n4 (the fourth for a newcomer) from the repository's deploy/lib/make-certs.sh,
     * each naming every address a node may run at.
     */
    private static void makeCertificates(Path distribution, Path dir, String names)
            throws IOException, InterruptedException {
        Path script = distribution.toAbsolutePath().normalize().getParent().getParent()
                .resolve("deploy/lib/make-certs.sh");
        Process process = new ProcessBuilder(script.toString(), "cluster", dir.toString(), "4", names)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(script + " failed: " + output.strip());
        }
    }

    /** Node log events that tell how the cluster coped, counted over all nodes' logs. */
    static final List<String> COUNTED_EVENTS = List.of("node_suspended", "node_rejoined", "declare_node_down",
            "registration_stuck", "follower_hint_followed", "snapshot_loaded");

    static Map<String, Object> nodeEvents(Path logs) throws java.io.IOException {
        Map<String, Object> counts = new LinkedHashMap<>();
        for (String event : COUNTED_EVENTS) {
            counts.put(event, 0L);
        }
        if (!Files.isDirectory(logs)) {
            return counts;
        }
        try (var files = Files.list(logs)) {
            for (Path file : files.sorted().toList()) {
                try (var lines = Files.lines(file, java.nio.charset.StandardCharsets.ISO_8859_1)) {
                    lines.forEach(line -> {
                        for (String event : COUNTED_EVENTS) {
                            if (line.contains("event=" + event + " ")) {
                                counts.merge(event, 1L, (a, b) -> (Long) a + (Long) b);
                            }
                        }
                    });
                }
            }
        }
        return counts;
    }

    /** Every node runs as a member (the run's end state must be the cluster it started as). */
    private static boolean allRunning(Nodes nodes) {
        for (int node = 1; node <= nodes.size(); node++) {
            if (!nodes.running(node) || !nodes.member(node)) {
                return false;
            }
        }
        return true;
    }

    /** Milliseconds until every running node serves, or -1 when one did not within the recovery timeout. */
    private static long awaitServing(Nodes nodes) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(RECOVERY_TIMEOUT_MS);
        for (int node = 1; node <= nodes.size(); node++) {
            while (nodes.running(node) && !nodes.serving(node)) {
                if (System.nanoTime() > deadline) {
                    log.warn("event=not_serving_after_heal node={} waited_ms={}", nodes.id(node), RECOVERY_TIMEOUT_MS);
                    return -1;
                }
                Thread.sleep(250);
            }
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Each node's count of messages left in the chaos queues after the drain: all must agree (on 0). */
    private static Map<String, Object> agreement(Nodes nodes) throws Exception {
        Map<String, Object> perNode = new LinkedHashMap<>();
        List<String> answers = new ArrayList<>();
        for (int node = 1; node <= nodes.size(); node++) {
            if (!nodes.running(node)) {
                perNode.put(nodes.id(node), "not running");
                continue;
            }
            String answer = "";
            for (int attempt = 0; attempt < 20; attempt++) {
                answer = nodes.warrenctl(node, "list_queues", "name", "messages").lines()
                        .filter(l -> l.startsWith("chaos-")).sorted().reduce("", (a, b) -> a + b + ";");
                if (allEmpty(answer)) {
                    break;
                }
                Thread.sleep(250); // a node may still be applying the drain's last entries
            }
            perNode.put(nodes.id(node), answer);
            answers.add(answer);
        }
        perNode.put("agree", answers.stream().distinct().count() == 1 && allEmpty(answers.get(0)));
        return perNode;
    }

    /** Every chaos queue (the workload's and the standing backlog's) is there and holds nothing. */
    private static boolean allEmpty(String answer) {
        return answer.startsWith("chaos-a\t0;chaos-b\t0;")
                && java.util.Arrays.stream(answer.split(";")).allMatch(queue -> queue.endsWith("\t0"));
    }

    private static void sleepUntil(long deadlineNanos) throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}
