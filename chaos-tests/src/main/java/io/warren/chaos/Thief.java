package io.warren.chaos;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checker's own test fault, from outside the broker: a client the history does not know about takes one
 * message now and then with basic.get and auto-ack. To the checker those are confirmed messages that were
 * never delivered, exactly as if the broker had lost them after confirming, so it must report each of them as
 * lost and nothing else. No switch in the node is needed for this (issue 17, point 6).
 */
public final class Thief {
    private static final Logger log = LoggerFactory.getLogger(Thief.class);

    private final Set<String> stolen = new ConcurrentSkipListSet<>();
    private final Thread thread;
    private volatile boolean stealing = true;

    public Thief(ConnectionFactory factory, List<Address> addresses, List<String> queues, long everyMs) {
        this.thread = Thread.ofPlatform().daemon().name("thief").start(() -> steal(factory, addresses, queues,
                everyMs));
    }

    private void steal(ConnectionFactory factory, List<Address> addresses, List<String> queues, long everyMs) {
        try (Connection connection = factory.newConnection(addresses); Channel ch = connection.createChannel()) {
            for (int turn = 0; stealing; turn++) {
                GetResponse got = ch.basicGet(queues.get(turn % queues.size()), true);
                if (got != null) {
                    stolen.add(new String(got.getBody(), StandardCharsets.UTF_8));
                }
                Thread.sleep(everyMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("event=thief_stopped error={}", e.toString());
        }
    }

    /** The ids taken so far; once closed, all of them. */
    public Set<String> stolen() {
        return Set.copyOf(stolen);
    }

    /** Stops stealing and waits for the thief's last take. */
    public void stop() throws InterruptedException {
        stealing = false;
        thread.join(30_000);
        log.info("event=thief_done stolen={}", stolen.size());
    }
}
