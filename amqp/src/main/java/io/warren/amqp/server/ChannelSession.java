package io.warren.amqp.server;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.broker.BrokerChannel;
import io.warren.amqp.broker.ClientChannel;
import io.warren.amqp.broker.GetResponse;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.frame.Frame;
import io.warren.amqp.frame.MethodFrame;
import io.warren.amqp.method.BasicMethod;
import io.warren.amqp.method.ChannelMethod;
import io.warren.amqp.method.ConfirmMethod;
import io.warren.amqp.method.ConnectionMethod;
import io.warren.amqp.method.ExchangeMethod;
import io.warren.amqp.method.Method;
import io.warren.amqp.method.QueueMethod;
import io.warren.amqp.method.TxMethod;
import io.warren.amqp.protocol.Command;
import io.warren.amqp.protocol.CommandAssembler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open AMQP channel of a connection: assembles its commands, hands them to its
 * {@link BrokerChannel}, and writes what goes back in order.
 *
 * <p>Order: every reply takes a slot in {@link #outbox} when its request arrives; a slot is written
 * once it and every slot before it are filled, so replies leave in request order even when the broker
 * completes them out of order. The broker's own output (deliveries, returns, confirms) leaves in
 * the order the broker decided it, ahead of replies still pending, as in RabbitMQ, except that it waits
 * behind a consume-ok not yet written: no consumer sees a delivery before its consume-ok, and a delivery
 * decided before a basic.cancel goes out before its cancel-ok (the Java client treats a delivery after
 * cancel-ok as unsolicited and closes the connection). A broker-sent basic.cancel queues like a reply.
 *
 * <p>Everything here runs on the connection's event loop; the {@link ClientChannel} methods hop onto it.
 */
final class ChannelSession implements ClientChannel {
    private static final Logger log = LoggerFactory.getLogger(ChannelSession.class);

    /** The life of one channel as the server sees it. */
    enum State {
        /** channel.open-ok was sent; methods flow. */
        OPEN,
        /** The server sent channel.close; all but close and close-ok is discarded until close-ok. */
        CLOSING,
        /** The client sent channel.close; the broker is closing the channel before close-ok. */
        CLOSING_BY_CLIENT,
        /** Over; the channel number is free again. */
        CLOSED
    }

    /** A place in the outbound order: its frames, or null while the broker has not answered. */
    private static final class Slot {
        private List<Frame> frames;
        /** basic.consume's reply: the broker's own output waits behind it until it is written. */
        private final boolean consume;
        /** The broker's output that arrived while this consume slot was in the outbox, written right after it. */
        private final List<List<Frame>> after = new ArrayList<>();

        Slot(boolean consume) {
            this.consume = consume;
        }
    }

    private final AmqpConnectionHandler connection;
    private final int number;
    private final CommandAssembler assembler;
    private final ArrayDeque<Slot> outbox = new ArrayDeque<>();
    private BrokerChannel broker;
    private State state = State.OPEN;
    private boolean brokerClosed;
    private boolean confirmMode;
    private boolean txMode;
    private long nextPublishSequence = 1;

    ChannelSession(AmqpConnectionHandler connection, int number, CommandAssembler assembler) {
        this.connection = connection;
        this.number = number;
        this.assembler = assembler;
    }

    void attach(BrokerChannel brokerChannel) {
        this.broker = brokerChannel;
    }

    int number() {
        return number;
    }

    State state() {
        return state;
    }

    /** One inbound frame for this channel; takes ownership of body buffers. */
    void onFrame(Frame frame) {
        switch (state) {
            case OPEN -> assembleAndDispatch(frame);
            case CLOSING -> onFrameWhileClosing(frame);
            case CLOSING_BY_CLIENT, CLOSED -> ReferenceCountUtil.release(frame);
        }
    }

    private void assembleAndDispatch(Frame frame) {
        Command command;
        try {
            command = assembler.accept(frame);
        } catch (AmqpException e) {
            fail(e);
            return;
        }
        if (command == null) {
            return;
        }
        try {
            dispatch(command);
        } catch (AmqpException e) {
            fail(e.causedBy(command.method().classId(), command.method().methodId()));
        } catch (RuntimeException e) {
            log.error("event=broker_call_failed channel={} method={}", number, command.method().name(), e);
            fail(AmqpException.of(ReplyCode.INTERNAL_ERROR, "broker failed on " + command.method().name(),
                    command.method().classId(), command.method().methodId()));
        }
    }

    private void onFrameWhileClosing(Frame frame) {
        if (frame instanceof MethodFrame methodFrame) {
            if (methodFrame.method() instanceof ChannelMethod.CloseOk) {
                finishClose();
            } else if (methodFrame.method() instanceof ChannelMethod.Close) {
                // Both sides closed at once: answer theirs, and still wait for the close-ok to ours.
                connection.writeDecided(new MethodFrame(number, new ChannelMethod.CloseOk()));
            }
            return;
        }
        ReferenceCountUtil.release(frame);
    }

    private void dispatch(Command command) {
        Method method = command.method();
        if (method.hasContent() && !(method instanceof BasicMethod.Publish)) {
            // basic.deliver, return and get-ok come from servers; their content is dropped with them.
            command.release();
            throw serverOnly(method);
        }
        switch (method) {
            case ChannelMethod m -> dispatchChannel(m);
            case ExchangeMethod m -> dispatchExchange(m);
            case QueueMethod m -> dispatchQueue(m);
            case BasicMethod.Publish m -> publish(m, command.properties(), command.body());
            case BasicMethod m -> dispatchBasic(m);
            case ConfirmMethod m -> dispatchConfirm(m);
            case TxMethod m -> dispatchTx(m);
            case ConnectionMethod m -> throw AmqpException.of(ReplyCode.COMMAND_INVALID,
                    m.name() + " on channel " + number + "; connection methods belong on channel 0");
        }
    }

    private void dispatchChannel(ChannelMethod method) {
        switch (method) {
            case ChannelMethod.Close m -> onClientClose(m);
            case ChannelMethod.Flow m -> {
                if (!m.active()) {
                    // RabbitMQ 3.x refuses a client's request to stop deliveries; basic.qos is the tool.
                    throw AmqpException.of(ReplyCode.NOT_IMPLEMENTED, "active=false");
                }
                send(List.of(new MethodFrame(number, new ChannelMethod.FlowOk(true))));
            }
            case ChannelMethod.Open m -> throw AmqpException.of(ReplyCode.CHANNEL_ERROR,
                    "second 'channel.open' seen on channel " + number);
            case ChannelMethod.CloseOk m -> log.debug("event=unexpected_close_ok channel={}", number);
            case ChannelMethod.FlowOk m -> log.debug("event=ignored_flow_ok channel={}", number);
            case ChannelMethod.OpenOk m -> throw serverOnly(m);
        }
    }

    private void dispatchExchange(ExchangeMethod method) {
        switch (method) {
            case ExchangeMethod.Declare m -> reply(m, m.noWait(), () -> broker.exchangeDeclare(m));
            case ExchangeMethod.Delete m -> reply(m, m.noWait(), () -> broker.exchangeDelete(m));
            case ExchangeMethod.Bind m -> reply(m, m.noWait(), () -> broker.exchangeBind(m));
            case ExchangeMethod.Unbind m -> reply(m, m.noWait(), () -> broker.exchangeUnbind(m));
            default -> throw serverOnly(method);
        }
    }

    private void dispatchQueue(QueueMethod method) {
        switch (method) {
            case QueueMethod.Declare m -> reply(m, m.noWait(), () -> broker.queueDeclare(m));
            case QueueMethod.Bind m -> reply(m, m.noWait(), () -> broker.queueBind(m));
            case QueueMethod.Unbind m -> reply(m, false, () -> broker.queueUnbind(m));
            case QueueMethod.Purge m -> reply(m, m.noWait(), () -> broker.queuePurge(m));
            case QueueMethod.Delete m -> reply(m, m.noWait(), () -> broker.queueDelete(m));
            default -> throw serverOnly(method);
        }
    }

    private void dispatchBasic(BasicMethod method) {
        switch (method) {
            case BasicMethod.Qos m -> reply(m, false, () -> broker.basicQos(m));
            case BasicMethod.Consume m -> reply(m, m.noWait(), () -> broker.basicConsume(m));
            case BasicMethod.Cancel m -> reply(m, m.noWait(), () -> broker.basicCancel(m));
            case BasicMethod.Get m -> replyFrames(m, () -> broker.basicGet(m).thenApply(this::getFrames));
            case BasicMethod.Ack m -> broker.ack(m);
            case BasicMethod.Nack m -> broker.nack(m);
            case BasicMethod.Reject m -> broker.reject(m);
            case BasicMethod.Recover m -> reply(m, false, () -> broker.recover(m.requeue()));
            case BasicMethod.RecoverAsync m -> reply(m, true, () -> broker.recover(m.requeue()));
            // a client's basic.cancel-ok answers a server-sent basic.cancel; nothing waits for it
            case BasicMethod.CancelOk m -> log.debug("event=ignored_cancel_ok channel={}", number);
            default -> throw serverOnly(method);
        }
    }

    private void dispatchConfirm(ConfirmMethod method) {
        if (!(method instanceof ConfirmMethod.Select select)) {
            throw serverOnly(method);
        }
        if (txMode) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "cannot switch from tx to confirm mode");
        }
        confirmMode = true;
        reply(select, select.noWait(), () -> broker.confirmSelect().thenApply(ignored -> new ConfirmMethod.SelectOk()));
    }

    private void dispatchTx(TxMethod method) {
        switch (method) {
            case TxMethod.Select m -> {
                if (confirmMode) {
                    throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "cannot switch from confirm to tx mode");
                }
                txMode = true;
                reply(m, false, () -> broker.txSelect().thenApply(ignored -> new TxMethod.SelectOk()));
            }
            case TxMethod.Commit m -> {
                requireTx();
                reply(m, false, () -> broker.txCommit().thenApply(ignored -> new TxMethod.CommitOk()));
            }
            case TxMethod.Rollback m -> {
                requireTx();
                reply(m, false, () -> broker.txRollback().thenApply(ignored -> new TxMethod.RollbackOk()));
            }
            default -> throw serverOnly(method);
        }
    }

    private void requireTx() {
        if (!txMode) {
            throw AmqpException.of(ReplyCode.PRECONDITION_FAILED, "channel is not transactional");
        }
    }

    private void publish(BasicMethod.Publish publish, BasicProperties properties, ByteBuf body) {
        if (publish.immediate()) {
            body.release();
            // As RabbitMQ 3.x: the immediate flag was dropped from the broker, and a publish using it is refused.
            throw AmqpException.of(ReplyCode.NOT_IMPLEMENTED, "immediate=true");
        }
        long sequence = confirmMode ? nextPublishSequence++ : 0;
        broker.publish(publish, properties, body, sequence);
    }

    private List<Frame> getFrames(GetResponse response) {
        return switch (response) {
            case GetResponse.Empty empty -> List.of(new MethodFrame(number, new BasicMethod.GetEmpty()));
            case GetResponse.Message message -> ContentFrames.of(number, message.getOk(), message.properties(),
                    message.body(), connection.frameMax());
        };
    }

    /**
     * Calls the broker for {@code request} and sends its reply in request order. The reply's place is
     * taken before the broker is called, so nothing the broker sends meanwhile (a delivery to the new
     * consumer, say) can overtake it.
     */
    private void reply(Method request, boolean noWait, Supplier<CompletionStage<? extends Method>> call) {
        if (noWait) {
            call.get().whenComplete((ignored, error) -> {
                if (error != null) {
                    connection.runOnLoop(() -> {
                        failAsync(request, error);
                        connection.flushSoon();
                    });
                }
            });
            return;
        }
        replyFrames(request, () -> call.get().thenApply(method -> List.of(new MethodFrame(number, method))));
    }

    private void replyFrames(Method request, Supplier<CompletionStage<List<Frame>>> call) {
        Slot slot = new Slot(request instanceof BasicMethod.Consume);
        outbox.add(slot);
        connection.replyPending();
        CompletionStage<List<Frame>> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            outbox.remove(slot);
            connection.replyDone();
            throw e;
        }
        stage.whenComplete((frames, error) -> connection.runOnLoop(() -> {
            connection.replyDone();
            if (error != null) {
                failAsync(request, error);
            } else if (state != State.OPEN || !outbox.contains(slot)) {
                frames.forEach(ReferenceCountUtil::release);
            } else {
                slot.frames = frames;
                drainOutbox();
            }
            connection.flushSoon();
        }));
    }

    /** Output that keeps request order, behind every pending reply: a reply made here, a broker-sent cancel. */
    private void send(List<Frame> frames) {
        if (outbox.isEmpty()) {
            connection.writeDecided(frames);
            return;
        }
        Slot slot = new Slot(false);
        slot.frames = frames;
        outbox.add(slot);
    }

    /** The broker's own output: at once, or right after the last consume-ok still in the outbox. */
    private void sendFromBroker(List<Frame> frames) {
        for (var slots = outbox.descendingIterator(); slots.hasNext(); ) {
            Slot slot = slots.next();
            if (slot.consume) {
                slot.after.add(frames);
                return;
            }
        }
        connection.writeDecided(frames);
    }

    private void drainOutbox() {
        while (!outbox.isEmpty() && outbox.peek().frames != null) {
            Slot slot = outbox.poll();
            connection.writeDecided(slot.frames);
            slot.after.forEach(connection::writeDecided);
        }
    }

    private void dropOutbox() {
        for (Slot slot : outbox) {
            if (slot.frames != null) {
                slot.frames.forEach(ReferenceCountUtil::release);
            }
            slot.after.forEach(frames -> frames.forEach(ReferenceCountUtil::release));
        }
        outbox.clear();
    }

    private void failAsync(Method request, Throwable error) {
        Throwable cause = Futures.unwrap(error);
        if (cause instanceof AmqpException amqp) {
            fail(amqp.causedBy(request.classId(), request.methodId()));
        } else {
            log.error("event=broker_reply_failed channel={} method={}", number, request.name(), cause);
            fail(AmqpException.of(ReplyCode.INTERNAL_ERROR, "broker failed on " + request.name(),
                    request.classId(), request.methodId()));
        }
    }

    /** Ends this channel (or the connection, by scope) with an error. */
    void fail(AmqpException error) {
        if (error.scope() == AmqpException.Scope.CONNECTION) {
            connection.connectionError(error);
            return;
        }
        if (state != State.OPEN) {
            return;
        }
        log.info("event=channel_error channel={} code={} text=\"{}\"", number, error.replyCode().code(),
                error.replyText());
        transitionTo(State.CLOSING);
        assembler.reset();
        dropOutbox();
        connection.writeDecided(new MethodFrame(number, new ChannelMethod.Close(error.replyCode().code(),
                error.replyText(), error.classId(), error.methodId())));
        closeBroker();
    }

    private void onClientClose(ChannelMethod.Close close) {
        log.debug("event=client_closed_channel channel={} code={}", number, close.replyCode());
        transitionTo(State.CLOSING_BY_CLIENT);
        assembler.reset();
        dropOutbox();
        closeBroker().whenComplete((ignored, error) -> connection.runOnLoop(() -> {
            if (state == State.CLOSING_BY_CLIENT) {
                connection.writeDecided(new MethodFrame(number, new ChannelMethod.CloseOk()));
                finishClose();
                connection.flushSoon();
            }
        }));
    }

    private void finishClose() {
        transitionTo(State.CLOSED);
        connection.channelClosed(this);
    }

    /** The connection is going away: release everything and tell the broker, without writing. */
    void connectionClosed() {
        if (state == State.CLOSED) {
            return;
        }
        transitionTo(State.CLOSED);
        assembler.reset();
        dropOutbox();
        closeBroker();
    }

    private CompletionStage<Void> closeBroker() {
        if (brokerClosed || broker == null) {
            return CompletableFuture.completedFuture(null);
        }
        brokerClosed = true;
        try {
            return broker.close();
        } catch (RuntimeException e) {
            log.error("event=broker_close_failed channel={}", number, e);
            return CompletableFuture.completedFuture(null);
        }
    }

    private void transitionTo(State next) {
        log.debug("event=channel_state channel={} from={} to={}", number, state, next);
        state = next;
    }

    private static AmqpException serverOnly(Method method) {
        return AmqpException.of(ReplyCode.COMMAND_INVALID, method.name() + " is sent by servers, not clients",
                method.classId(), method.methodId());
    }

    // ---- ClientChannel: called from any thread, performed on the event loop ----

    @Override
    public void deliver(BasicMethod.Deliver deliver, BasicProperties properties, ByteBuf body) {
        sendContent(deliver, properties, body);
    }

    @Override
    public void returnMessage(BasicMethod.Return returned, BasicProperties properties, ByteBuf body) {
        sendContent(returned, properties, body);
    }

    private void sendContent(Method method, BasicProperties properties, ByteBuf body) {
        boolean queued = connection.runOnLoop(() -> {
            if (state != State.OPEN) {
                body.release();
                return;
            }
            sendFromBroker(ContentFrames.of(number, method, properties, body, connection.frameMax()));
            connection.flushSoon();
        });
        if (!queued) {
            body.release();
        }
    }

    @Override
    public void confirm(long sequence, boolean multiple, boolean ack) {
        Method method = ack ? new BasicMethod.Ack(sequence, multiple) : new BasicMethod.Nack(sequence, multiple, false);
        sendFromBroker(method, true);
    }

    /**
     * The consumer's end goes behind the replies already awaited, as RabbitMQ's channel sends it after the
     * reply to the method it is handling (a queue.delete's delete-ok before the cancel it caused).
     */
    @Override
    public void cancelConsumer(String consumerTag) {
        if (connection.clientHas(ServerProperties.CONSUMER_CANCEL_NOTIFY)) {
            sendFromBroker(new BasicMethod.Cancel(consumerTag, true), false);
        }
    }

    private void sendFromBroker(Method method, boolean asDecided) {
        connection.runOnLoop(() -> {
            if (state == State.OPEN) {
                List<Frame> frames = List.of(new MethodFrame(number, method));
                if (asDecided) {
                    sendFromBroker(frames);
                } else {
                    send(frames);
                }
                connection.flushSoon();
            }
        });
    }

    @Override
    public void close(AmqpException error) {
        connection.runOnLoop(() -> {
            fail(error);
            connection.flushSoon();
        });
    }

    @Override
    public boolean isWritable() {
        return connection.isWritable();
    }

    @Override
    public String toString() {
        return "ChannelSession{" + number + ", " + state + "}";
    }
}
