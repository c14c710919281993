package io.warren.amqp.broker;

import io.warren.amqp.codec.FieldTable;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * An open AMQP connection as the broker sees it.
 *
 * @param name RabbitMQ's connection name form, {@code "127.0.0.1:50412 -> 127.0.0.1:5672"}
 * @param user the authenticated user name
 * @param virtualHost the virtual host named in connection.open
 * @param clientProperties the client-properties table of connection.start-ok
 */
public record ConnectionInfo(String name, String user, String virtualHost, SocketAddress remoteAddress,
        SocketAddress localAddress, FieldTable clientProperties) {
    public ConnectionInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(virtualHost, "virtualHost");
        Objects.requireNonNull(clientProperties, "clientProperties");
    }
}
