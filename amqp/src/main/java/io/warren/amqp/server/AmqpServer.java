package io.warren.amqp.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.broker.Authenticator;
import io.warren.amqp.broker.Broker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AMQP listener: binds a port and serves each accepted socket with the pipeline of
 * {@link AmqpServerInitializer}. Owns its event loops. {@link #close()} stops accepting, closes every
 * connection with 320 CONNECTION_FORCED as RabbitMQ does on shutdown, and releases the loops.
 */
public final class AmqpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AmqpServer.class);
    private static final int WRITE_BUFFER_LOW_BYTES = 256 * 1024;
    private static final int WRITE_BUFFER_HIGH_BYTES = 1024 * 1024;

    private final AmqpServerConfig config;
    /** The TLS context of an AMQPS listener; null for plain AMQP. */
    private final SslContext tls;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile Channel serverChannel;
    private ServerBootstrap bootstrap;
    private InetSocketAddress boundAddress;

    private AmqpServer(AmqpServerConfig config, SslContext tls, int ioThreads) {
        this.config = config;
        this.tls = tls;
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.workerGroup = new MultiThreadIoEventLoopGroup(ioThreads, NioIoHandler.newFactory());
    }

    /**
     * Binds {@code address} and starts serving.
     *
     * @param ioThreads event-loop threads for connections; keep small on small machines
     * @throws java.net.BindException (sneaky, from Netty) when the port is taken
     */
    public static AmqpServer start(InetSocketAddress address, int ioThreads, AmqpServerConfig config,
            Authenticator authenticator, Broker broker) throws InterruptedException {
        return start(address, ioThreads, config, null, authenticator, broker);
    }

    /**
     * Binds {@code address} and serves AMQP inside TLS with {@code tls} (AMQPS), or plain AMQP when it is
     * null. On a TLS listener SASL EXTERNAL is offered too.
     */
    public static AmqpServer start(InetSocketAddress address, int ioThreads, AmqpServerConfig config,
            SslContext tls, Authenticator authenticator, Broker broker) throws InterruptedException {
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: >= 1)");
        }
        AmqpServer server = new AmqpServer(config, tls, ioThreads);
        try {
            server.bind(address, authenticator, broker);
            return server;
        } catch (InterruptedException | RuntimeException e) {
            server.shutdownLoops();
            throw e;
        }
    }

    private void bind(InetSocketAddress address, Authenticator authenticator, Broker broker)
            throws InterruptedException {
        bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(WRITE_BUFFER_LOW_BYTES, WRITE_BUFFER_HIGH_BYTES))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        connections.add(channel);
                        AmqpServerInitializer.configure(channel.pipeline(), config, tls, authenticator, broker);
                    }
                });
        serverChannel = bootstrap.bind(address).sync().channel();
        boundAddress = (InetSocketAddress) serverChannel.localAddress();
        log.info("event=amqp_listening address={} tls={}", Addresses.format(serverChannel.localAddress()),
                tls != null);
    }

    /**
     * Stops accepting (clients trying this port get "connection refused" and move on to their next
     * address) and closes every open connection with {@code reason}. The event loops stay; see
     * {@link #resume}. RabbitMQ's pause_minority does the same to a node cut off from the majority.
     */
    public synchronized void suspend(AmqpException reason) {
        if (!serverChannel.isOpen()) {
            return;
        }
        serverChannel.close().syncUninterruptibly();
        awaitListenerGone();
        closeAll(reason);
        log.info("event=amqp_suspended address={} reason=\"{}\"", Addresses.format(boundAddress), reason.getMessage());
    }

    /**
     * A closed listening socket that a selector still holds keeps listening until the selector drops its
     * key, on the accepting loop's next select after the close promise completed; a client that connects
     * in between is accepted, then reset, instead of refused (seen once in CI). Each turn of the loop
     * gives it a select; the port is probed until it refuses, for at most about a second.
     */
    private void awaitListenerGone() {
        InetSocketAddress probe = boundAddress.getAddress().isAnyLocalAddress()
                ? new InetSocketAddress(InetAddress.getLoopbackAddress(), boundAddress.getPort()) : boundAddress;
        for (int turn = 0; turn < 50; turn++) {
            bossGroup.next().submit(() -> { }).syncUninterruptibly();
            try (Socket socket = new Socket()) {
                socket.connect(probe, 100);
            } catch (IOException refused) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        log.warn("event=amqp_listener_still_accepting address={} note=\"closed, but the port still accepts\"",
                Addresses.format(boundAddress));
    }

    /** Accepts connections again on the address first bound. */
    public synchronized void resume() throws InterruptedException {
        if (serverChannel.isOpen()) {
            return;
        }
        serverChannel = bootstrap.bind(boundAddress).sync().channel();
        log.info("event=amqp_resumed address={}", Addresses.format(serverChannel.localAddress()));
    }

    public boolean isAccepting() {
        return serverChannel.isOpen();
    }

    private void closeAll(AmqpException reason) {
        for (Channel connection : connections) {
            AmqpConnectionHandler handler = connection.pipeline().get(AmqpConnectionHandler.class);
            if (handler != null) {
                handler.close(reason);
            }
        }
    }

    /** The bound address (with the real port when 0 was asked for). */
    public InetSocketAddress localAddress() {
        return boundAddress;
    }

    /** How many client sockets are open now. */
    public int connectionCount() {
        return connections.size();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        closeAll(AmqpException.of(ReplyCode.CONNECTION_FORCED, "broker forced connection closure with reason 'shutdown'"));
        // Clients answer connection.close with close-ok and the handler then closes the socket.
        connections.newCloseFuture().awaitUninterruptibly(config.closeTimeoutMs() + 1000, TimeUnit.MILLISECONDS);
        connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        shutdownLoops();
        log.info("event=amqp_stopped address={}", Addresses.format(boundAddress));
    }

    private void shutdownLoops() {
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
