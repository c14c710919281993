package io.warren.amqp.broker;

/**
 * The broker's side of one AMQP connection. Called on the connection's event loop.
 */
public interface BrokerConnection {

    /**
     * A channel was opened by channel.open; channel.open-ok is sent when this returns. A channel
     * number may be opened again after its earlier channel was closed; each opening gets its own
     * {@link BrokerChannel}.
     *
     * @param client where the broker sends this channel's deliveries, confirms and errors
     */
    BrokerChannel openChannel(int channelNumber, ClientChannel client);

    /**
     * The connection has ended (closed by either side, or the socket dropped). Every channel's
     * {@link BrokerChannel#close()} has been called first. Called exactly once.
     */
    void closed();

    /**
     * The socket's outbound buffer crossed its high-water mark ({@code false}) or fell back below the
     * low one ({@code true}): a broker that sends without being asked (deliveries) should hold back while
     * it is not writable. Called on the connection's event loop.
     */
    default void writabilityChanged(boolean writable) {}
}
