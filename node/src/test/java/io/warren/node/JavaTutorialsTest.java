package io.warren.node;

import com.rabbitmq.client.ConnectionFactory;
import io.warren.node.testing.JavaTutorials;
import io.warren.node.testing.NodeProcess;
import io.warren.node.testing.TutorialScenarios;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The tutorial scenarios with the RabbitMQ Java client against one real node process. */
class JavaTutorialsTest extends TutorialScenarios {
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
    void workQueuesDurableQueueAndPersistentMessagesSurviveKillDashNine() throws Exception {
        tutorials.publishTasks("durable_tasks_java", 10);
        node.kill();
        node.startAgain();
        tutorials.consumeTasksAfterRestart("durable_tasks_java", 10);
    }

    @Override
    protected JavaTutorials tutorials() {
        return tutorials;
    }
}
