package io.warren.amqp.testing;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.broker.Authenticator;
import io.warren.amqp.method.ConnectionMethod;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Test double: fixed users and virtual hosts, answering at once, refusing as RabbitMQ words it. */
public final class TestAuthenticator implements Authenticator {
    private final Map<String, String> passwords;
    private final Set<String> virtualHosts;

    public TestAuthenticator(Map<String, String> passwords, Set<String> virtualHosts) {
        this.passwords = passwords;
        this.virtualHosts = virtualHosts;
    }

    /** guest/guest on vhost "/". */
    public static TestAuthenticator guest() {
        return new TestAuthenticator(Map.of("guest", "guest"), Set.of("/"));
    }

    @Override
    public CompletionStage<String> authenticate(String username, String password, SocketAddress remoteAddress) {
        if (!password.equals(passwords.get(username))) {
            return CompletableFuture.failedFuture(AmqpException.connectionError(ReplyCode.ACCESS_REFUSED,
                    "invalid credentials for user '" + username + "'", ConnectionMethod.CLASS_ID,
                    ConnectionMethod.StartOk.METHOD_ID));
        }
        return CompletableFuture.completedFuture(username);
    }

    @Override
    public CompletionStage<Void> openVirtualHost(String username, String virtualHost) {
        if (!virtualHosts.contains(virtualHost)) {
            return CompletableFuture.failedFuture(AmqpException.of(ReplyCode.NOT_ALLOWED,
                    "vhost " + virtualHost + " not found"));
        }
        return CompletableFuture.completedFuture(null);
    }
}
