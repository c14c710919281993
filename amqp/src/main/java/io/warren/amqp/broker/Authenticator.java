package io.warren.amqp.broker;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.method.ConnectionMethod;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
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
     * SASL EXTERNAL: the client is who its certificate says (TLS checked the certificate against the trusted
     * authorities before this call), if a user of that name exists. RabbitMQ's rabbitmq_auth_mechanism_ssl.
     *
     * @param certificate the client's own certificate, first of the chain it presented
     * @return completes with the user name taken from the certificate, or exceptionally with 403
     *     ACCESS_REFUSED
     */
    default CompletionStage<String> authenticateCertificate(X509Certificate certificate, SocketAddress remoteAddress) {
        return CompletableFuture.failedFuture(AmqpException.connectionError(ReplyCode.ACCESS_REFUSED,
                "EXTERNAL login refused: no certificate logins here", ConnectionMethod.CLASS_ID,
                ConnectionMethod.StartOk.METHOD_ID));
    }

    /**
     * Checks that {@code virtualHost} exists and that {@code username} may use it.
     *
     * @return completes normally when allowed, or exceptionally with 530 NOT_ALLOWED
     */
    CompletionStage<Void> openVirtualHost(String username, String virtualHost);
}
