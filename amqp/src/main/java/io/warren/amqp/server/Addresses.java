package io.warren.amqp.server;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** Formats socket addresses as RabbitMQ names connections: {@code 127.0.0.1:5672}. */
final class Addresses {
    private Addresses() {
    }

    static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return host + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }
}
