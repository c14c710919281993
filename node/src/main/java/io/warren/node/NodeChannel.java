package io.warren.node;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.broker.BrokerChannel;
import io.warren.amqp.broker.ClientChannel;
import io.warren.amqp.broker.GetResponse;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.codec.FieldValue;
import io.warren.amqp.method.BasicMethod;
import io.warren.amqp.method.ChannelMethod;
import io.warren.amqp.method.ExchangeMethod;
import io.warren.amqp.method.Method;
import io.warren.amqp.method.QueueMethod;
import io.warren.amqp.method.TxMethod;
import io.warren.proto.ChannelRef;
import io.warren.proto.Command;
import io.warren.proto.Publish;
import io.warren.proto.Refusal;
import io.warren.proto.Reply;
import io.warren.raft.core.Commands;
import io.warren.raft.core.Effect;
import io.warren.raft.ratis.CommandSubmitter;
import io.warren.raft.store.StoredMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Function;

/**
 * One AMQP channel on this node: turns each method into a replicated command and each reply or effect
 * of the applied command back into AMQP. Every {@code *-ok} completes only when the command's entry has
 * been applied on this node, hence committed (DESIGN invariant 2).
 */
final class NodeChannel implements BrokerChannel {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(NodeChannel.class);
    private final NodeConnection connection;
    private final EffectDispatcher dispatcher;
    private final CommandSubmitter submitter;
    private final ClientChannel client;
    private final ChannelRef ref;
    private final ConsumerCredit credit = new ConsumerCredit();
    /** Publish sequence numbers not yet confirmed, for basic.ack multiple=true. */
    private final ConcurrentSkipListSet<Long> unconfirmed = new ConcurrentSkipListSet<>();
    /**
     * This channel's direct reply-to address and its consumer's tag once the core started it (set on the Ratis
     * thread as consume-ok comes, read on the event loop by publishes after it), else null.
     */
    private volatile String replyAddress;
    /** tx.select was given; then {@code txOps} numbers the publishes and settles sent (the connection's thread). */
    private boolean transactional;
    private long txOps;
    private volatile String replyConsumerTag;

    private final MessageCounters counters;
    /** Tags of this channel's consumers that take deliveries without acks, for the delivery counters. */
    private final java.util.Set<String> autoAckConsumers = java.util.concurrent.ConcurrentHashMap.newKeySet();

    NodeChannel(NodeConnection connection, EffectDispatcher dispatcher, CommandSubmitter submitter, int number,
            ClientChannel client, MessageCounters counters) {
        this.counters = counters;
        this.connection = connection;
        this.dispatcher = dispatcher;
        this.submitter = submitter;
        this.client = client;
        this.ref = ChannelRef.newBuilder().setConnection(connection.ref()).setId(dispatcher.nextLocalId())
                .setNumber(number).build();
    }

    long id() {
        return ref.getId();
    }

    NodeConnection connection() {
        return connection;
    }

    /** Submits a command and maps its reply; a refusal becomes the AMQP error it names. */
    private <T> CompletionStage<T> call(Command.Builder command, Method request, Function<Reply, T> ok) {
        return call(command, request.classId(), request.methodId(), ok);
    }

    private <T> CompletionStage<T> call(Command.Builder command, int classId, int methodId, Function<Reply, T> ok) {
        command.setChannel(ref);
        CompletableFuture<Reply> reply = dispatcher.expectReply(command);
        submitter.submit(command.build());
        return reply.thenApply(r -> {
            if (r.hasRefusal()) {
                throw error(r.getRefusal(), classId, methodId);
            }
            return ok.apply(r);
        });
    }

    private void send(Command.Builder command) {
        submitter.submit(command.setChannel(ref).build());
    }

    static AmqpException error(Refusal refusal, int classId, int methodId) {
        ReplyCode code = ReplyCode.of(refusal.getCode());
        if (code == null) {
            return AmqpException.of(ReplyCode.INTERNAL_ERROR, refusal.getText(), classId, methodId);
        }
        int refusedClass = refusal.getClassId() != 0 ? refusal.getClassId() : classId;
        int refusedMethod = refusal.getClassId() != 0 ? refusal.getMethodId() : methodId;
        return AmqpException.of(code, refusal.getText(), refusedClass, refusedMethod);
    }

    @Override
    public CompletionStage<ExchangeMethod.DeclareOk> exchangeDeclare(ExchangeMethod.Declare r) {
        return call(Commands.declareExchange(r.exchange(), r.type(), r.passive(), r.durable(), r.autoDelete(),
                r.internal(), ProtoTables.toProto(r.arguments())), r,
                reply -> new ExchangeMethod.DeclareOk());
    }

    @Override
    public CompletionStage<ExchangeMethod.DeleteOk> exchangeDelete(ExchangeMethod.Delete r) {
        return call(Commands.deleteExchange(r.exchange(), r.ifUnused()), r,
                reply -> new ExchangeMethod.DeleteOk());
    }

    @Override
    public CompletionStage<ExchangeMethod.BindOk> exchangeBind(ExchangeMethod.Bind r) {
        return call(Commands.bindExchange(r.destination(), r.source(), r.routingKey(),
                ProtoTables.toProto(r.arguments())), r, reply -> new ExchangeMethod.BindOk());
    }

    @Override
    public CompletionStage<ExchangeMethod.UnbindOk> exchangeUnbind(ExchangeMethod.Unbind r) {
        return call(Commands.unbindExchange(r.destination(), r.source(), r.routingKey(),
                ProtoTables.toProto(r.arguments())), r, reply -> new ExchangeMethod.UnbindOk());
    }

    @Override
    public CompletionStage<QueueMethod.DeclareOk> queueDeclare(QueueMethod.Declare r) {
        return call(Commands.declareQueue(r.queue(), r.passive(), r.durable(), r.exclusive(), r.autoDelete(),
                ProtoTables.toProto(r.arguments())), r,
                reply -> new QueueMethod.DeclareOk(reply.getQueueDeclared().getQueue(),
                        reply.getQueueDeclared().getMessageCount(), reply.getQueueDeclared().getConsumerCount()));
    }

    @Override
    public CompletionStage<QueueMethod.BindOk> queueBind(QueueMethod.Bind r) {
        return call(Commands.bind(r.queue(), r.exchange(), r.routingKey(), ProtoTables.toProto(r.arguments())),
                r, reply -> new QueueMethod.BindOk());
    }

    @Override
    public CompletionStage<QueueMethod.UnbindOk> queueUnbind(QueueMethod.Unbind r) {
        return call(Commands.unbind(r.queue(), r.exchange(), r.routingKey(), ProtoTables.toProto(r.arguments())),
                r, reply -> new QueueMethod.UnbindOk());
    }

    @Override
    public CompletionStage<QueueMethod.PurgeOk> queuePurge(QueueMethod.Purge r) {
        return call(Commands.purge(r.queue()), r,
                reply -> new QueueMethod.PurgeOk(reply.getMessageCount().getMessageCount()));
    }

    @Override
    public CompletionStage<QueueMethod.DeleteOk> queueDelete(QueueMethod.Delete r) {
        return call(Commands.deleteQueue(r.queue(), r.ifUnused(), r.ifEmpty()), r,
                reply -> new QueueMethod.DeleteOk(reply.getMessageCount().getMessageCount()));
    }

    @Override
    public CompletionStage<BasicMethod.QosOk> basicQos(BasicMethod.Qos r) {
        if (r.prefetchSize() != 0) {
            return CompletableFuture.failedFuture(AmqpException.of(ReplyCode.NOT_IMPLEMENTED,
                    "prefetch_size!=0 (" + r.prefetchSize() + ")", r.classId(), r.methodId()));
        }
        return call(Commands.qos(r.prefetchCount(), r.global()), r, reply -> new BasicMethod.QosOk());
    }

    @Override
    public CompletionStage<BasicMethod.ConsumeOk> basicConsume(BasicMethod.Consume r) {
        if (r.queue().equals(io.warren.raft.core.DirectReplyTo.QUEUE)) {
            return consumeReplies(r);
        }
        return call(Commands.consume(r.queue(), r.consumerTag(), r.noAck(), r.exclusive(),
                ProtoTables.toProto(r.arguments()), ConsumerCredit.WINDOW), r,
                reply -> {
                    credit.started(reply.getConsumerStarted().getConsumerTag());
                    if (r.noAck()) {
                        autoAckConsumers.add(reply.getConsumerStarted().getConsumerTag());
                    }
                    return new BasicMethod.ConsumeOk(reply.getConsumerStarted().getConsumerTag());
                });
    }

    /**
     * Direct reply-to: the key is this node's secret for the channel's reply address, which publishes with
     * reply_to amq.rabbitmq.reply-to carry from consume-ok on.
     */
    private CompletionStage<BasicMethod.ConsumeOk> consumeReplies(BasicMethod.Consume r) {
        byte[] secret = new byte[16];
        REPLY_KEYS.nextBytes(secret);
        String key = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return call(Commands.consumeReplies(r.queue(), r.consumerTag(), r.noAck(), r.exclusive(),
                ProtoTables.toProto(r.arguments()), key), r,
                reply -> {
                    replyConsumerTag = reply.getConsumerStarted().getConsumerTag();
                    replyAddress = io.warren.raft.core.DirectReplyTo.address(ref, key);
                    return new BasicMethod.ConsumeOk(reply.getConsumerStarted().getConsumerTag());
                });
    }

    private static final java.security.SecureRandom REPLY_KEYS = new java.security.SecureRandom();

    @Override
    public CompletionStage<BasicMethod.CancelOk> basicCancel(BasicMethod.Cancel r) {
        return call(Commands.cancel(r.consumerTag()), r,
                reply -> {
                    if (r.consumerTag().equals(replyConsumerTag)) {
                        replyAddress = null;
                        replyConsumerTag = null;
                    }
                    credit.ended(r.consumerTag());
                    autoAckConsumers.remove(r.consumerTag());
                    return new BasicMethod.CancelOk(r.consumerTag());
                });
    }

    @Override
    public CompletionStage<GetResponse> basicGet(BasicMethod.Get r) {
        return call(Commands.get(r.queue(), r.noAck()), r,
                reply -> {
                    if (!reply.hasGotMessage()) {
                        counters.getEmpty.increment();
                        return GetResponse.Empty.INSTANCE;
                    }
                    var m = reply.getGotMessage();
                    (r.noAck() ? counters.deliveredGetAutoAck : counters.deliveredGetManualAck).increment();
                    if (m.getRedelivered()) {
                        counters.redelivered.increment();
                    }
                    return new GetResponse.Message(new BasicMethod.GetOk(m.getDeliveryTag(), m.getRedelivered(),
                            m.getExchange(), m.getRoutingKey(), m.getMessageCount()),
                            withDeliveryCount(StoredMessages.properties(m.getProperties()), m.getDeliveryCount()),
                            body(m.getBody()));
                });
    }

    @Override
    public void publish(BasicMethod.Publish r, BasicProperties properties, ByteBuf body, long publishSequence) {
        if (io.warren.raft.core.DirectReplyTo.QUEUE.equals(properties.replyTo())) {
            String address = replyAddress;
            if (address == null) {
                body.release();
                throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "fast reply consumer does not exist",
                        r.classId(), r.methodId());
            }
            properties = properties.withReplyTo(address); // where the responder sends its answer
        }
        io.warren.proto.Table headers = ProtoTables.toProto(properties.headers()); // BCC included: it routes
        properties = withoutBcc(properties);
        ByteString message;
        int bodySize = body.readableBytes();
        try {
            message = StoredMessages.encode(r.exchange(), r.routingKey(), properties, body.nioBuffer());
        } finally {
            body.release();
        }
        counters.received.increment();
        if (publishSequence != 0) {
            unconfirmed.add(publishSequence);
            counters.receivedConfirm.increment();
        }
        connection.published(dispatcher.gate());
        Publish.Builder publish = Publish.newBuilder()
                .setExchange(r.exchange()).setRoutingKey(r.routingKey()).setMandatory(r.mandatory())
                .setConfirmSequence(publishSequence).setHeaders(headers)
                .setPersistent(properties.isPersistent()).setSize(message.size()).setBodySize(bodySize);
        if (properties.expiration() != null) {
            publish.setExpiration(properties.expiration()); // checked by the core, in the channel's order
        }
        if (properties.userId() != null) {
            publish.setUserId(properties.userId());
        }
        if (properties.priority() != null) {
            publish.setPriority(properties.priority());
        }
        if (transactional) {
            publish.setTxOp(++txOps);
        }
        submitter.submit(Commands.publish(publish).setChannel(ref).build(), message);
    }

    @Override
    public void ack(BasicMethod.Ack r) {
        counters.acknowledged.increment(); // an ack method, multiple or not (RabbitMQ counts messages)
        send(Commands.ack(r.deliveryTag(), r.multiple(), nextTxOp()));
    }

    @Override
    public void nack(BasicMethod.Nack r) {
        send(Commands.nack(r.deliveryTag(), r.multiple(), r.requeue(), nextTxOp()));
    }

    @Override
    public void reject(BasicMethod.Reject r) {
        send(Commands.reject(r.deliveryTag(), r.requeue(), nextTxOp()));
    }

    @Override
    public CompletionStage<BasicMethod.RecoverOk> recover(boolean requeue) {
        return call(Commands.recover(requeue), BasicMethod.CLASS_ID, BasicMethod.Recover.METHOD_ID,
                reply -> new BasicMethod.RecoverOk());
    }

    /** Confirm mode lives in the wire layer, which numbers publishes; the broker only confirms them. */
    @Override
    public CompletionStage<Void> confirmSelect() {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Transactions: from tx.select on, each publish and settle goes to the core numbered (tx_op), staged there
     * until a commit or rollback naming the last number sent; the wire layer keeps tx and confirm mode apart.
     */
    @Override
    public CompletionStage<Void> txSelect() {
        transactional = true;
        return CompletableFuture.completedFuture(null);
    }

    /** The next transactional op's number, or 0 outside a transaction. */
    private long nextTxOp() {
        return transactional ? ++txOps : 0;
    }

    @Override
    public CompletionStage<Void> txCommit() {
        return call(Commands.txCommit(txOps), TxMethod.CLASS_ID, TxMethod.Commit.METHOD_ID,
                reply -> (Void) null);
    }

    @Override
    public CompletionStage<Void> txRollback() {
        return call(Commands.txRollback(txOps), TxMethod.CLASS_ID, TxMethod.Rollback.METHOD_ID,
                reply -> (Void) null);
    }

    @Override
    public CompletionStage<Void> close() {
        Command.Builder command = Commands.closeChannel();
        return call(command, ChannelMethod.CLASS_ID, ChannelMethod.Close.METHOD_ID, reply -> (Void) null)
                .handle((ignored, error) -> {
                    dispatcher.remove(this);
                    return null;
                });
    }

    void deliver(Effect.Deliver d, StoredMessage m) {
        (autoAckConsumers.contains(d.consumerTag()) ? counters.deliveredConsumeAutoAck
                : counters.deliveredConsumeManualAck).increment();
        if (d.redelivered()) {
            counters.redelivered.increment();
        }
        client.deliver(new BasicMethod.Deliver(d.consumerTag(), d.deliveryTag(), d.redelivered(), m.exchange(),
                m.routingKey()), withDeliveryCount(StoredMessages.properties(m.properties()), d.deliveryCount()),
                body(m.body()));
        if (d.consumerTag().equals(replyConsumerTag)) {
            return; // replies are not counted against credit: the core sends them as they come
        }
        ConsumerCredit.Grant grant = credit.delivered(d.consumerTag(), client.isWritable());
        if (grant != null) {
            grant(grant);
        } else if (credit.takeWithheldNotice()) {
            log.info("event=credit_withheld channel={} consumer={} reason=\"the client's socket takes no more writes\"",
                    ref.getNumber(), d.consumerTag());
        }
    }

    /** The socket drained: the consumers that were held back get their deliveries granted again. */
    void writabilityChanged(boolean writable) {
        if (writable) {
            credit.writable().forEach(this::grant);
        }
    }

    private void grant(ConsumerCredit.Grant grant) {
        send(Commands.credit(grant.tag(), grant.credit()));
    }

    void returned(Effect.Return r, StoredMessage m) {
        counters.unroutableReturned.increment();
        client.returnMessage(new BasicMethod.Return(r.replyCode(), r.replyText(), m.exchange(), m.routingKey()),
                StoredMessages.properties(m.properties()), body(m.body()));
    }

    void consumerCancelled(String consumerTag) {
        credit.ended(consumerTag);
        autoAckConsumers.remove(consumerTag);
        client.cancelConsumer(consumerTag);
    }

    void closeWith(Refusal refusal) {
        client.close(error(refusal, 0, 0));
    }

    /**
     * Sends the confirms of one applied entry: one multiple=true ack when they cover every earlier publish.
     * A publish already nacked (its entry's outcome was unknown, and it applied after all) is not answered
     * twice: the client has its answer.
     */
    void confirmed(List<Long> sequences) {
        List<Long> answered = new ArrayList<>(sequences.size());
        long highest = 0;
        for (long sequence : sequences) {
            if (unconfirmed.remove(sequence)) {
                answered.add(sequence);
                highest = Math.max(highest, sequence);
            }
        }
        counters.confirmed.add(answered.size());
        Long lowestLeft = unconfirmed.isEmpty() ? null : unconfirmed.first();
        if (answered.size() > 1 && (lowestLeft == null || lowestLeft > highest)) {
            client.confirm(highest, true, true);
            return;
        }
        for (long sequence : answered) {
            client.confirm(sequence, false, true);
        }
    }

    void nacked(long sequence) {
        if (unconfirmed.remove(sequence)) {
            client.confirm(sequence, false, false);
        }
    }

    /** The message as stored and delivered: RabbitMQ strips the BCC header (its keys routed it, unseen). */
    private static BasicProperties withoutBcc(BasicProperties properties) {
        if (properties.headers() == null || properties.headers().get("BCC") == null) {
            return properties;
        }
        FieldTable.Builder headers = FieldTable.builder();
        properties.headers().entries().forEach((name, value) -> {
            if (!name.equals("BCC")) {
                headers.put(name, value);
            }
        });
        return properties.withHeaders(headers.build());
    }

    /** A quorum queue's delivery carries how often the message came back, as RabbitMQ's x-delivery-count. */
    private static BasicProperties withDeliveryCount(BasicProperties properties, int deliveryCount) {
        if (deliveryCount < 0) {
            return properties;
        }
        FieldTable.Builder headers = FieldTable.builder();
        if (properties.headers() != null) {
            properties.headers().entries().forEach(headers::put);
        }
        headers.put("x-delivery-count", new FieldValue.Int64(deliveryCount));
        return properties.withHeaders(headers.build());
    }

    private static ByteBuf body(ByteString bytes) {
        return Unpooled.wrappedBuffer(bytes.asReadOnlyByteBuffer());
    }
}
