package io.warren.node.testing;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;

/**
 * A consumer that records every delivery by message id (with how often and whether redelivered). It
 * acks each delivery, or with {@code ack=false} holds them all unacked (a consumer that will die with
 * its node). The connection's end, with its reason, is recorded too.
 */
public final class CollectingConsumer implements AutoCloseable {
    public final Map<String, Integer> deliveries = new ConcurrentHashMap<>();
    public final Set<String> redelivered = new ConcurrentSkipListSet<>();
    public final List<ShutdownSignalException> shutdowns = new CopyOnWriteArrayList<>();
    private final Connection connection;

    public CollectingConsumer(ConnectionFactory factory, List<Address> addresses, String queue, int prefetch,
            boolean ack) throws IOException, TimeoutException {
        connection = factory.newConnection(addresses);
        connection.addShutdownListener(shutdowns::add);
        Channel ch = connection.createChannel();
        ch.basicQos(prefetch);
        ch.basicConsume(queue, false, (tag, delivery) -> {
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

    public int port() {
        return connection.getPort();
    }

    @Override
    public void close() {
        connection.abort(5000);
    }
}
