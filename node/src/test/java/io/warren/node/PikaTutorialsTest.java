package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.warren.node.testing.NodeProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The RabbitMQ tutorials as taught for pika 1.x, run with Debian's python3-pika against a real Warren
 * node process (src/test/resources/pika/tutorials.py asserts what each one receives). Under CI=true a
 * missing pika fails the test instead of skipping it.
 */
class PikaTutorialsTest {
    private static NodeProcess node;
    private static Path script;

    @BeforeAll
    static void startNode() throws Exception {
        boolean pika = new ProcessBuilder("/usr/bin/python3", "-c", "import pika").start().waitFor() == 0;
        if (!pika && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("python3-pika is missing; deploy/test.sh installs it");
        }
        assumeTrue(pika, "python3-pika is not installed: skipping the pika tutorials (deploy/test.sh installs it)");
        node = NodeProcess.start("pika");
        script = Files.createTempFile("tutorials", ".py");
        try (var in = PikaTutorialsTest.class.getResourceAsStream("/pika/tutorials.py")) {
            Files.write(script, in.readAllBytes());
        }
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private static void run(String scenario) throws IOException, InterruptedException {
        Process python = new ProcessBuilder("/usr/bin/python3", script.toString(), Integer.toString(node.amqpPort()),
                scenario).redirectErrorStream(true).start();
        boolean finished = python.waitFor(180, TimeUnit.SECONDS);
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!finished) {
            python.destroyForcibly();
        }
        assertTrue(finished, scenario + " did not finish: " + output);
        assertEquals(0, python.exitValue(), scenario + " failed:\n" + output);
        assertTrue(output.strip().endsWith("OK"), output);
    }

    @Test
    void helloWorld() throws Exception {
        run("hello_world");
    }

    @Test
    void workQueuesWithFairDispatchAndRedeliveryWhenAWorkerDies() throws Exception {
        run("work_queues");
    }

    @Test
    void workQueuesDurableQueueAndPersistentMessagesSurviveKillDashNine() throws Exception {
        run("work_queues_before_restart");
        node.kill();
        node.startAgain();
        run("work_queues_after_restart");
    }

    @Test
    void publishSubscribe() throws Exception {
        run("publish_subscribe");
    }

    @Test
    void routing() throws Exception {
        run("routing");
    }

    @Test
    void topics() throws Exception {
        run("topics");
    }

    @Test
    void rpcWithSeveralClientsAtOnce() throws Exception {
        run("rpc");
    }

    @Test
    void headersExchange() throws Exception {
        run("headers");
    }
}
