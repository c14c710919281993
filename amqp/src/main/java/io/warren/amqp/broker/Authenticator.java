package io.warren.amqp.broker;

import java.net.SocketAddress;
import java.util.concurrent.CompletionStage;

/**
 * Checks who may connect. Called on the event loop during the handshake; answers may come later on any
 * thread. A refusal completes the stage exceptionally with an {@link io.warren.amqp.AmqpException}:
 * the handshake then ends as RabbitMQ's does (connection.close 403 ACCESS_REFUSED for a failed login
 * when the client announced {@code authentication_failure_close}, else the socket is simply closed;
 * 530 NOT_ALLOWED for a virtual host the user may not open).
 */
public interface Authenticator {

    /**
     * Checks a user name and password (from SASL PLAIN or AMQPLAIN).
     *
     * @param remoteAddress where the client connects from (RabbitMQ lets guest in from loopback only)
     * @return completes with the authenticated user name, or exceptionally with 403 ACCESS_REFUSED
     */
    CompletionStage<String> authenticate(String username, String password, SocketAddress remoteAddress);

    /**
     * Checks that {@code virtualHost} exists and that {@code username} may use it.
     *
     * @return completes normally when allowed, or exceptionally with 530 NOT_ALLOWED
     */
    CompletionStage<Void> openVirtualHost(String username, String virtualHost);
}
