package io.warren.amqp.broker;

import io.netty.buffer.ByteBuf;
import io.warren.amqp.AmqpException;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.method.BasicMethod;

/**
 * Where the broker sends what one client channel receives without asking: deliveries, returns,
 * publisher confirms, consumer cancellations and asynchronous errors. Safe to call from any thread;
 * calls are performed on the connection's event loop in the order they were made, after any reply the
 * channel was already waiting for. Calls on a channel that has closed are dropped (bodies released).
 */
public interface ClientChannel {

    /** Sends basic.deliver with content; takes ownership of {@code body}. */
    void deliver(BasicMethod.Deliver deliver, BasicProperties properties, ByteBuf body);

    /** Sends basic.return with content (an unroutable mandatory message); takes ownership of {@code body}. */
    void returnMessage(BasicMethod.Return returned, BasicProperties properties, ByteBuf body);

    /** Sends basic.ack (when {@code ack}) or basic.nack for publish sequence number {@code sequence}. */
    void confirm(long sequence, boolean multiple, boolean ack);

    /**
     * Sends basic.cancel for a consumer the broker ended (its queue was deleted), when the client
     * announced the {@code consumer_cancel_notify} capability; otherwise nothing is sent.
     */
    void cancelConsumer(String consumerTag);

    /** Closes the channel (or the connection, by the error's scope) with this error. */
    void close(AmqpException error);

    /** False while the socket's outbound buffer is above its high-water mark: deliver less. */
    boolean isWritable();
}
