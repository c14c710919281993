package io.warren.amqp.broker;

import io.warren.amqp.AmqpException;

/**
 * Where the broker sends connection-level events for one client connection. Safe to call from any
 * thread; performed on the connection's event loop.
 */
public interface ClientConnection {

    /**
     * Tells the client that publishing is blocked (connection.blocked, when the client announced
     * that capability) and stops reading from its socket, which is RabbitMQ's flow control.
     */
    void block(String reason);

    /** Ends {@link #block}: connection.unblocked, and reading resumes. */
    void unblock();

    /** Closes the connection with this error (320 CONNECTION_FORCED on shutdown, for example). */
    void close(AmqpException error);
}
