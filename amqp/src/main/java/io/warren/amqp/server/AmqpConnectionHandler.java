package io.warren.amqp.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.ScheduledFuture;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.broker.Authenticator;
import io.warren.amqp.broker.Broker;
import io.warren.amqp.broker.BrokerConnection;
import io.warren.amqp.broker.ClientConnection;
import io.warren.amqp.broker.ConnectionInfo;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.codec.FieldValue;
import io.warren.amqp.codec.LongString;
import io.warren.amqp.frame.Frame;
import io.warren.amqp.frame.FrameDecoder;
import io.warren.amqp.frame.FrameError;
import io.warren.amqp.frame.HeartbeatFrame;
import io.warren.amqp.frame.MethodFrame;
import io.warren.amqp.frame.ProtocolHeader;
import io.warren.amqp.method.ChannelMethod;
import io.warren.amqp.method.ConnectionMethod;
import io.warren.amqp.protocol.CommandAssembler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one AMQP 0-9-1 connection: the handshake (start, SASL, tune, open), heartbeats,
 * connection close in both directions, and the routing of frames to {@link ChannelSession}s.
 * Connection errors end here: connection.close with the code and RabbitMQ-style text, then the socket
 * closes on close-ok or after {@link AmqpServerConfig#closeTimeoutMs()}.
 *
 * <p>One instance per connection, on its event loop; {@link ClientConnection} calls hop onto the loop.
 * Writes are flushed once per read batch, or once per burst of broker events.
 */
public final class AmqpConnectionHandler extends ChannelInboundHandlerAdapter implements ClientConnection {
    private static final Logger log = LoggerFactory.getLogger(AmqpConnectionHandler.class);
    static final String HEARTBEAT_HANDLER_NAME = "heartbeat";

    private final AmqpServerConfig config;
    private final Authenticator authenticator;
    private final Broker broker;
    private final FrameDecoder decoder;
    private final IntObjectMap<ChannelSession> channels = new IntObjectHashMap<>();
    private ChannelHandlerContext ctx;
    private ConnectionState state = ConnectionState.AWAITING_PROTOCOL_HEADER;
    private TuneNegotiation tune;
    private FieldTable clientCapabilities = FieldTable.EMPTY;
    private FieldTable clientProperties = FieldTable.EMPTY;
    private String user;
    private BrokerConnection brokerConnection;
    private ScheduledFuture<?> handshakeTimeout;
    private ScheduledFuture<?> closeTimeout;
    private boolean inRead;
    private boolean flushScheduled;
    private boolean blocked;
    private int pendingReplies;
    private boolean pausedForReplies;
    /** The broker's output was written and not flushed yet: a flush must check the lease first. */
    private boolean decidedUnflushed;
    /** The lease was found lapsed on this connection; logged once. */
    private boolean fenced;

    public AmqpConnectionHandler(AmqpServerConfig config, Authenticator authenticator, Broker broker,
            FrameDecoder decoder) {
        this.config = config;
        this.authenticator = authenticator;
        this.broker = broker;
        this.decoder = decoder;
    }

    // ---- Netty events ----

    @Override
    public void channelActive(ChannelHandlerContext context) {
        this.ctx = context;
        handshakeTimeout = context.executor().schedule(this::onHandshakeTimeout, config.handshakeTimeoutMs(),
                TimeUnit.MILLISECONDS);
        context.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        inRead = true;
        try {
            read(msg);
        } catch (AmqpException e) {
            connectionError(e);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        inRead = false;
        flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        log.debug("event=connection_closed remote={} state={}", context.channel().remoteAddress(), state);
        teardown();
        transitionTo(ConnectionState.CLOSED, "socket closed");
        context.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        if (brokerConnection != null) {
            brokerConnection.writabilityChanged(context.channel().isWritable());
        }
        context.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) {
        if (event instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.WRITER_IDLE) {
                write(HeartbeatFrame.INSTANCE);
                flush();
            } else if (idle.state() == IdleState.READER_IDLE) {
                log.warn("event=missed_heartbeats remote={} heartbeat_s={}", context.channel().remoteAddress(),
                        tune.heartbeatSeconds());
                teardown();
                transitionTo(ConnectionState.CLOSED, "missed heartbeats");
                context.close();
            }
            return;
        }
        context.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        log.info("event=connection_failed remote={} state={} cause=\"{}\"", context.channel().remoteAddress(), state,
                cause.toString());
        teardown();
        transitionTo(ConnectionState.CLOSED, "exception");
        context.close();
    }

    // ---- inbound dispatch ----

    private void read(Object msg) {
        switch (msg) {
            case ProtocolHeader header -> onProtocolHeader(header);
            case FrameError error -> onFrameError(error);
            case Frame frame -> onFrame(frame);
            default -> {
                ReferenceCountUtil.release(msg);
                throw new IllegalStateException("unexpected inbound message " + msg.getClass().getName());
            }
        }
    }

    private void onProtocolHeader(ProtocolHeader header) {
        if (header != ProtocolHeader.ACCEPTED) {
            log.info("event=protocol_header_refused remote={}{}", ctx.channel().remoteAddress(),
                    header == ProtocolHeader.REFUSED_TLS ? " reason=\"a TLS handshake on a plain AMQP port\"" : "");
            transitionTo(ConnectionState.CLOSED, "bad protocol header");
            ctx.writeAndFlush(ProtocolHeader.supported()).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ConnectionMethod.Start start = new ConnectionMethod.Start(0, 9, ServerProperties.of(config),
                LongString.of(SaslResponse.mechanisms(overTls())), LongString.of("en_US"));
        write(new MethodFrame(0, start));
        transitionTo(ConnectionState.AWAITING_START_OK, "protocol header accepted");
    }

    private void onFrameError(FrameError error) {
        // The byte stream is no longer in step with frames, so close-ok could not be read: close after sending.
        connectionError(error.error());
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void onFrame(Frame frame) {
        if (state == ConnectionState.CLOSING || state == ConnectionState.CLOSED) {
            onFrameWhileClosing(frame);
            return;
        }
        if (frame instanceof HeartbeatFrame) {
            return;
        }
        if (frame.channel() == 0) {
            onChannelZeroFrame(frame);
            return;
        }
        onChannelFrame(frame);
    }

    private void onFrameWhileClosing(Frame frame) {
        if (state == ConnectionState.CLOSING && frame instanceof MethodFrame methodFrame && frame.channel() == 0) {
            if (methodFrame.method() instanceof ConnectionMethod.Close) {
                // Both sides closed at once: answer theirs; we need not wait for the close-ok to ours.
                if (dropUnflushedIfFenced()) {
                    return;
                }
                ctx.writeAndFlush(new MethodFrame(0, new ConnectionMethod.CloseOk()))
                        .addListener(ChannelFutureListener.CLOSE);
                transitionTo(ConnectionState.CLOSED, "close crossed");
            } else if (methodFrame.method() instanceof ConnectionMethod.CloseOk) {
                transitionTo(ConnectionState.CLOSED, "close-ok received");
                ctx.close();
            }
            return;
        }
        ReferenceCountUtil.release(frame);
    }

    private void onChannelZeroFrame(Frame frame) {
        if (!(frame instanceof MethodFrame methodFrame)) {
            ReferenceCountUtil.release(frame);
            throw AmqpException.of(ReplyCode.UNEXPECTED_FRAME, "content frame on channel 0");
        }
        if (!(methodFrame.method() instanceof ConnectionMethod method)) {
            throw AmqpException.of(ReplyCode.COMMAND_INVALID, methodFrame.method().name()
                    + " on channel 0, which carries connection methods only",
                    methodFrame.method().classId(), methodFrame.method().methodId());
        }
        onConnectionMethod(method);
    }

    private void onConnectionMethod(ConnectionMethod method) {
        if (method instanceof ConnectionMethod.Close close) {
            onClientClose(close);
            return;
        }
        switch (state) {
            case AWAITING_START_OK -> onStartOk(expect(method, ConnectionMethod.StartOk.class));
            case AWAITING_TUNE_OK -> onTuneOk(expect(method, ConnectionMethod.TuneOk.class));
            case AWAITING_OPEN -> onOpen(expect(method, ConnectionMethod.Open.class));
            case OPEN -> onConnectionMethodWhileOpen(method);
            default -> throw unexpectedMethod(method);
        }
    }

    private void onConnectionMethodWhileOpen(ConnectionMethod method) {
        switch (method) {
            case ConnectionMethod.CloseOk m -> log.debug("event=unexpected_close_ok");
            case ConnectionMethod.UpdateSecret m -> throw AmqpException.of(ReplyCode.NOT_IMPLEMENTED,
                    "connection.update-secret: Warren authenticates with passwords, which have no secret to refresh",
                    m.classId(), m.methodId());
            default -> throw unexpectedMethod(method);
        }
    }

    private <M extends ConnectionMethod> M expect(ConnectionMethod method, Class<M> expected) {
        if (!expected.isInstance(method)) {
            throw unexpectedMethod(method);
        }
        return expected.cast(method);
    }

    private AmqpException unexpectedMethod(ConnectionMethod method) {
        return AmqpException.of(ReplyCode.COMMAND_INVALID, "unexpected " + method.name() + " in state " + state,
                method.classId(), method.methodId());
    }

    // ---- handshake ----

    private void onStartOk(ConnectionMethod.StartOk startOk) {
        clientProperties = startOk.clientProperties();
        if (clientProperties.get("capabilities") instanceof FieldValue.Table table) {
            clientCapabilities = table.value();
        }
        String mechanism = startOk.mechanism();
        Optional<X509Certificate> certificate = peerCertificate();
        String claimed;
        CompletionStage<String> login;
        if (mechanism.equals(SaslResponse.EXTERNAL) && certificate.isPresent()) {
            claimed = certificate.get().getSubjectX500Principal().getName();
            login = authenticator.authenticateCertificate(certificate.get(), ctx.channel().remoteAddress());
        } else if (mechanism.equals(SaslResponse.EXTERNAL) && overTls()) {
            claimed = "";
            login = CompletableFuture.failedFuture(AmqpException.connectionError(ReplyCode.ACCESS_REFUSED,
                    "EXTERNAL login refused: no peer certificate", ConnectionMethod.CLASS_ID,
                    ConnectionMethod.StartOk.METHOD_ID));
        } else {
            SaslResponse credentials = SaslResponse.parse(mechanism, startOk.response());
            claimed = credentials.username();
            login = authenticator.authenticate(credentials.username(), credentials.password(),
                    ctx.channel().remoteAddress());
        }
        transitionTo(ConnectionState.AUTHENTICATING, "start-ok mechanism=" + mechanism);
        login.whenComplete((authenticatedUser, error) -> runOnLoop(() -> {
            if (state != ConnectionState.AUTHENTICATING) {
                return;
            }
            if (error != null) {
                onAuthenticationFailed(claimed, mechanism, Futures.unwrap(error));
            } else {
                user = authenticatedUser;
                write(new MethodFrame(0, new ConnectionMethod.Tune(config.channelMax(), config.frameMax(),
                        config.heartbeatSeconds())));
                transitionTo(ConnectionState.AWAITING_TUNE_OK, "authenticated user=" + user);
            }
            flushSoon();
        }));
    }

    private boolean overTls() {
        return ctx.pipeline().get(SslHandler.class) != null;
    }

    /** The client's TLS certificate, on a TLS listener whose client presented one. */
    private Optional<X509Certificate> peerCertificate() {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate own ? Optional.of(own) : Optional.empty();
        } catch (SSLPeerUnverifiedException noCertificate) {
            return Optional.empty();
        }
    }

    private void onAuthenticationFailed(String username, String mechanism, Throwable cause) {
        if (!(cause instanceof AmqpException)) {
            log.error("event=authenticator_failed user={}", username, cause);
            connectionError(AmqpException.of(ReplyCode.INTERNAL_ERROR, "authentication backend failed"));
            return;
        }
        log.info("event=login_refused remote={} user={} mechanism={} reason=\"{}\"", ctx.channel().remoteAddress(),
                username, mechanism, cause.getMessage());
        if (clientHas(ServerProperties.AUTHENTICATION_FAILURE_CLOSE)) {
            connectionError(AmqpException.connectionError(ReplyCode.ACCESS_REFUSED, "Login was refused using "
                    + "authentication mechanism " + mechanism + ". For details see the broker logfile.",
                    ConnectionMethod.CLASS_ID, ConnectionMethod.StartOk.METHOD_ID));
        } else {
            // A client without authentication_failure_close expects the socket to drop (spec 0-9-1).
            teardown();
            transitionTo(ConnectionState.CLOSED, "login refused");
            ctx.close();
        }
    }

    private void onTuneOk(ConnectionMethod.TuneOk tuneOk) {
        tune = TuneNegotiation.negotiate(config, tuneOk);
        decoder.frameMax(tune.frameMax());
        if (tune.heartbeatSeconds() > 0) {
            long heartbeatMs = TimeUnit.SECONDS.toMillis(tune.heartbeatSeconds());
            // Send when we were silent for half the interval; give up on a peer silent for two intervals.
            ctx.pipeline().addFirst(HEARTBEAT_HANDLER_NAME,
                    new IdleStateHandler(heartbeatMs * 2, heartbeatMs / 2, 0, TimeUnit.MILLISECONDS));
        }
        transitionTo(ConnectionState.AWAITING_OPEN, "tuned channel_max=" + tune.channelMax() + " frame_max="
                + tune.frameMax() + " heartbeat=" + tune.heartbeatSeconds());
    }

    private void onOpen(ConnectionMethod.Open open) {
        String virtualHost = open.virtualHost();
        transitionTo(ConnectionState.OPENING, "open vhost=" + virtualHost);
        authenticator.openVirtualHost(user, virtualHost).whenComplete((ignored, error) -> runOnLoop(() -> {
            if (state != ConnectionState.OPENING) {
                return;
            }
            if (error != null) {
                Throwable cause = Futures.unwrap(error);
                connectionError(cause instanceof AmqpException amqp
                        ? amqp.causedBy(ConnectionMethod.CLASS_ID, ConnectionMethod.Open.METHOD_ID)
                        : AmqpException.of(ReplyCode.INTERNAL_ERROR, "virtual host check failed: " + cause));
            } else {
                completeOpen(virtualHost);
            }
            flushSoon();
        }));
    }

    private void completeOpen(String virtualHost) {
        if (!broker.holdsServingLease()) {
            connectionError(leaseLapsed());
            return;
        }
        ConnectionInfo info = new ConnectionInfo(connectionName(), user, virtualHost, ctx.channel().remoteAddress(),
                ctx.channel().localAddress(), clientProperties);
        brokerConnection = broker.openConnection(info, this);
        handshakeTimeout.cancel(false);
        write(new MethodFrame(0, new ConnectionMethod.OpenOk()));
        transitionTo(ConnectionState.OPEN, "open-ok sent");
        log.info("event=connection_opened name=\"{}\" user={} vhost={}", info.name(), user, virtualHost);
    }

    private void onHandshakeTimeout() {
        // On a TLS listener a stalled TLS handshake times out at the same moment and was closed (and
        // logged) by the TLS handler already.
        if (state != ConnectionState.OPEN && state != ConnectionState.CLOSED && ctx.channel().isActive()) {
            log.info("event=handshake_timeout remote={} state={} timeout_ms={}", ctx.channel().remoteAddress(), state,
                    config.handshakeTimeoutMs());
            teardown();
            transitionTo(ConnectionState.CLOSED, "handshake timeout");
            ctx.close();
        }
    }

    // ---- channels ----

    private void onChannelFrame(Frame frame) {
        int number = frame.channel();
        if (state != ConnectionState.OPEN) {
            ReferenceCountUtil.release(frame);
            throw AmqpException.of(ReplyCode.COMMAND_INVALID, "frame on channel " + number
                    + " before the connection is open");
        }
        ChannelSession session = channels.get(number);
        if (session != null) {
            session.onFrame(frame);
            return;
        }
        if (!(frame instanceof MethodFrame methodFrame && methodFrame.method() instanceof ChannelMethod.Open)) {
            ReferenceCountUtil.release(frame);
            throw AmqpException.of(ReplyCode.CHANNEL_ERROR, "expected 'channel.open' on channel " + number);
        }
        if (number > tune.channelMax()) {
            throw AmqpException.of(ReplyCode.NOT_ALLOWED, "channel " + number + " is above the negotiated channel_max ("
                    + tune.channelMax() + ")", ChannelMethod.CLASS_ID, ChannelMethod.Open.METHOD_ID);
        }
        openChannel(number);
    }

    private void openChannel(int number) {
        ChannelSession session = new ChannelSession(this, number,
                new CommandAssembler(config.messageSizeMax(), ctx.alloc()));
        channels.put(number, session);
        session.attach(brokerConnection.openChannel(number, session));
        write(new MethodFrame(number, new ChannelMethod.OpenOk()));
    }

    void channelClosed(ChannelSession session) {
        channels.remove(session.number(), session);
    }

    // ---- closing ----

    private void onClientClose(ConnectionMethod.Close close) {
        log.info("event=client_closed_connection remote={} code={} text=\"{}\"", ctx.channel().remoteAddress(),
                close.replyCode(), close.replyText());
        teardown();
        transitionTo(ConnectionState.CLOSED, "client close");
        if (dropUnflushedIfFenced()) {
            return;
        }
        ctx.writeAndFlush(new MethodFrame(0, new ConnectionMethod.CloseOk())).addListener(ChannelFutureListener.CLOSE);
    }

    /** Closes the connection with this error: connection.close, then wait for close-ok (bounded). */
    void connectionError(AmqpException error) {
        if (state == ConnectionState.CLOSING || state == ConnectionState.CLOSED) {
            return;
        }
        log.warn("event=connection_error remote={} state={} code={} text=\"{}\"", ctx.channel().remoteAddress(), state,
                error.replyCode().code(), error.replyText());
        teardown();
        transitionTo(ConnectionState.CLOSING, "error " + error.replyCode());
        write(new MethodFrame(0, new ConnectionMethod.Close(error.replyCode().code(), error.replyText(),
                error.classId(), error.methodId())));
        flushSoon();
        closeTimeout = ctx.executor().schedule(() -> {
            transitionTo(ConnectionState.CLOSED, "close-ok timeout");
            ctx.close();
        }, config.closeTimeoutMs(), TimeUnit.MILLISECONDS);
    }

    /** Tells every channel and the broker that the connection is over. Idempotent. */
    private void teardown() {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        for (ChannelSession session : new ArrayList<>(channels.values())) {
            session.connectionClosed();
        }
        channels.clear();
        if (brokerConnection != null) {
            BrokerConnection closing = brokerConnection;
            brokerConnection = null;
            try {
                closing.closed();
            } catch (RuntimeException e) {
                log.error("event=broker_connection_close_failed", e);
            }
        }
    }

    private void transitionTo(ConnectionState next, String reason) {
        if (state == next) {
            return;
        }
        if (next == ConnectionState.CLOSED && closeTimeout != null) {
            closeTimeout.cancel(false);
        }
        log.debug("event=connection_state from={} to={} reason=\"{}\"", state, next, reason);
        state = next;
    }

    // ---- ClientConnection ----

    @Override
    public void block(String reason) {
        runOnLoop(() -> {
            if (blocked || state != ConnectionState.OPEN) {
                return;
            }
            blocked = true;
            if (clientHas(ServerProperties.CONNECTION_BLOCKED)) {
                writeDecided(new MethodFrame(0, new ConnectionMethod.Blocked(reason)));
                flushSoon();
            }
            updateAutoRead();
        });
    }

    @Override
    public void unblock() {
        runOnLoop(() -> {
            if (!blocked) {
                return;
            }
            blocked = false;
            if (state == ConnectionState.OPEN && clientHas(ServerProperties.CONNECTION_BLOCKED)) {
                writeDecided(new MethodFrame(0, new ConnectionMethod.Unblocked()));
                flushSoon();
            }
            updateAutoRead();
        });
    }

    @Override
    public void close(AmqpException error) {
        runOnLoop(() -> connectionError(error));
    }

    // ---- helpers for ChannelSession ----

    /** Runs {@code task} on the event loop (now, when already on it); false when the loop is gone. */
    boolean runOnLoop(Runnable task) {
        if (ctx.executor().inEventLoop()) {
            task.run();
            return true;
        }
        try {
            ctx.executor().execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Writes without flushing; a write to a closed socket fails and Netty releases the frame. */
    void write(Frame frame) {
        ctx.write(frame);
    }

    /**
     * Writes output the broker decided, unless its serving lease lapsed: then the frames are dropped and the
     * connection closed with 320 (see {@link Broker#holdsServingLease}). One look for all the frames of one
     * method, so a content is written whole or not at all.
     */
    void writeDecided(List<Frame> frames) {
        if (!broker.holdsServingLease()) {
            frames.forEach(ReferenceCountUtil::release);
            fence();
            return;
        }
        decidedUnflushed = true;
        frames.forEach(ctx::write);
    }

    void writeDecided(Frame frame) {
        writeDecided(List.of(frame));
    }

    private static AmqpException leaseLapsed() {
        return AmqpException.of(ReplyCode.CONNECTION_FORCED, "this node's serving lease lapsed (it was out of"
                + " contact with its cluster, or paused): it sends nothing it decided before; reconnect to another"
                + " node");
    }

    private void fence() {
        logFencedOnce("dropped_and_closed_320");
        connectionError(leaseLapsed());
    }

    /** One line per connection when its output is first fenced, however many writes are dropped after. */
    private void logFencedOnce(String action) {
        if (!fenced) {
            fenced = true;
            log.warn("event=output_fenced remote={} action={} reason=\"the node's serving lease lapsed\"",
                    ctx.channel().remoteAddress(), action);
        }
    }

    /** Flushes at the end of the current read batch, or once after the current burst of tasks. */
    void flushSoon() {
        if (inRead || flushScheduled) {
            return;
        }
        flushScheduled = true;
        ctx.executor().execute(() -> {
            flushScheduled = false;
            flush();
        });
    }

    private void flush() {
        if (dropUnflushedIfFenced()) {
            return;
        }
        decidedUnflushed = false;
        ctx.flush();
    }

    /**
     * The broker's output written while the lease held but not flushed before it lapsed (the process was
     * paused in between) must not leave either, and a close frame cannot overtake it: the socket is closed
     * at once, which discards everything Netty still holds. Returns true when it did.
     */
    private boolean dropUnflushedIfFenced() {
        if (!decidedUnflushed || broker.holdsServingLease()) {
            return false;
        }
        decidedUnflushed = false;
        logFencedOnce("socket_closed_output_unflushed");
        teardown();
        transitionTo(ConnectionState.CLOSED, "serving lease lapsed");
        ctx.close();
        return true;
    }

    void replyPending() {
        pendingReplies++;
        if (pendingReplies >= config.pendingRepliesMax() && !pausedForReplies) {
            pausedForReplies = true;
            updateAutoRead();
        }
    }

    void replyDone() {
        pendingReplies--;
        if (pausedForReplies && pendingReplies <= config.pendingRepliesMax() / 2) {
            pausedForReplies = false;
            updateAutoRead();
        }
    }

    private void updateAutoRead() {
        ctx.channel().config().setAutoRead(!blocked && !pausedForReplies);
    }

    long frameMax() {
        return tune == null ? config.frameMax() : tune.frameMax();
    }

    boolean clientHas(String capability) {
        return clientCapabilities.getBoolean(capability, false);
    }

    boolean isWritable() {
        return ctx.channel().isWritable();
    }

    private String connectionName() {
        return Addresses.format(ctx.channel().remoteAddress()) + " -> " + Addresses.format(ctx.channel().localAddress());
    }
}
