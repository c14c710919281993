package io.warren.amqp.broker;

/**
 * The one door from the wire protocol into the broker. The {@code amqp} module knows nothing of Raft,
 * queues or routing: it authenticates through {@link Authenticator}, then hands each open connection
 * to {@link #openConnection} and drives the returned {@link BrokerConnection}.
 *
 * <p>Threading: the {@code amqp} module calls these interfaces on the connection's Netty event loop and
 * never blocks it, so implementations must not block either; long work completes a
 * {@link java.util.concurrent.CompletionStage} later, on any thread. Callbacks into the client
 * ({@link ClientConnection}, {@link ClientChannel}) may be made from any thread.
 */
public interface Broker {

    /**
     * Called once connection.open has been accepted (credentials and virtual host checked), before
     * connection.open-ok is sent.
     *
     * @param connection who connected, as whom, to which virtual host
     * @param client where the broker sends connection-level events (blocked, forced close)
     * @return the broker's side of this connection
     */
    BrokerConnection openConnection(ConnectionInfo connection, ClientConnection client);

    /**
     * Whether this broker may still speak for what it decided: asked on the event loop just before each
     * write of the broker's output (deliveries, confirms, returns, replies, cancels, alarms), before each
     * flush of such output, and before a connection opens. False means its serving lease lapsed (a node out
     * of contact with its cluster for too long, or paused): what it had queued may be stale, so the
     * {@code amqp} module drops it and closes the connection with 320 CONNECTION_FORCED. Must be cheap.
     */
    default boolean holdsServingLease() {
        return true;
    }
}
