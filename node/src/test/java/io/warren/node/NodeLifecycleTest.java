package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.node.testing.NodeProcess;
import io.warren.node.testing.TestCertificates;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The server process's edges: SIGTERM closes clients with 320 CONNECTION_FORCED and exits cleanly; a bad
 * config, an unusable data dir or a port in use stop it at once with a one-line reason; every log line
 * carries the node id; warrenctl shows queues and bindings as rabbitmqctl does.
 */
class NodeLifecycleTest {

    @Test
    void shouldCloseClientsWith320OnSigtermAndExitCleanly() throws Exception {
        try (NodeProcess node = NodeProcess.start("sigterm")) {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setPort(node.amqpPort());
            Connection connection = factory.newConnection();
            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            connection.addShutdownListener(closed::complete);
            int exit = node.stop();
            ShutdownSignalException signal = closed.get(30, TimeUnit.SECONDS);
            assertTrue(signal.getMessage().contains("reply-code=320"), signal.getMessage());
            assertTrue(exit == 0 || exit == 143, "a clean exit after SIGTERM, got " + exit);
            assertTrue(node.output().stream().filter(l -> l.matches("^\\d{4}-.*")).allMatch(l -> l.contains("node=n1")),
                    "every log line names the node");
        }
    }

    @Test
    void shouldLogOneJsonObjectPerLineWithTheNodeAndTheEventWhenAsked() throws Exception {
        try (NodeProcess node = NodeProcess.start("json-log", "--log-format", "json")) {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setPort(node.amqpPort());
            factory.newConnection().close();
            node.stop();
            List<String> lines = node.output().stream().filter(l -> l.startsWith("{")).toList();
            assertTrue(lines.size() >= 3, "log lines: " + node.output());
            assertTrue(node.output().stream().noneMatch(l -> l.matches("^\\d{4}-.*")), "no text lines");
            List<java.util.Map<?, ?>> events = new java.util.ArrayList<>();
            lines.forEach(l -> events.add((java.util.Map<?, ?>) io.warren.node.management.Json.parse(l)));
            assertTrue(events.stream().allMatch(e -> "n1".equals(e.get("node")) && e.get("time") != null
                    && e.get("level") != null && e.get("message") != null), "every object names the node: " + lines);
            java.util.Map<?, ?> ready = events.stream().filter(e -> "node_ready".equals(e.get("event"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no node_ready event: " + lines));
            assertTrue(ready.get("amqp") instanceof String, "the event's fields are members: " + ready);
        }
        Result bad = runMain("--node-id", "n1", "--data-dir", "/tmp/x", "--raft-address", "127.0.0.1:1",
                "--log-format", "xml");
        assertEquals(List.of("warren: log.format 'xml' must be text or json"), bad.lines);
    }

    @Test
    void shouldRefuseABadConfigWithOneLine() throws Exception {
        Result result = runMain("--node-id", "n1");
        assertEquals(2, result.exit);
        assertEquals(List.of("warren: missing setting data.dir (flag --data-dir)"), result.lines);
        result = runMain("--node-id", "n1", "--data-dir", "/tmp/x", "--raft-address", "127.0.0.1:1", "--bogus", "1");
        assertTrue(result.lines.get(0).startsWith("warren: unknown setting 'bogus'"), result.lines.toString());
        result = runMain("--config", "/nonexistent/warren.properties");
        assertTrue(result.lines.get(0).startsWith("warren: cannot read config file"), result.lines.toString());
        result = runMain("--node-id", "n4", "--data-dir", "/tmp/x", "--raft-address", "127.0.0.1:1", "--join", "true");
        assertEquals(List.of("warren: join needs peers: the current members, id=host:port,..."), result.lines);
        result = runMain("--node-id", "n4", "--data-dir", "/tmp/x", "--raft-address", "127.0.0.1:1", "--join", "yes");
        assertEquals(List.of("warren: join 'yes' must be true or false"), result.lines);
        result = runMain("--node-id", "n1", "--data-dir", "/tmp/x", "--raft-address", "127.0.0.1:1",
                "--entries-in-flight-max", "4", "--partial-entries-in-flight-max", "5");
        assertEquals(List.of("warren: partial.entries.in.flight.max 5 is out of range (expected: 1..4)"), result.lines,
                "of the entries in flight, no more than all may be partial");
    }

    @Test
    void shouldRefuseALogDamagedInTheMiddleWithOneLine() throws Exception {
        try (NodeProcess node = NodeProcess.start("damaged")) {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setPort(node.amqpPort());
            try (Connection connection = factory.newConnection(); var ch = connection.createChannel()) {
                ch.queueDeclare("kept", true, false, false, null);
            }
            node.stop();
            Path segment;
            try (var files = Files.walk(node.dataDir())) {
                segment = files.filter(p -> p.getFileName().toString().startsWith("log_inprogress_")).findFirst()
                        .orElseThrow();
            }
            byte[] bytes = Files.readAllBytes(segment);
            bytes[12] ^= 0x5a; // inside the first entry, with complete entries after it: damage, not a torn tail
            Files.write(segment, bytes);
            Result result = runMain("--node-id", "n1", "--data-dir", node.dataDir().toString(), "--raft-address",
                    "127.0.0.1:" + NodeProcess.freePort(), "--amqp-port", "0", "--admin-port", "0", "--prometheus-port", "0");
            assertEquals(2, result.exit);
            assertEquals(1, result.lines.size(), result.lines.toString());
            assertTrue(result.lines.get(0).startsWith("warren: cannot start Raft in " + node.dataDir().resolve("raft")),
                    result.lines.toString());
            assertTrue(result.lines.get(0).contains("move " + node.dataDir().resolve("raft") + " aside"));
        }
    }

    @Test
    void shouldRefuseAnUnusableDataDirWithOneLine() throws Exception {
        Path file = Files.createTempFile("not-a-dir", ".txt");
        Result result = runMain("--node-id", "n1", "--data-dir", file.toString(), "--raft-address",
                "127.0.0.1:" + NodeProcess.freePort(), "--amqp-port", "0", "--admin-port", "0", "--prometheus-port", "0");
        assertEquals(2, result.exit);
        assertTrue(result.lines.stream().anyMatch(l -> l.startsWith("warren: data dir " + file)), result.lines.toString());
    }

    @Test
    void shouldRefuseAPortInUseWithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Path dir = Files.createTempDirectory("warren-port");
            Result result = runMain("--node-id", "n1", "--data-dir", dir.toString(), "--raft-address",
                    "127.0.0.1:" + NodeProcess.freePort(), "--amqp-host", "127.0.0.1",
                    "--amqp-port", Integer.toString(taken.getLocalPort()), "--admin-port", "0", "--prometheus-port", "0");
            assertEquals(2, result.exit);
            assertTrue(result.lines.stream().anyMatch(l -> l.startsWith("warren: AMQP port 127.0.0.1:"
                    + taken.getLocalPort() + " is in use")), result.lines.toString());
        }
    }

    @Test
    void shouldRefuseABadTlsConfigWithOneLine() throws Exception {
        TestCertificates certificates = TestCertificates.cluster(2);
        String cert = certificates.certificate("n1").toString();
        String key = certificates.key("n1").toString();
        String ca = certificates.authority().toString();
        assertRefused("tls.cert and tls.key go together: set both or neither", "--tls-cert", cert);
        assertRefused("raft.tls needs tls.cert, tls.key and tls.ca", "--tls-cert", cert, "--tls-key", key,
                "--raft-tls", "true");
        assertRefused("tls.verify verify_peer needs tls.ca", "--tls-cert", cert, "--tls-key", key,
                "--tls-verify", "verify_peer");
        assertRefused("tls.verify 'verify_mutual' must be", "--tls-cert", cert, "--tls-key", key, "--tls-ca", ca,
                "--tls-verify", "verify_mutual");
        assertRefused("tls.engine 'gnutls' must be jdk or openssl", "--tls-cert", cert, "--tls-key", key,
                "--tls-engine", "gnutls");
        assertRefused("raft.tls 'yes' must be true or false", "--raft-tls", "yes");
        assertRefused("ssl.cert.login.from 'email' must be distinguished_name or common_name",
                "--ssl-cert-login-from", "email");
        assertRefused("amqp.port none leaves no listener", "--amqp-port", "none");
        assertRefused("amqp.port none leaves no listener", "--amqp-port", "none", "--tls-cert", cert, "--tls-key",
                key, "--amqps-port", "none");
        assertRefused("admin.tls needs tls.cert and tls.key", "--admin-tls", "true");
        assertRefused("admin.host 0.0.0.0 is not loopback: the admin API has no login of its own", "--admin-host",
                "0.0.0.0");
        assertRefused("admin.host 0.0.0.0 is not loopback", "--admin-host", "0.0.0.0", "--tls-cert", cert,
                "--tls-key", key, "--tls-ca", ca, "--tls-verify", "verify_peer", "--admin-tls", "true");
        assertRefused("admin.host 'no-such-host.invalid' is not a known address", "--admin-host",
                "no-such-host.invalid");
        // Read at start: files that are missing, of the wrong kind, or do not belong together.
        assertRefused("cannot read certificate file /nonexistent/cert.pem", "--tls-cert", "/nonexistent/cert.pem",
                "--tls-key", key);
        assertRefused("key file " + cert + " has no unencrypted PKCS#8 key", "--tls-cert", cert, "--tls-key", cert);
        assertRefused("key " + certificates.key("n2") + " does not go with certificate " + cert, "--tls-cert", cert,
                "--tls-key", certificates.key("n2").toString());
        assertRefused("certificate file " + key + " is not PEM X.509", "--tls-cert", key, "--tls-key", key);
        Path empty = Files.createTempFile("warren-empty", ".pem");
        assertRefused("certificate file " + empty + " holds no certificate", "--tls-cert", empty.toString(),
                "--tls-key", key);
        assertRefused("cannot read certificate file /nonexistent/ca.pem", "--tls-cert", cert, "--tls-key", key,
                "--tls-ca", "/nonexistent/ca.pem");
        assertRefused("cannot set up TLS (protocols [TLSv1.9]", "--tls-cert", cert, "--tls-key", key,
                "--tls-versions", "TLSv1.9");
        assertRefused("cannot set up TLS (protocols [TLSv1.3], ciphers [TLS_NO_SUCH_SUITE]", "--tls-cert", cert,
                "--tls-key", key, "--tls-versions", "TLSv1.3", "--tls-ciphers", "TLS_NO_SUCH_SUITE");
        assertRefused("cannot set up TLS (protocols [TLSv1.3], ciphers [NO-SUCH-SUITE], engine OPENSSL",
                "--tls-cert", cert, "--tls-key", key, "--tls-versions", "TLSv1.3", "--tls-ciphers", "NO-SUCH-SUITE",
                "--tls-engine", "openssl");
    }

    /** A node started with {@code tlsArgs} stops at once with exit code 2 and one line starting so. */
    private static void assertRefused(String reason, String... tlsArgs) throws Exception {
        Path dir = Files.createTempDirectory("warren-tls-config");
        List<String> args = new ArrayList<>(List.of("--node-id", "n1", "--data-dir", dir.toString(),
                "--raft-address", "127.0.0.1:" + NodeProcess.freePort(), "--amqp-host", "127.0.0.1",
                "--amqp-port", Integer.toString(NodeProcess.freePort()), "--amqps-port",
                Integer.toString(NodeProcess.freePort()), "--admin-port", "0", "--prometheus-port", "0"));
        for (int i = 0; i < tlsArgs.length; i += 2) {
            int at = args.indexOf(tlsArgs[i]);
            if (at >= 0) {
                args.set(at + 1, tlsArgs[i + 1]);
            } else {
                args.addAll(List.of(tlsArgs[i], tlsArgs[i + 1]));
            }
        }
        Result result = runMain(args.toArray(String[]::new));
        assertEquals(2, result.exit, reason);
        assertEquals(1, result.lines.size(), result.lines.toString());
        assertTrue(result.lines.get(0).startsWith("warren: " + reason), result.lines.toString());
    }

    private record Result(int exit, List<String> lines) {}

    private static Result runMain(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(NodeProcess.javaBinary(), "-cp",
                NodeProcess.classpath(), "io.warren.node.Main"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the node should stop by itself");
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> lines = stderr.lines().filter(l -> l.startsWith("warren:")).toList();
        return new Result(process.exitValue(), lines);
    }
}
