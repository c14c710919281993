package io.warren.amqp.testing;

import io.netty.buffer.ByteBuf;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.broker.Broker;
import io.warren.amqp.broker.BrokerChannel;
import io.warren.amqp.broker.BrokerConnection;
import io.warren.amqp.broker.ClientChannel;
import io.warren.amqp.broker.ClientConnection;
import io.warren.amqp.broker.ConnectionInfo;
import io.warren.amqp.broker.GetResponse;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.method.BasicMethod;
import io.warren.amqp.method.ExchangeMethod;
import io.warren.amqp.method.QueueMethod;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test double of the broker interface for the {@code amqp} module's own tests: queues bound only to
 * the default exchange, round-robin delivery without prefetch, immediate confirms. It exists to drive
 * the wire layer with real clients; it is never part of the server. One lock guards everything.
 *
 * <p>{@link #holdReplies(boolean)} makes every reply wait until {@link #releaseHeldReplies(boolean)},
 * so tests can complete replies out of order.
 */
public final class InMemoryBroker implements Broker {
    private final Object lock = new Object();
    private final Map<String, ArrayDeque<Message>> queues = new LinkedHashMap<>();
    private final Map<String, List<Consumer>> consumers = new LinkedHashMap<>();
    private final Set<String> exchanges = new HashSet<>(Set.of("", "amq.direct", "amq.fanout", "amq.topic"));
    private final AtomicInteger names = new AtomicInteger();
    private final List<Runnable> heldReplies = new ArrayList<>();
    private boolean holding;
    /** Connections the broker has been told about, and those it was told are closed. */
    public final List<ConnectionInfo> openedConnections = new CopyOnWriteArrayList<>();
    public final List<ConnectionInfo> closedConnections = new CopyOnWriteArrayList<>();
    public final List<Integer> closedChannels = new CopyOnWriteArrayList<>();
    public final List<ClientConnection> clients = new CopyOnWriteArrayList<>();
    public final List<ClientChannel> clientChannels = new CopyOnWriteArrayList<>();

    private record Message(String exchange, String routingKey, BasicProperties properties, byte[] body,
            boolean redelivered) {
    }

    private record Consumer(String tag, Channel channel, boolean noAck) {
    }

    private record Unacked(String queue, Message message) {
    }

    public void holdReplies(boolean hold) {
        synchronized (lock) {
            holding = hold;
        }
    }

    /** Completes held replies, in request order or reversed. */
    public void releaseHeldReplies(boolean reversed) {
        List<Runnable> replies;
        synchronized (lock) {
            replies = new ArrayList<>(heldReplies);
            heldReplies.clear();
        }
        if (reversed) {
            java.util.Collections.reverse(replies);
        }
        replies.forEach(Runnable::run);
    }

    public int heldReplyCount() {
        synchronized (lock) {
            return heldReplies.size();
        }
    }

    public int queueDepth(String queue) {
        synchronized (lock) {
            ArrayDeque<Message> messages = queues.get(queue);
            return messages == null ? -1 : messages.size();
        }
    }

    private <T> CompletionStage<T> answer(T value) {
        synchronized (lock) {
            if (!holding) {
                return CompletableFuture.completedFuture(value);
            }
            CompletableFuture<T> future = new CompletableFuture<>();
            heldReplies.add(() -> future.complete(value));
            return future;
        }
    }

    @Override
    public BrokerConnection openConnection(ConnectionInfo connection, ClientConnection client) {
        openedConnections.add(connection);
        clients.add(client);
        return new BrokerConnection() {
            @Override
            public BrokerChannel openChannel(int channelNumber, ClientChannel clientChannel) {
                clientChannels.add(clientChannel);
                return new Channel(channelNumber, clientChannel);
            }

            @Override
            public void closed() {
                closedConnections.add(connection);
            }
        };
    }

    private final class Channel implements BrokerChannel {
        private final int number;
        private final ClientChannel client;
        private final Map<Long, Unacked> unacked = new LinkedHashMap<>();
        private long nextDeliveryTag = 1;

        Channel(int number, ClientChannel client) {
            this.number = number;
            this.client = client;
        }

        @Override
        public CompletionStage<ExchangeMethod.DeclareOk> exchangeDeclare(ExchangeMethod.Declare request) {
            synchronized (lock) {
                if (request.passive() && !exchanges.contains(request.exchange())) {
                    return notFound("no exchange '" + request.exchange() + "' in vhost '/'");
                }
                exchanges.add(request.exchange());
            }
            return answer(new ExchangeMethod.DeclareOk());
        }

        @Override
        public CompletionStage<ExchangeMethod.DeleteOk> exchangeDelete(ExchangeMethod.Delete request) {
            synchronized (lock) {
                exchanges.remove(request.exchange());
            }
            return answer(new ExchangeMethod.DeleteOk());
        }

        @Override
        public CompletionStage<ExchangeMethod.BindOk> exchangeBind(ExchangeMethod.Bind request) {
            return answer(new ExchangeMethod.BindOk());
        }

        @Override
        public CompletionStage<ExchangeMethod.UnbindOk> exchangeUnbind(ExchangeMethod.Unbind request) {
            return answer(new ExchangeMethod.UnbindOk());
        }

        @Override
        public CompletionStage<QueueMethod.DeclareOk> queueDeclare(QueueMethod.Declare request) {
            synchronized (lock) {
                String name = request.queue().isEmpty() ? "amq.gen-" + names.incrementAndGet() : request.queue();
                if (request.passive() && !queues.containsKey(name)) {
                    return notFound("no queue '" + name + "' in vhost '/'");
                }
                ArrayDeque<Message> messages = queues.computeIfAbsent(name, n -> new ArrayDeque<>());
                int consumerCount = consumers.getOrDefault(name, List.of()).size();
                return answer(new QueueMethod.DeclareOk(name, messages.size(), consumerCount));
            }
        }

        @Override
        public CompletionStage<QueueMethod.BindOk> queueBind(QueueMethod.Bind request) {
            return answer(new QueueMethod.BindOk());
        }

        @Override
        public CompletionStage<QueueMethod.UnbindOk> queueUnbind(QueueMethod.Unbind request) {
            return answer(new QueueMethod.UnbindOk());
        }

        @Override
        public CompletionStage<QueueMethod.PurgeOk> queuePurge(QueueMethod.Purge request) {
            synchronized (lock) {
                ArrayDeque<Message> messages = queues.get(request.queue());
                if (messages == null) {
                    return notFound("no queue '" + request.queue() + "' in vhost '/'");
                }
                int count = messages.size();
                messages.clear();
                return answer(new QueueMethod.PurgeOk(count));
            }
        }

        @Override
        public CompletionStage<QueueMethod.DeleteOk> queueDelete(QueueMethod.Delete request) {
            List<Consumer> cancelled;
            int count;
            synchronized (lock) {
                ArrayDeque<Message> messages = queues.remove(request.queue());
                count = messages == null ? 0 : messages.size();
                cancelled = consumers.remove(request.queue());
            }
            if (cancelled != null) {
                cancelled.forEach(c -> c.channel().client.cancelConsumer(c.tag()));
            }
            return answer(new QueueMethod.DeleteOk(count));
        }

        @Override
        public CompletionStage<BasicMethod.QosOk> basicQos(BasicMethod.Qos request) {
            return answer(new BasicMethod.QosOk());
        }

        @Override
        public CompletionStage<BasicMethod.ConsumeOk> basicConsume(BasicMethod.Consume request) {
            String tag = request.consumerTag().isEmpty() ? "amq.ctag-" + names.incrementAndGet() : request.consumerTag();
            synchronized (lock) {
                if (!queues.containsKey(request.queue())) {
                    return notFound("no queue '" + request.queue() + "' in vhost '/'");
                }
            }
            CompletionStage<BasicMethod.ConsumeOk> reply = answer(new BasicMethod.ConsumeOk(tag));
            // Register only once the reply is out of our hands, so no delivery can precede consume-ok.
            return reply.thenApply(ok -> {
                synchronized (lock) {
                    consumers.computeIfAbsent(request.queue(), q -> new ArrayList<>())
                            .add(new Consumer(tag, this, request.noAck()));
                }
                dispatch(request.queue());
                return ok;
            });
        }

        @Override
        public CompletionStage<BasicMethod.CancelOk> basicCancel(BasicMethod.Cancel request) {
            synchronized (lock) {
                consumers.values().forEach(list -> list.removeIf(c -> c.tag().equals(request.consumerTag())));
            }
            return answer(new BasicMethod.CancelOk(request.consumerTag()));
        }

        @Override
        public CompletionStage<GetResponse> basicGet(BasicMethod.Get request) {
            synchronized (lock) {
                ArrayDeque<Message> messages = queues.get(request.queue());
                if (messages == null) {
                    return notFound("no queue '" + request.queue() + "' in vhost '/'");
                }
                Message message = messages.poll();
                if (message == null) {
                    return answer(GetResponse.Empty.INSTANCE);
                }
                long tag = nextDeliveryTag++;
                if (!request.noAck()) {
                    unacked.put(tag, new Unacked(request.queue(), message));
                }
                BasicMethod.GetOk ok = new BasicMethod.GetOk(tag, message.redelivered(), message.exchange(),
                        message.routingKey(), messages.size());
                return answer(new GetResponse.Message(ok, message.properties(),
                        io.netty.buffer.Unpooled.wrappedBuffer(message.body())));
            }
        }

        @Override
        public void publish(BasicMethod.Publish request, BasicProperties properties, ByteBuf body, long sequence) {
            byte[] bytes = new byte[body.readableBytes()];
            body.readBytes(bytes);
            body.release();
            boolean routed;
            synchronized (lock) {
                if (!exchanges.contains(request.exchange())) {
                    client.close(AmqpException.of(ReplyCode.NOT_FOUND,
                            "no exchange '" + request.exchange() + "' in vhost '/'", 60, 40));
                    return;
                }
                ArrayDeque<Message> queue = request.exchange().isEmpty() ? queues.get(request.routingKey()) : null;
                routed = queue != null;
                if (routed) {
                    queue.add(new Message(request.exchange(), request.routingKey(), properties, bytes, false));
                }
            }
            if (!routed && request.mandatory()) {
                client.returnMessage(new BasicMethod.Return(312, "NO_ROUTE", request.exchange(), request.routingKey()),
                        properties, io.netty.buffer.Unpooled.wrappedBuffer(bytes));
            }
            if (sequence > 0) {
                client.confirm(sequence, false, true);
            }
            if (routed) {
                dispatch(request.routingKey());
            }
        }

        @Override
        public void ack(BasicMethod.Ack request) {
            settle(request.deliveryTag(), request.multiple(), false);
        }

        @Override
        public void nack(BasicMethod.Nack request) {
            settle(request.deliveryTag(), request.multiple(), request.requeue());
        }

        @Override
        public void reject(BasicMethod.Reject request) {
            settle(request.deliveryTag(), false, request.requeue());
        }

        private void settle(long tag, boolean multiple, boolean requeue) {
            List<Unacked> settled = new ArrayList<>();
            synchronized (lock) {
                if (multiple) {
                    Iterator<Map.Entry<Long, Unacked>> it = unacked.entrySet().iterator();
                    while (it.hasNext()) {
                        Map.Entry<Long, Unacked> entry = it.next();
                        if (tag == 0 || entry.getKey() <= tag) {
                            settled.add(entry.getValue());
                            it.remove();
                        }
                    }
                } else {
                    Unacked one = unacked.remove(tag);
                    if (one == null) {
                        client.close(AmqpException.of(ReplyCode.PRECONDITION_FAILED, "unknown delivery tag " + tag,
                                60, 80));
                        return;
                    }
                    settled.add(one);
                }
                if (requeue) {
                    requeue(settled);
                }
            }
        }

        private void requeue(List<Unacked> messages) {
            for (Unacked u : messages) {
                ArrayDeque<Message> queue = queues.get(u.queue());
                if (queue != null) {
                    Message m = u.message();
                    queue.addFirst(new Message(m.exchange(), m.routingKey(), m.properties(), m.body(), true));
                }
            }
        }

        @Override
        public CompletionStage<BasicMethod.RecoverOk> recover(boolean requeue) {
            synchronized (lock) {
                requeue(new ArrayList<>(unacked.values()));
                unacked.clear();
            }
            return answer(new BasicMethod.RecoverOk());
        }

        @Override
        public CompletionStage<Void> confirmSelect() {
            return answer(null);
        }

        @Override
        public CompletionStage<Void> txSelect() {
            return CompletableFuture.failedFuture(AmqpException.of(ReplyCode.NOT_IMPLEMENTED, "tx is not supported"));
        }

        @Override
        public CompletionStage<Void> txCommit() {
            return txSelect();
        }

        @Override
        public CompletionStage<Void> txRollback() {
            return txSelect();
        }

        @Override
        public CompletionStage<Void> close() {
            synchronized (lock) {
                consumers.values().forEach(list -> list.removeIf(c -> c.channel() == this));
                requeue(new ArrayList<>(unacked.values()));
                unacked.clear();
            }
            closedChannels.add(number);
            return CompletableFuture.completedFuture(null);
        }

        private <T> CompletionStage<T> notFound(String text) {
            return CompletableFuture.failedFuture(AmqpException.of(ReplyCode.NOT_FOUND, text));
        }
    }

    private void dispatch(String queueName) {
        while (true) {
            Consumer consumer;
            Message message;
            long tag;
            synchronized (lock) {
                ArrayDeque<Message> queue = queues.get(queueName);
                List<Consumer> list = consumers.get(queueName);
                if (queue == null || queue.isEmpty() || list == null || list.isEmpty()) {
                    return;
                }
                consumer = list.remove(0);
                list.add(consumer);
                message = queue.poll();
                tag = consumer.channel().nextDeliveryTag++;
                if (!consumer.noAck()) {
                    consumer.channel().unacked.put(tag, new Unacked(queueName, message));
                }
            }
            consumer.channel().client.deliver(new BasicMethod.Deliver(consumer.tag(), tag, message.redelivered(),
                    message.exchange(), message.routingKey()), message.properties(),
                    io.netty.buffer.Unpooled.wrappedBuffer(message.body()));
        }
    }
}
