package io.warren.amqp.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.warren.amqp.broker.Authenticator;
import io.warren.amqp.broker.Broker;
import io.warren.amqp.frame.FrameDecoder;
import io.warren.amqp.frame.FrameEncoder;

/**
 * Builds each connection's pipeline, in order: (the heartbeat idle handler, added after tune), on a TLS
 * listener the TLS handler and its handshake watcher, the frame decoder, the shared frame encoder, the
 * connection handler. The one place the pipeline is made.
 */
public final class AmqpServerInitializer extends ChannelInitializer<SocketChannel> {
    private final AmqpServerConfig config;
    private final Authenticator authenticator;
    private final Broker broker;

    public AmqpServerInitializer(AmqpServerConfig config, Authenticator authenticator, Broker broker) {
        this.config = config;
        this.authenticator = authenticator;
        this.broker = broker;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        configure(channel.pipeline(), config, null, authenticator, broker);
    }

    /** Adds the AMQP handlers to {@code pipeline}; used for sockets and for embedded test channels. */
    public static void configure(ChannelPipeline pipeline, AmqpServerConfig config, Authenticator authenticator,
            Broker broker) {
        configure(pipeline, config, null, authenticator, broker);
    }

    /**
     * The same behind TLS when {@code tls} is not null. The TLS handshake must end within the AMQP
     * handshake timeout, as in RabbitMQ, where {@code handshake_timeout} covers both.
     */
    public static void configure(ChannelPipeline pipeline, AmqpServerConfig config, SslContext tls,
            Authenticator authenticator, Broker broker) {
        if (tls != null) {
            SslHandler handler = tls.newHandler(pipeline.channel().alloc());
            handler.setHandshakeTimeoutMillis(config.handshakeTimeoutMs());
            pipeline.addLast("tls", handler);
            pipeline.addLast("tlsHandshake", new TlsHandshakeWatcher());
        }
        FrameDecoder decoder = new FrameDecoder(config.frameMax());
        pipeline.addLast("frameDecoder", decoder);
        pipeline.addLast("frameEncoder", FrameEncoder.INSTANCE);
        pipeline.addLast("connection", new AmqpConnectionHandler(config, authenticator, broker, decoder));
    }
}
