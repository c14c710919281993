package io.warren.node;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.warren.node.testing.ClientPair;
import io.warren.node.testing.ScenarioScript;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14, point 9: Celery with kombu (Debian's python3-celery) as a task queue on three nodes: a worker on
 * node 2 takes the tasks a client on node 1 sends, and the results (and a task's exception) come back through
 * Celery's rpc:// backend. Runs against RabbitMQ 3.10 in reference mode too.
 */
@Tag("reference")
class CeleryClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("celery");

    @Test
    void aWorkerTakesTasksAndTheirResultsComeBack() throws Exception {
        boolean celery = new ProcessBuilder("/usr/bin/python3", "-c", "import celery").start().waitFor() == 0;
        if (!celery && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("python3-celery is missing; deploy/test.sh installs it");
        }
        assumeTrue(celery, "python3-celery is not installed: skipping (deploy/test.sh installs it)");
        Path dir = Files.createTempDirectory("celery");
        try (var in = CeleryClientTest.class.getResourceAsStream("/celery/warren_tasks.py")) {
            Files.write(dir.resolve("warren_tasks.py"), in.readAllBytes());
        }
        Process worker = new ProcessBuilder("/usr/bin/python3", "warren_tasks.py", "worker",
                Integer.toString(CLIENTS.broker().factory(2).getPort())).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("worker.log").toFile()).start();
        try {
            ScenarioScript.runToOk(new ProcessBuilder("/usr/bin/python3", "warren_tasks.py", "client",
                    Integer.toString(CLIENTS.broker().factory(1).getPort())).directory(dir.toFile()), "celery client");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nworker:\n" + Files.readString(dir.resolve("worker.log")), e);
        } finally {
            worker.destroyForcibly();
            worker.waitFor();
        }
    }
}
