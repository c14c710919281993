package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.warren.node.testing.TestBroker;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Debian's own /usr/bin/rabbitmqadmin (shipped with rabbitmq-server 3.10), unchanged, against the
 * management API: declare, list, publish, get, export, delete and import. Tagged reference: the same run
 * passes against RabbitMQ with rabbitmq_management.
 */
@Tag("reference")
class RabbitmqadminTest {
    private static final String ADMIN = "/usr/bin/rabbitmqadmin";
    private static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        boolean present = new File(ADMIN).canExecute();
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException(ADMIN + " is missing; deploy/test.sh installs rabbitmq-server");
        }
        assumeTrue(present, ADMIN + " is missing (rabbitmq-server installs it): skipping");
        broker = TestBroker.startWithManagement("rabbitmqadmin");
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private record Run(int exit, String out) {}

    private static Run admin(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", ADMIN, "-H", "127.0.0.1", "-P",
                Integer.toString(broker.managementPort(1)), "-u", "guest", "-p", "guest"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "rabbitmqadmin finished");
        return new Run(process.exitValue(), out);
    }

    private static String ok(String... args) throws Exception {
        Run run = admin(args);
        assertEquals(0, run.exit(), String.join(" ", args) + ": " + run.out());
        return run.out();
    }

    @Test
    void declaresListsPublishesGetsExportsDeletesAndImports() throws Exception {
        assertTrue(ok("declare", "queue", "name=adm-q", "durable=true").contains("queue declared"));
        assertTrue(ok("declare", "exchange", "name=adm-x", "type=fanout").contains("exchange declared"));
        assertTrue(ok("declare", "binding", "source=adm-x", "destination=adm-q").contains("binding declared"));
        assertTrue(ok("list", "queues", "name", "durable").contains("adm-q"));
        assertTrue(ok("list", "exchanges").contains("adm-x"));
        assertTrue(ok("list", "bindings").contains("adm-x"));
        assertTrue(ok("list", "users").contains("guest"));
        assertTrue(ok("list", "vhosts").contains("/"));
        ok("list", "connections");
        ok("list", "channels");
        ok("show", "overview");
        assertTrue(ok("publish", "exchange=adm-x", "routing_key=any", "payload=hello-admin")
                .contains("Message published"));
        String got = ok("get", "queue=adm-q", "ackmode=ack_requeue_false");
        assertTrue(got.contains("hello-admin"), got);
        Path file = Files.createTempFile("definitions-", ".json");
        assertTrue(ok("export", file.toString()).contains("Exported definitions"));
        assertTrue(Files.readString(file).contains("adm-q"));
        assertTrue(ok("delete", "queue", "name=adm-q").contains("queue deleted"));
        assertTrue(!ok("list", "queues", "name").contains("adm-q"));
        String imported = ok("import", file.toString());
        assertTrue(imported.contains("definitions"), imported);
        assertTrue(ok("list", "queues", "name").contains("adm-q"), "the import brought the queue back");
        Run missing = admin("delete", "queue", "name=adm-no-such-queue");
        assertTrue(missing.exit() != 0 && missing.out().toLowerCase(java.util.Locale.ROOT).contains("not found"),
                missing.out());
        Files.deleteIfExists(file);
    }
}
