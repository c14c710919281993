package io.warren.node;

import io.netty.handler.ssl.SslContext;
import io.warren.amqp.AmqpException;
import io.warren.amqp.server.AmqpServer;
import io.warren.amqp.server.AmqpServerConfig;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The node's AMQP listeners, plain and AMQPS, suspended, resumed and closed together: a node that lost its
 * lease refuses clients on every port.
 */
final class AmqpListeners implements AutoCloseable {
    private final Optional<AmqpServer> plain;
    private final Optional<AmqpServer> tls;

    private AmqpListeners(Optional<AmqpServer> plain, Optional<AmqpServer> tls) {
        this.plain = plain;
        this.tls = tls;
    }

    /**
     * Binds the listeners the settings ask for. The ports were free at start-up, but the node binds them only
     * once registered (so no client sees stale state), which may be long after on a newcomer; a port taken
     * meanwhile still ends in one line.
     */
    static AmqpListeners start(NodeConfig config, AmqpServerConfig amqpConfig, Optional<SslContext> tlsContext,
            CoreAuthenticator authenticator, NodeBroker broker) throws ConfigException, InterruptedException {
        List<AmqpServer> started = new ArrayList<>();
        try {
            Optional<AmqpServer> plain = Optional.empty();
            if (config.amqpPort() != NodeConfig.NO_PORT) {
                plain = Optional.of(bind(config, config.amqpPort(), "AMQP", amqpConfig, null, authenticator, broker));
                started.add(plain.get());
            }
            Optional<AmqpServer> tls = Optional.empty();
            if (tlsContext.isPresent()) {
                tls = Optional.of(bind(config, config.tls().amqpsPort(), "AMQPS", amqpConfig, tlsContext.get(),
                        authenticator, broker));
                started.add(tls.get());
            }
            return new AmqpListeners(plain, tls);
        } catch (ConfigException | InterruptedException | RuntimeException e) {
            started.forEach(AmqpServer::close);
            throw e;
        }
    }

    private static AmqpServer bind(NodeConfig config, int port, String what, AmqpServerConfig amqpConfig,
            SslContext tls, CoreAuthenticator authenticator, NodeBroker broker)
            throws ConfigException, InterruptedException {
        try {
            return AmqpServer.start(new InetSocketAddress(config.amqpHost(), port), 2, amqpConfig, tls,
                    authenticator, broker);
        } catch (Exception e) {
            if (e instanceof BindException) {
                throw new ConfigException(what + " port " + config.amqpHost() + ":" + port
                        + " is in use or cannot be bound (" + e.getMessage() + ")", e);
            }
            throw e;
        }
    }

    void suspend(AmqpException why) {
        plain.ifPresent(server -> server.suspend(why));
        tls.ifPresent(server -> server.suspend(why));
    }

    void resume() throws InterruptedException {
        if (plain.isPresent()) {
            plain.get().resume();
        }
        if (tls.isPresent()) {
            tls.get().resume();
        }
    }

    /** The plain port as bound, or {@link NodeConfig#NO_PORT}. */
    int plainPort() {
        return plain.map(server -> server.localAddress().getPort()).orElse(NodeConfig.NO_PORT);
    }

    /** The AMQPS port as bound, or {@link NodeConfig#NO_PORT}. */
    int tlsPort() {
        return tls.map(server -> server.localAddress().getPort()).orElse(NodeConfig.NO_PORT);
    }

    @Override
    public void close() {
        plain.ifPresent(AmqpServer::close);
        tls.ifPresent(AmqpServer::close);
    }
}
