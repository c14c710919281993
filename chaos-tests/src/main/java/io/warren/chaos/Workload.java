package io.warren.chaos;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clients, written as a careful RabbitMQ user writes them with the Java client: publishers in
 * confirm mode sending persistent messages with unique ids to durable queues, consumers with manual
 * acks. Each client starts on one node and, when its connection fails, reconnects through the address
 * list starting at the next node. Everything they do goes into the history.
 */
public final class Workload {
    private static final Logger log = LoggerFactory.getLogger(Workload.class);
    private static final int WINDOW = 50;
    static final String USER = "chaos";
    static final String PASSWORD = "chaos-password";

    private final Nodes nodes;
    private final History history;
    private final List<String> queues;
    private final int publishRatePerSecond;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean publishing = true;
    private volatile boolean consuming = true;

    public Workload(Nodes nodes, History history, List<String> queues, int publishRatePerSecond) {
        this.nodes = nodes;
        this.history = history;
        this.queues = queues;
        this.publishRatePerSecond = publishRatePerSecond;
    }

    public void declareQueues() throws Exception {
        try (Connection connection = factory().newConnection(addresses(1)); Channel ch = connection.createChannel()) {
            for (String queue : queues) {
                ch.queueDeclare(queue, true, false, false, null);
            }
        }
    }

    public void start(int publishers, int consumers) {
        for (int p = 1; p <= publishers; p++) {
            int first = (p - 1) % nodes.size() + 1;
            String name = "p" + p;
            String queue = queues.get((p - 1) % queues.size());
            threads.add(Thread.ofPlatform().daemon().name(name).start(() -> publishLoop(name, first, queue)));
        }
        for (int c = 1; c <= consumers; c++) {
            int first = c % nodes.size() + 1;
            String name = "c" + c;
            String queue = queues.get((c - 1) % queues.size());
            threads.add(Thread.ofPlatform().daemon().name(name).start(() -> consumeLoop(name, first, queue)));
        }
    }

    public void stopPublishing() {
        publishing = false;
    }

    public void stopConsuming() throws InterruptedException {
        consuming = false;
        for (Thread thread : threads) {
            thread.join(60_000);
        }
    }

    static ConnectionFactory factory() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUsername(USER);
        factory.setPassword(PASSWORD);
        factory.setAutomaticRecoveryEnabled(false);
        factory.setConnectionTimeout(3000);
        factory.setRequestedHeartbeat(5);
        factory.setShutdownTimeout(1000);
        return factory;
    }

    /** Every node, starting at {@code first}: the order a client tries them in. */
    List<Address> addresses(int first) {
        List<Address> list = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            int node = (first - 1 + i) % nodes.size() + 1;
            list.add(new Address(nodes.amqpHost(node), nodes.amqpPort(node)));
        }
        return list;
    }

    private String nodeOf(Connection connection) {
        for (int node = 1; node <= nodes.size(); node++) {
            if (connection.getAddress().getHostAddress().equals(nodes.amqpHost(node))
                    && connection.getPort() == nodes.amqpPort(node)) {
                return nodes.id(node);
            }
        }
        return "?";
    }

    /** Publishes from {@code firstNode} on (its own node, so that clients stay spread over the cluster). */
    private void publishLoop(String name, int firstNode, String queue) {
        long sequence = 0;
        long pauseNanos = TimeUnit.SECONDS.toNanos(1) / Math.max(1, publishRatePerSecond);
        while (publishing) {
            ConcurrentNavigableMap<Long, Pending> outstanding = new ConcurrentSkipListMap<>();
            String node = "?";
            try (Connection connection = factory().newConnection(addresses(firstNode))) {
                node = nodeOf(connection);
                String at = node;
                Channel ch = connection.createChannel();
                ch.confirmSelect();
                ch.addConfirmListener((tag, multiple) -> settle(outstanding, tag, multiple, "ok", name, at),
                        (tag, multiple) -> settle(outstanding, tag, multiple, "fail", name, at));
                long next = System.nanoTime();
                while (publishing && connection.isOpen()) {
                    if (outstanding.size() >= WINDOW) {
                        synchronized (outstanding) {
                            outstanding.wait(50);
                        }
                        continue;
                    }
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    next += pauseNanos;
                    String id = name + "-" + (++sequence);
                    outstanding.put(ch.getNextPublishSeqNo(), new Pending(id, System.nanoTime()));
                    history.add("invoke", "publish", name, node, id, 0);
                    ch.basicPublish("", queue, MessageProperties.PERSISTENT_BASIC, id.getBytes(StandardCharsets.UTF_8));
                }
                if (connection.isOpen()) {
                    ch.waitForConfirms(10_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                log.debug("event=publisher_connection_lost process={} node={} error={}", name, node, e.toString());
            } finally {
                for (Pending pending : outstanding.values()) {
                    history.add("info", "publish", name, node, pending.id, 0);
                }
            }
            // Back to its own node first (the address list moves on when that one refuses or times out):
            // moving on from the failed node instead would send every client to the same next node.
            sleepQuietly(200);
        }
    }

    private record Pending(String id, long sentNanos) {}

    private void settle(ConcurrentNavigableMap<Long, Pending> outstanding, long tag, boolean multiple, String outcome,
            String name, String node) {
        var settled = multiple ? outstanding.headMap(tag, true) : outstanding.subMap(tag, true, tag, true);
        long now = System.nanoTime();
        for (Pending pending : settled.values()) {
            history.add(outcome, "publish", name, node, pending.id, Math.max(1, (now - pending.sentNanos) / 1_000_000));
        }
        settled.clear();
        synchronized (outstanding) {
            outstanding.notifyAll();
        }
    }

    private void consumeLoop(String name, int firstNode, String queue) {
        while (consuming) {
            try (Connection connection = factory().newConnection(addresses(firstNode))) {
                String node = nodeOf(connection);
                Channel ch = connection.createChannel();
                ch.basicQos(50);
                ch.basicConsume(queue, false, (tag, delivery) -> {
                    String id = new String(delivery.getBody(), StandardCharsets.UTF_8);
                    history.delivered(name, node, id, delivery.getEnvelope().isRedeliver());
                    ch.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
                    history.add("ok", "ack", name, node, id, 0); // written to the socket; the broker may not get it
                }, tag -> { });
                while (consuming && connection.isOpen()) {
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                log.debug("event=consumer_connection_lost process={} error={}", name, e.toString());
            }
            // Back to its own node first (the address list moves on when that one refuses or times out):
            // moving on from the failed node instead would send every client to the same next node.
            sleepQuietly(200);
        }
    }

    /** Takes what is left in every queue with basic.get through node {@code node}; returns how many. */
    public int drain(int node) throws Exception {
        int drained = 0;
        try (Connection connection = factory().newConnection(addresses(node)); Channel ch = connection.createChannel()) {
            String at = nodeOf(connection);
            for (String queue : queues) {
                GetResponse got;
                while ((got = ch.basicGet(queue, true)) != null) {
                    history.delivered("drain", at, new String(got.getBody(), StandardCharsets.UTF_8),
                            got.getEnvelope().isRedeliver());
                    drained++;
                }
            }
        }
        return drained;
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
