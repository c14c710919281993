package io.warren.node.testing;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A publisher as a careful RabbitMQ user writes one: confirm mode, persistent messages with unique ids,
 * at most {@code window} unconfirmed; when its connection fails it reconnects through the address list and
 * goes on. Every id ends in exactly one of confirmed, nacked, or unknown (sent, then the connection died).
 */
public final class ConfirmingPublisher {
    private static final int WINDOW = 100;

    public final Set<String> confirmed = new ConcurrentSkipListSet<>();
    public final Set<String> nacked = new ConcurrentSkipListSet<>();
    public final Set<String> unknown = new ConcurrentSkipListSet<>();
    public final AtomicInteger reconnects = new AtomicInteger();
    private final ConnectionFactory factory;
    private final List<Address> addresses;
    private final String queue;
    private final String prefix;
    private final Thread thread;
    /** Waited between publishes; 0 publishes as fast as the window allows. */
    private final long gapMillis;
    private volatile boolean running = true;
    private int next;

    public ConfirmingPublisher(ConnectionFactory factory, List<Address> addresses, String queue, String prefix) {
        this(factory, addresses, queue, prefix, 0);
    }

    /** A publisher that waits {@code gapMillis} between publishes (a steady trickle rather than a flood). */
    public ConfirmingPublisher(ConnectionFactory factory, List<Address> addresses, String queue, String prefix,
            long gapMillis) {
        this.gapMillis = gapMillis;
        this.factory = factory;
        this.addresses = addresses;
        this.queue = queue;
        this.prefix = prefix;
        this.thread = new Thread(this::run, "publisher-" + prefix);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        while (running) {
            ConcurrentNavigableMap<Long, String> outstanding = new ConcurrentSkipListMap<>();
            try (Connection connection = factory.newConnection(addresses); Channel ch = connection.createChannel()) {
                ch.confirmSelect();
                ch.addConfirmListener((tag, multiple) -> settle(outstanding, tag, multiple, confirmed),
                        (tag, multiple) -> settle(outstanding, tag, multiple, nacked));
                while (running) {
                    synchronized (outstanding) {
                        while (outstanding.size() >= WINDOW && running && ch.isOpen()) {
                            outstanding.wait(100);
                        }
                    }
                    if (!ch.isOpen()) {
                        break;
                    }
                    if (gapMillis > 0) {
                        Thread.sleep(gapMillis);
                    }
                    String id = prefix + "-" + next++;
                    outstanding.put(ch.getNextPublishSeqNo(), id);
                    ch.basicPublish("", queue, MessageProperties.PERSISTENT_BASIC, id.getBytes(StandardCharsets.UTF_8));
                }
                if (running) {
                    throw new java.io.IOException("channel closed: " + ch.getCloseReason());
                }
                ch.waitForConfirms(30_000);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    return;
                }
                reconnects.incrementAndGet();
                pause();
            } finally {
                unknown.addAll(outstanding.values());
            }
        }
    }

    private static void settle(ConcurrentNavigableMap<Long, String> outstanding, long tag, boolean multiple,
            Set<String> into) {
        var settled = multiple ? outstanding.headMap(tag, true) : outstanding.subMap(tag, true, tag, true);
        into.addAll(settled.values());
        settled.clear();
        synchronized (outstanding) {
            outstanding.notifyAll();
        }
    }

    /** Between reconnection attempts, so a cluster without a leader is not hammered. */
    private void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    public int published() {
        return next;
    }

    /** Waits, up to {@code seconds}, until {@code more} publishes beyond those confirmed now are confirmed. */
    public void awaitMoreConfirms(int more, long seconds) throws InterruptedException {
        int target = confirmed.size() + more;
        Cluster.await(more + " more confirms", seconds, () -> confirmed.size() >= target);
    }

    /** Stops publishing, waits for the last confirms, and settles what stays unconfirmed as unknown. */
    public void stop() throws InterruptedException {
        running = false;
        thread.join(60_000);
        unknown.removeAll(confirmed);
        unknown.removeAll(nacked);
    }
}
