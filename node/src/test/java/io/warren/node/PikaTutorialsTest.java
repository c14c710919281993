package io.warren.node;

import io.warren.node.testing.NodeProcess;
import io.warren.node.testing.PikaTutorials;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The RabbitMQ tutorials as taught for pika 1.x, run with Debian's python3-pika against a real Warren
 * node process (src/test/resources/pika/tutorials.py asserts what each one receives).
 */
class PikaTutorialsTest {
    private static NodeProcess node;
    private static PikaTutorials pika;

    @BeforeAll
    static void startNode() throws Exception {
        pika = PikaTutorials.prepare();
        node = NodeProcess.start("pika");
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private static void run(String scenario) throws IOException, InterruptedException {
        pika.run(scenario, node.amqpPort(), node.amqpPort());
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
