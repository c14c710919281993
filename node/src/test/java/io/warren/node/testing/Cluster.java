package io.warren.node.testing;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Node processes of one Raft group, and what cluster tests ask of them. Every wait has a deadline. */
public final class Cluster implements AutoCloseable {
    public static final long WAIT_SECONDS = 90;

    private final List<NodeProcess> nodes;

    private Cluster(List<NodeProcess> nodes) {
        this.nodes = new ArrayList<>(nodes);
    }

    public static Cluster start(String name, int size, String... extraArgs) throws IOException, InterruptedException {
        return new Cluster(NodeProcess.startCluster(name, size, extraArgs));
    }

    /** Nodes started by the caller (see {@link NodeProcess#unstartedCluster}). */
    public static Cluster of(List<NodeProcess> nodes) {
        return new Cluster(nodes);
    }

    public NodeProcess node(int number) {
        return nodes.get(number - 1);
    }

    public List<NodeProcess> nodes() {
        return List.copyOf(nodes);
    }

    public void add(NodeProcess node) {
        nodes.add(node);
    }

    /** The node that reports itself leader, among the running ones; waits for an election if needed. */
    public NodeProcess leader() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            for (NodeProcess node : nodes) {
                try {
                    if (node.isAlive() && node.status("role").equals("leader") && node.status("serving").equals("true")) {
                        return node;
                    }
                } catch (IOException e) {
                    // not answering (paused, starting): ask the next one
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no leader within " + WAIT_SECONDS + " s");
    }

    /** The running nodes other than {@code leader}. */
    public List<NodeProcess> others(NodeProcess leader) {
        return nodes.stream().filter(n -> n != leader && n.isAlive()).toList();
    }

    public static ConnectionFactory factory(NodeProcess node) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(node.amqpPort());
        factory.setAutomaticRecoveryEnabled(false);
        factory.setConnectionTimeout(5000);
        return factory;
    }

    /** The address list a RabbitMQ client tries in turn, as a client of a cluster is configured. */
    public static List<Address> addresses(List<NodeProcess> nodes) {
        return nodes.stream().map(n -> new Address("127.0.0.1", n.amqpPort())).toList();
    }

    /** Polls {@code condition} until it holds, or fails with {@code what} after the deadline. */
    public static void await(String what, long seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            Thread.sleep(50);
        }
    }

    /** Every running node answers {@code command} with the same text (they applied the same log). */
    public void awaitAgreement(String command, String... params) throws InterruptedException {
        await("all nodes answer " + command + " alike", WAIT_SECONDS, () -> {
            try {
                List<String> answers = new ArrayList<>();
                for (NodeProcess node : nodes) {
                    if (node.isAlive()) {
                        answers.add(node.admin(command, params));
                    }
                }
                return answers.stream().distinct().count() == 1;
            } catch (IOException | InterruptedException e) {
                return false;
            }
        });
    }

    @Override
    public void close() {
        nodes.forEach(NodeProcess::close);
    }
}
