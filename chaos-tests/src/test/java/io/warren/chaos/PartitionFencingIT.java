package io.warren.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.ShutdownSignalException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 19 with a real partition: a follower is cut off from both other nodes by iptables while a publisher
 * on the leader goes on and the follower's consumer holds its deliveries unacked. The cut-off node's lease
 * lapses before the leader declares it down, so it closes its consumer with 320 first; the leader then hands
 * everything that consumer held, and what it handed it during the cut, to a consumer on the third node,
 * flagged. After the heal the first consumer has received none of them, and every confirmed message is
 * delivered.
 */
class PartitionFencingIT {
    private static final long WAIT_SECONDS = 90;

    @Test
    void aNodeCutOffFromTheMajorityDeliversNothingTheClusterHandedElsewhere() throws Exception {
        boolean namespaces = NodeProcesses.namespacesAvailable();
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(namespaces, "CI must run this as root, with ip and iptables");
        }
        assumeTrue(namespaces, "SKIPPED: a partition needs network namespaces (root, ip and iptables)");
        Path runDir = Path.of("target", "runs", "fencing-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try (NodeProcesses nodes = NodeProcesses.start(Path.of("..", "node", "target"), runDir, 3, true,
                List.of("--node-down-after-ms", "5000", "--quorum-lost-after-ms", "4000"))) {
            nodes.warrenctl(1, "add_user", Workload.USER, Workload.PASSWORD);
            nodes.warrenctl(1, "set_permissions", Workload.USER, ".*", ".*", ".*");
            int leader = await("a leader", nodes::leader);
            int cut = leader % 3 + 1;
            int third = cut % 3 + 1;
            try (Connection setup = Workload.factory().newConnection(List.of(address(nodes, leader)));
                    Channel ch = setup.createChannel()) {
                ch.queueDeclare("fencing", true, false, false, null);
            }
            Consumer stale = new Consumer(address(nodes, cut), false);
            Consumer other = new Consumer(address(nodes, third), true);
            Set<String> confirmed = new ConcurrentSkipListSet<>();
            Thread publisher = Thread.ofPlatform().daemon().start(() -> publish(address(nodes, leader), confirmed));
            awaitTrue("both consumers receive", () -> stale.deliveries.size() >= 20 && other.deliveries.size() >= 20);
            int heldAtCut = stale.deliveries.size();

            for (int node = 1; node <= 3; node++) {
                if (node != cut) {
                    nodes.cut(cut, node);
                }
            }
            awaitTrue("the cut-off node closes its clients", () -> !stale.shutdowns.isEmpty());
            awaitTrue("what it held comes back to the third node's consumer, flagged",
                    () -> other.redelivered.containsAll(stale.deliveries.keySet()));
            int heldAtDeclaration = stale.deliveries.size();
            nodes.heal();
            awaitTrue("the healed node serves again", () -> serving(nodes, cut));
            publisher.interrupt();
            publisher.join(30_000);
            awaitTrue("every confirmed message reaches the third node's consumer",
                    () -> other.deliveries.keySet().containsAll(confirmed));

            ShutdownSignalException signal = stale.shutdowns.get(0);
            assertTrue(signal.getReason() instanceof AMQP.Connection.Close, "closed with a reason: " + signal);
            assertEquals(320, ((AMQP.Connection.Close) signal.getReason()).getReplyCode(), signal.getMessage());
            assertEquals(heldAtDeclaration, stale.deliveries.size(), "the cut-off consumer received nothing more");
            Set<String> both = new TreeSet<>(stale.deliveries.keySet());
            both.retainAll(other.deliveries.keySet());
            assertTrue(other.redelivered.containsAll(both), "every message seen twice was flagged the second time");
            int handedDuringCut = other.redelivered.size() - heldAtCut;
            org.slf4j.LoggerFactory.getLogger(PartitionFencingIT.class).info("event=partition_fence_measured"
                    + " held_at_cut={} held_at_declaration={} redelivered={} handed_during_cut={} confirmed={}",
                    heldAtCut, heldAtDeclaration, other.redelivered.size(), handedDuringCut, confirmed.size());
            stale.close();
            other.close();
        }
    }

    private static Address address(Nodes nodes, int node) {
        return new Address(nodes.amqpHost(node), nodes.amqpPort(node));
    }

    private static boolean serving(Nodes nodes, int node) {
        try {
            return nodes.serving(node);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Publishes a message every 10 ms with confirms, reconnecting to the same node, until interrupted. */
    private static void publish(Address to, Set<String> confirmed) {
        int next = 0;
        while (!Thread.currentThread().isInterrupted()) {
            try (Connection connection = Workload.factory().newConnection(List.of(to))) {
                Channel ch = connection.createChannel();
                ch.confirmSelect();
                Map<Long, String> outstanding = new ConcurrentHashMap<>();
                ch.addConfirmListener((tag, multiple) -> outstanding.keySet().removeIf(
                        seq -> (multiple ? seq <= tag : seq == tag) && confirmed.add(outstanding.get(seq))),
                        (tag, multiple) -> { });
                while (connection.isOpen()) {
                    String id = "m-" + next++;
                    outstanding.put(ch.getNextPublishSeqNo(), id);
                    ch.basicPublish("", "fencing", MessageProperties.PERSISTENT_BASIC,
                            id.getBytes(StandardCharsets.UTF_8));
                    Thread.sleep(10);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /** A consumer on one node that records each delivery; it acks each, or holds them all unacked. */
    private static final class Consumer implements AutoCloseable {
        final Map<String, Integer> deliveries = new ConcurrentHashMap<>();
        final Set<String> redelivered = new ConcurrentSkipListSet<>();
        final List<ShutdownSignalException> shutdowns = new CopyOnWriteArrayList<>();
        private final Connection connection;

        Consumer(Address at, boolean ack) throws Exception {
            connection = Workload.factory().newConnection(List.of(at));
            connection.addShutdownListener(shutdowns::add);
            Channel ch = connection.createChannel();
            ch.basicQos(10_000);
            ch.basicConsume("fencing", false, (tag, delivery) -> {
                String id = new String(delivery.getBody(), StandardCharsets.UTF_8);
                deliveries.merge(id, 1, Integer::sum);
                if (delivery.getEnvelope().isRedeliver()) {
                    redelivered.add(id);
                }
                if (ack) {
                    ch.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
                }
            }, tag -> { });
        }

        @Override
        public void close() {
            connection.abort(5000);
        }
    }

    private static int await(String what, IntSource source) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            int value = source.get();
            if (value != 0) {
                return value;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + what + " within " + WAIT_SECONDS + " s");
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + WAIT_SECONDS + " s");
            }
            Thread.sleep(100);
        }
    }

    @FunctionalInterface
    private interface IntSource {
        int get() throws Exception;
    }
}
