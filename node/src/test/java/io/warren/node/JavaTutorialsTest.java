package io.warren.node;

import com.rabbitmq.client.ConnectionFactory;
import io.warren.node.testing.JavaTutorials;
import io.warren.node.testing.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The tutorial scenarios with the RabbitMQ Java client against one real node process. */
class JavaTutorialsTest {
    private static NodeProcess node;
    private static JavaTutorials tutorials;

    @BeforeAll
    static void startNode() throws Exception {
        node = NodeProcess.start("java-tutorials");
        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(node.amqpPort());
        tutorials = new JavaTutorials(factory, factory);
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void helloWorld() throws Exception {
        tutorials.helloWorld();
    }

    @Test
    void workQueuesWithFairDispatchAndRedeliveryWhenAWorkerDies() throws Exception {
        tutorials.workQueues();
    }

    @Test
    void workQueuesDurableQueueAndPersistentMessagesSurviveKillDashNine() throws Exception {
        tutorials.publishTasks("durable_tasks_java", 10);
        node.kill();
        node.startAgain();
        tutorials.consumeTasksAfterRestart("durable_tasks_java", 10);
    }

    @Test
    void publishSubscribe() throws Exception {
        tutorials.publishSubscribe();
    }

    @Test
    void routing() throws Exception {
        tutorials.routing();
    }

    @Test
    void topics() throws Exception {
        tutorials.topics();
    }

    @Test
    void rpcWithSeveralClientsAtOnce() throws Exception {
        tutorials.rpc();
    }

    @Test
    void headersExchange() throws Exception {
        tutorials.headers();
    }
}
