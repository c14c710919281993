package io.warren.amqp.broker;

import io.netty.buffer.ByteBuf;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.method.BasicMethod;
import io.warren.amqp.method.ExchangeMethod;
import io.warren.amqp.method.QueueMethod;
import java.util.concurrent.CompletionStage;

/**
 * The broker's side of one AMQP channel: every method a client sends on an open channel arrives here,
 * typed, in the order the client sent them. Called on the connection's event loop; must not block.
 *
 * <p>Each method that has a reply returns a stage that completes with the reply once the change is
 * committed and applied (DESIGN invariant 2). The wire layer sends replies in request order whatever
 * order the stages complete in, and skips the reply of a method sent with no-wait. A stage completed
 * exceptionally with an {@link io.warren.amqp.AmqpException} closes the channel or the connection, as
 * its scope says; any other exception closes the connection with 541 INTERNAL_ERROR.
 *
 * <p>Methods without a reply report errors later through {@link ClientChannel#close}.
 */
public interface BrokerChannel {

    CompletionStage<ExchangeMethod.DeclareOk> exchangeDeclare(ExchangeMethod.Declare request);

    CompletionStage<ExchangeMethod.DeleteOk> exchangeDelete(ExchangeMethod.Delete request);

    CompletionStage<ExchangeMethod.BindOk> exchangeBind(ExchangeMethod.Bind request);

    CompletionStage<ExchangeMethod.UnbindOk> exchangeUnbind(ExchangeMethod.Unbind request);

    /** A server-named queue (empty name in the request) gets its name in the reply. */
    CompletionStage<QueueMethod.DeclareOk> queueDeclare(QueueMethod.Declare request);

    CompletionStage<QueueMethod.BindOk> queueBind(QueueMethod.Bind request);

    CompletionStage<QueueMethod.UnbindOk> queueUnbind(QueueMethod.Unbind request);

    CompletionStage<QueueMethod.PurgeOk> queuePurge(QueueMethod.Purge request);

    CompletionStage<QueueMethod.DeleteOk> queueDelete(QueueMethod.Delete request);

    CompletionStage<BasicMethod.QosOk> basicQos(BasicMethod.Qos request);

    /**
     * Registers a consumer. An empty consumer tag asks the broker to make one. The broker sends no
     * delivery for this consumer before the returned stage completes.
     */
    CompletionStage<BasicMethod.ConsumeOk> basicConsume(BasicMethod.Consume request);

    CompletionStage<BasicMethod.CancelOk> basicCancel(BasicMethod.Cancel request);

    /** Takes one message, or reports that the queue is empty. */
    CompletionStage<GetResponse> basicGet(BasicMethod.Get request);

    /**
     * A message published on this channel. The broker owns {@code body} from here on and releases it.
     *
     * @param publishSequence the publisher-confirm sequence number, from 1, when the channel is in
     *     confirm mode; 0 otherwise. The broker answers each with {@link ClientChannel#confirm}.
     */
    void publish(BasicMethod.Publish request, BasicProperties properties, ByteBuf body, long publishSequence);

    void ack(BasicMethod.Ack request);

    void nack(BasicMethod.Nack request);

    void reject(BasicMethod.Reject request);

    /** basic.recover: redeliver (or requeue) this channel's unacknowledged messages. */
    CompletionStage<BasicMethod.RecoverOk> recover(boolean requeue);

    /** confirm.select: the channel now confirms each publish; numbering starts at 1. */
    CompletionStage<Void> confirmSelect();

    /** tx.select; refusing with 540 NOT_IMPLEMENTED is allowed. */
    CompletionStage<Void> txSelect();

    CompletionStage<Void> txCommit();

    CompletionStage<Void> txRollback();

    /**
     * The channel has closed (by either side, or with its connection). Unacknowledged deliveries go
     * back to their queues and the channel's consumers end. Called exactly once; channel.close-ok is
     * sent to the client when the stage completes.
     */
    CompletionStage<Void> close();
}
