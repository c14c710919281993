package io.warren.chaos;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checker's own test fault, from outside the broker: a consumer the history does not know about, with
 * auto-ack, on every workload queue, so it takes its round-robin share of the messages. To the checker those
 * are confirmed messages that were never delivered, exactly as if the broker had lost them after confirming,
 * so it must report each of them as lost, and nothing else. No switch in the node is needed (issue 17, point 6).
 */
public final class Thief {
    private static final Logger log = LoggerFactory.getLogger(Thief.class);

    private final Set<String> stolen = new ConcurrentSkipListSet<>();
    private final Connection connection;
    private final Channel ch;
    private final List<String> tags = new ArrayList<>();
    private final CountDownLatch cancelled;

    public Thief(ConnectionFactory factory, List<Address> addresses, List<String> queues)
            throws IOException, TimeoutException {
        connection = factory.newConnection(addresses);
        ch = connection.createChannel();
        cancelled = new CountDownLatch(queues.size());
        for (String queue : queues) {
            tags.add(ch.basicConsume(queue, true, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties,
                        byte[] body) {
                    stolen.add(new String(body, StandardCharsets.UTF_8));
                }

                @Override
                public void handleCancelOk(String tag) {
                    cancelled.countDown();
                }
            }));
        }
    }

    /** The ids taken so far; once stopped, all of them. */
    public Set<String> stolen() {
        return Set.copyOf(stolen);
    }

    /**
     * Stops stealing. Each consumer is cancelled first: the client hands over every delivery sent before the
     * cancel-ok, so nothing the broker gave the thief goes unrecorded.
     */
    public void stop() throws IOException, InterruptedException {
        for (String tag : tags) {
            ch.basicCancel(tag);
        }
        if (!cancelled.await(30, TimeUnit.SECONDS)) {
            throw new IOException("the thief's consumers were not cancelled within 30 s");
        }
        connection.close(5000);
        log.info("event=thief_done stolen={}", stolen.size());
    }
}
