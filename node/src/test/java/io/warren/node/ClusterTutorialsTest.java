package io.warren.node;

import com.rabbitmq.client.ConnectionFactory;
import io.warren.node.testing.JavaTutorials;
import io.warren.node.testing.NodeProcess;
import io.warren.node.testing.TutorialScenarios;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tutorial scenarios on a three-node cluster with the RabbitMQ Java client: publishers connect to
 * node 1 and consumers to node 2, so every message crosses the cluster through the Raft log, and the
 * deliveries are performed by node 2, which owns the consuming channels.
 */
class ClusterTutorialsTest extends TutorialScenarios {
    private static List<NodeProcess> nodes;
    private static JavaTutorials tutorials;

    @BeforeAll
    static void startCluster() throws Exception {
        nodes = NodeProcess.startCluster("cluster-tutorials", 3);
        tutorials = new JavaTutorials(factory(nodes.get(0)), factory(nodes.get(1)));
    }

    static ConnectionFactory factory(NodeProcess node) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(node.amqpPort());
        return factory;
    }

    @AfterAll
    static void stopCluster() {
        if (nodes != null) {
            nodes.forEach(NodeProcess::close);
        }
    }

    @Override
    protected JavaTutorials tutorials() {
        return tutorials;
    }
}
