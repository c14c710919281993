package io.warren.amqp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.server.AmqpServer;
import io.warren.amqp.server.AmqpServerConfig;
import io.warren.amqp.testing.InMemoryBroker;
import io.warren.amqp.testing.TestAuthenticator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Goal: Debian's python3-pika (1.2) completes the handshake with Warren, opens and closes channels,
 * publishes with confirms, gets and consumes, and gets the documented errors (wrong password, unknown
 * vhost, channel error, channel_max). Method: runs {@code pika/wire_checks.py} with /usr/bin/python3
 * against an {@link AmqpServer} on a loopback port; each check prints {@code OK name}. Without pika the
 * test is skipped with a message, except under CI (CI=true), where deploy/test.sh installs it and a
 * missing pika is a failure.
 */
class PikaClientTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    static boolean pikaAvailable() throws IOException, InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import pika").redirectErrorStream(true).start();
        return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
    }

    @Test
    void shouldServePikaAsRabbitMqDoes() throws Exception {
        if (!pikaAvailable()) {
            String message = "python3-pika is not installed: skipping the pika checks (deploy/test.sh installs it)";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(message);
            }
            Assumptions.abort(message);
        }
        int channelMax = 3;
        Path script = Files.createTempFile("wire_checks", ".py");
        try (var in = PikaClientTest.class.getResourceAsStream("/pika/wire_checks.py")) {
            Files.write(script, in.readAllBytes());
        }
        try (AmqpServer server = AmqpServer.start(new InetSocketAddress("127.0.0.1", 0), 1,
                AmqpServerConfig.defaults().withChannelMax(channelMax), TestAuthenticator.guest(), new InMemoryBroker())) {
            Process python = new ProcessBuilder(PYTHON.toString(), script.toString(),
                    String.valueOf(server.localAddress().getPort()), String.valueOf(channelMax))
                    .redirectErrorStream(true).start();
            assertTrue(python.waitFor(120, TimeUnit.SECONDS), "pika checks did not finish in time");
            String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, python.exitValue(), output);
            List<String> ok = output.lines().filter(line -> line.startsWith("OK ")).toList();
            assertEquals(List.of("OK publish-get-consume", "OK channel-error-404", "OK wrong-password",
                    "OK unknown-vhost", "OK channel-max"), ok, output);
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
