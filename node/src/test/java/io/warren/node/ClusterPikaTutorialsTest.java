package io.warren.node;

import io.warren.node.testing.Cluster;
import io.warren.node.testing.PikaTutorials;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pika tutorials on a three-node cluster: publishers on node 1, consumers on node 2. The durable
 * work queue then survives kill -9 of the node its consumer used and is drained through node 3.
 */
class ClusterPikaTutorialsTest {
    private static Cluster cluster;
    private static PikaTutorials pika;

    @BeforeAll
    static void startCluster() throws Exception {
        pika = PikaTutorials.prepare();
        cluster = Cluster.start("cluster-pika", 3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello_world", "work_queues", "publish_subscribe", "routing", "topics", "rpc", "headers"})
    void scenarioWithPublisherOnNode1AndConsumerOnNode2(String scenario) throws Exception {
        pika.run(scenario, cluster.node(1).amqpPort(), cluster.node(2).amqpPort());
    }

    @org.junit.jupiter.api.Test
    void durableWorkQueueSurvivesKillDashNineOfTheConsumersNode() throws Exception {
        pika.run("work_queues_before_restart", cluster.node(1).amqpPort(), cluster.node(2).amqpPort());
        cluster.node(2).kill();
        pika.run("work_queues_after_restart", cluster.node(1).amqpPort(), cluster.node(3).amqpPort());
        cluster.node(2).startAgain();
    }
}
