package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import io.warren.amqp.tls.TlsMaterial;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * The README's start command on the built distribution: deploy/local-cluster.sh starts three nodes and
 * returns once they serve; kill 2 and start 2 work on the running cluster, which goes on serving; stop
 * stops them all; start --tls serves AMQPS with the authority it made. Ports are moved by
 * WARREN_PORT_OFFSET so the test does not need 5672-5674 free.
 * And deploy/warren refuses a WARREN_HEAP it cannot read, with one line and exit code 2.
 */
class LocalClusterScriptIT {
    private static final Path SCRIPT = Path.of("..", "deploy", "local-cluster.sh").toAbsolutePath().normalize();
    private static final Path WARREN = Path.of("..", "deploy", "warren").toAbsolutePath().normalize();

    @Test
    void startKillStartAgainAndStop() throws Exception {
        Path home = Files.createTempDirectory("warren-local-cluster");
        int offset = freeOffset();
        try {
            Run started = run(home, offset, "start");
            assertEquals(0, started.exit, started.output);
            assertEquals(3, started.output.lines().filter(l -> l.contains(" ready: amqp://")).count(), started.output);

            ConnectionFactory node1 = factory(5672 + offset);
            publish(node1, "before");
            Run killed = run(home, offset, "kill", "2");
            assertEquals(0, killed.exit, killed.output);
            assertTrue(run(home, offset, "status").output.contains("node 2: stopped"));
            publish(node1, "while node 2 is down");

            Run again = run(home, offset, "start", "2");
            assertEquals(0, again.exit, again.output);
            try (Connection connection = factory(5673 + offset).newConnection(); Channel ch = connection.createChannel()) {
                assertEquals(2, ch.queueDeclarePassive("script").getMessageCount(), "node 2 caught up");
            }
        } finally {
            Run stopped = run(home, offset, "stop");
            assertEquals(0, stopped.exit, stopped.output);
            assertTrue(run(home, offset, "status").output.lines().allMatch(l -> l.endsWith("stopped")));
        }
    }

    @Test
    void startWithTlsServesAmqpsWithTheAuthorityItMadeAndRaftOverMutualTls() throws Exception {
        Path home = Files.createTempDirectory("warren-local-cluster-tls");
        int offset = freeOffset();
        try {
            Run started = run(home, offset, "start", "--tls");
            assertEquals(0, started.exit, started.output);
            for (int i = 1; i <= 3; i++) {
                String url = "amqps://guest:guest@localhost:" + (5672 + offset - i) + "/";
                assertTrue(started.output.contains(url), url + " in: " + started.output);
            }
            assertTrue(run(home, offset, "status").output.contains("amqps://guest:guest@localhost:" + (5671 + offset)));
            SSLContext trusting = SSLContext.getInstance("TLS");
            trusting.init(null, TlsMaterial.trustManagers(home.resolve("tls").resolve("ca.pem")).getTrustManagers(),
                    null);
            ConnectionFactory node1 = factory(5671 + offset);
            node1.setHost("localhost");
            node1.useSslProtocol(trusting);
            node1.enableHostnameVerification();
            // A confirm needs a majority: the entry went to another node over Raft's mutual TLS.
            publish(node1, "over amqps");
            try (Connection connection = factory(5673 + offset).newConnection();
                    Channel ch = connection.createChannel()) {
                assertEquals(1, ch.queueDeclarePassive("script").getMessageCount(), "node 2 has it");
            }
        } finally {
            Run stopped = run(home, offset, "stop");
            assertEquals(0, stopped.exit, stopped.output);
        }
    }

    @Test
    void warrenRefusesAHeapSizeItCannotRead() throws Exception {
        Path data = Files.createTempDirectory("warren-heap");
        for (String heap : List.of("lots", "768", "1.5g", "-1m")) {
            ProcessBuilder builder = new ProcessBuilder("bash", WARREN.toString(), "--node-id", "n1", "--data-dir",
                    data.toString(), "--raft-address", "127.0.0.1:1").redirectErrorStream(true);
            builder.environment().put("WARREN_HEAP", heap);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "deploy/warren with WARREN_HEAP=" + heap);
            assertEquals(2, process.exitValue(), output);
            assertEquals("warren: WARREN_HEAP '" + heap + "' is not a size such as 768m or 4g", output.strip());
        }
    }

    private static void publish(ConnectionFactory factory, String body) throws Exception {
        try (Connection connection = factory.newConnection(); Channel ch = connection.createChannel()) {
            ch.queueDeclare("script", true, false, false, null);
            ch.confirmSelect();
            ch.basicPublish("", "script", MessageProperties.PERSISTENT_TEXT_PLAIN, body.getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(30_000);
        }
    }

    private static ConnectionFactory factory(int port) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(port);
        return factory;
    }

    private record Run(int exit, String output) {}

    private static Run run(Path home, int offset, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("WARREN_HOME", home.toString());
        builder.environment().put("WARREN_PORT_OFFSET", Integer.toString(offset));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(300, TimeUnit.SECONDS), "local-cluster.sh " + String.join(" ", args));
        return new Run(process.exitValue(), output);
    }

    /** An offset under which the twelve ports of three nodes (AMQPS too) are free now. */
    private static int freeOffset() throws IOException {
        for (int offset = 20000; offset < 40000; offset += 97) {
            if (free(5669 + offset, 6) && free(9871 + offset, 3) && free(15672 + offset, 3)) {
                return offset;
            }
        }
        throw new IOException("no free port range for three nodes");
    }

    private static boolean free(int first, int count) {
        for (int port = first; port < first + count; port++) {
            try (ServerSocket socket = new ServerSocket(port)) {
                socket.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
