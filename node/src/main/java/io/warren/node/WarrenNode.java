package io.warren.node;

import io.netty.handler.ssl.SslContext;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.server.AmqpServerConfig;
import io.warren.amqp.tls.TlsConfigException;
import io.warren.amqp.tls.TlsMaterial;
import io.warren.raft.ratis.CommandSubmitter;
import io.warren.raft.ratis.RaftNode;
import io.warren.raft.ratis.SnapshotPolicy;
import io.warren.raft.ratis.WarrenStateMachine;
import io.warren.raft.store.MessageStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Warren node: the Ratis server with the broker state machine, the submitter, the AMQP
 * listener and the admin API. Start-up order matters: the node registers a new epoch through the log
 * (which also replays what the log holds) before it accepts any client, so no client sees stale state.
 */
public final class WarrenNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WarrenNode.class);
    private static final long REGISTRATION_TIMEOUT_SECONDS = 120;

    private final NodeConfig config;
    private final EffectDispatcher dispatcher;
    private final RaftNode raft;
    private final CommandSubmitter submitter;
    private final AmqpListeners amqp;
    private final AdminServer admin;
    private final Optional<PrometheusServer> prometheus;
    private final NodeLiveness liveness;
    private final ResourceMonitor resources;
    private final HotPathSampler hotPath;
    private final StoreHousekeeper housekeeper;
    private final ExpiryTicks expiryTicks;

    private WarrenNode(NodeConfig config, EffectDispatcher dispatcher, RaftNode raft, CommandSubmitter submitter,
            AmqpListeners amqp, AdminServer admin, Optional<PrometheusServer> prometheus, NodeLiveness liveness,
            ResourceMonitor resources, HotPathSampler hotPath, StoreHousekeeper housekeeper, ExpiryTicks expiryTicks) {
        this.prometheus = prometheus;
        this.hotPath = hotPath;
        this.expiryTicks = expiryTicks;
        this.housekeeper = housekeeper;
        this.resources = resources;
        this.liveness = liveness;
        this.config = config;
        this.dispatcher = dispatcher;
        this.raft = raft;
        this.submitter = submitter;
        this.amqp = amqp;
        this.admin = admin;
    }

    public static WarrenNode start(NodeConfig config) throws ConfigException, InterruptedException {
        Path storage = prepareDataDir(config.dataDir());
        requirePortFree(config.amqpHost(), config.amqpPort(), "AMQP");
        Optional<TlsMaterial> tlsMaterial = config.tls().certificate().isPresent()
                ? Optional.of(config.tls().material()) : Optional.empty();
        tlsMaterial.ifPresent(WarrenNode::warnIfExpired);
        Optional<SslContext> amqpsContext = Optional.empty();
        if (config.tls().listenerEnabled()) {
            requirePortFree(config.amqpHost(), config.tls().amqpsPort(), "AMQPS");
            try {
                amqpsContext = Optional.of(config.tls().listener(tlsMaterial.get()).serverContext());
            } catch (TlsConfigException e) {
                throw new ConfigException(e.getMessage(), e);
            }
        }
        requirePortFree(config.raftHost(), config.raftPort(), "Raft");
        requirePortFree(config.adminHost(), config.adminPort(), "admin");
        Optional<AdminServer.Https> adminHttps = Optional.empty();
        if (config.tls().admin()) {
            try {
                adminHttps = Optional.of(new AdminServer.Https(tlsMaterial.orElseThrow().jdkContext(),
                        config.tls().versions(), config.tls().verification()));
            } catch (TlsConfigException e) {
                throw new ConfigException(e.getMessage(), e);
            }
        }
        EffectDispatcher dispatcher = new EffectDispatcher(config.nodeId());
        WarrenStateMachine stateMachine = new WarrenStateMachine(dispatcher, WarrenNode::haltOnBrokenInvariant,
                new MessageStore.Settings(config.storeSegmentBytesMax(), config.storeCacheBytesMax()),
                new SnapshotPolicy(config.snapshotEveryEntries(), config.snapshotLogBytes(), config.snapshotIntervalMs()));
        int entryBytesMax = config.messageBytesMax() + (1 << 20);
        RaftNode raft;
        try {
            raft = RaftNode.start(new RaftNode.Settings(config.nodeId(), storage, config.raftHost(), config.raftPort(),
                    config.peers(), entryBytesMax, config.snapshotEveryEntries(), config.logSegmentBytesMax(),
                    config.join(), raftTls(config, tlsMaterial)),
                    stateMachine);
        } catch (IOException | RuntimeException e) {
            // Ratis reports a damaged log (a corrupt entry, not a torn tail, which it drops) this way.
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            throw new ConfigException("cannot start Raft in " + storage + ": " + cause.getMessage()
                    + " (if the log is damaged, move " + storage + " aside: the node then catches up from the others)", e);
        }
        try {
            if (!raft.awaitLeader(REGISTRATION_TIMEOUT_SECONDS * 1000)) {
                throw new ConfigException("no Raft leader elected within " + REGISTRATION_TIMEOUT_SECONDS
                        + " s (is a majority of peers up?)");
            }
        } catch (IOException e) {
            throw new ConfigException("Raft did not start: " + e.getMessage(), e);
        }
        CommandSubmitter submitter = new CommandSubmitter(raft.entryLog(), config.nodeId(),
                new CommandSubmitter.Limits(config.entriesInFlightMax(), config.partialEntriesInFlightMax(), 1 << 20,
                        config.backlogBytesMax(), config.resendWindowMs()), dispatcher, stateMachine.counters());
        submitter.useConsumerTimeout(config.consumerTimeoutMs());
        submitter.start();
        HotPathSampler hotPath = new HotPathSampler(stateMachine, submitter);
        hotPath.start();
        StoreHousekeeper housekeeper = new StoreHousekeeper(stateMachine);
        housekeeper.start();
        NodeLiveness liveness = new NodeLiveness(config.nodeId(), config.livenessTiming(),
                new RaftLivenessCluster(config.nodeId(), raft, stateMachine, dispatcher, submitter), System::nanoTime,
                new SecureRandom(), Scheduler.thread("warren-liveness"));
        dispatcher.onEpochEnded(liveness::epochEnded);
        stateMachine.onStateReplaced(liveness::stateReplaced);
        long epoch = liveness.registerFirstEpoch(REGISTRATION_TIMEOUT_SECONDS * 1000);
        dispatcher.forwardDeadLettersWith(new DeadLetterForwarder(raft::leaderReady, submitter::submit));
        MessageCounters messageCounters = new MessageCounters();
        AmqpServerConfig amqpConfig = AmqpServerConfig.defaults().withMessageSizeMax(config.messageBytesMax())
                .withHandshakeTimeoutMs(config.handshakeTimeoutMs());
        AmqpListeners amqp = AmqpListeners.start(config, amqpConfig, amqpsContext,
                new CoreAuthenticator(stateMachine, config.loopbackUsers(), config.tls().certificateLogin()),
                new NodeBroker(dispatcher, submitter, liveness::holdsLease, messageCounters));
        liveness.start(new NodeLiveness.Clients() {
            @Override
            public void suspend(AmqpException why) {
                amqp.suspend(why);
            }

            @Override
            public void resume() throws InterruptedException {
                amqp.resume();
            }
        });
        ResourceMonitor resources = new ResourceMonitor(config.nodeId(), submitter, dispatcher::epoch,
                ResourceMonitor.jvm(config.dataDir()), config.memoryHighWatermark(), config.diskFreeLimit());
        resources.start();
        ExpiryTicks expiryTicks = new ExpiryTicks(ExpiryTicks.of(stateMachine, raft, submitter));
        expiryTicks.start();
        AdminServer admin = AdminServer.start(config.adminHost(), config.adminPort(), adminHttps, stateMachine,
                dispatcher, submitter, raft, liveness, resources, hotPath, config.loopbackUsers());
        Optional<PrometheusServer> prometheus = Optional.empty();
        if (config.prometheusPort() != NodeConfig.NO_PORT) {
            prometheus = Optional.of(PrometheusServer.start(config.prometheusHost(), config.prometheusPort(),
                    new NodeMetrics(config.nodeId(), stateMachine, submitter, raft, resources, messageCounters)));
        }
        log.info("event=node_ready epoch={} amqp={}:{} amqps={}:{} raft={}:{} raft_tls={} admin={}:{} admin_tls={}"
                + " prometheus={}:{} data={}", epoch, config.amqpHost(), amqp.plainPort(), config.amqpHost(),
                amqp.tlsPort(), config.raftHost(), config.raftPort(), config.tls().raft(), config.adminHost(),
                config.adminPort(), config.tls().admin(), config.prometheusHost(), config.prometheusPort(),
                config.dataDir());
        return new WarrenNode(config, dispatcher, raft, submitter, amqp, admin, prometheus, liveness, resources,
                hotPath, housekeeper, expiryTicks);
    }

    /** Mutual TLS between nodes, with the node's key and certificate and tls.ca's authorities. */
    private static Optional<RaftNode.Tls> raftTls(NodeConfig config, Optional<TlsMaterial> material) {
        if (!config.tls().raft()) {
            return Optional.empty();
        }
        // TlsConfig refuses raft.tls without tls.cert, tls.key and tls.ca.
        TlsMaterial own = material.orElseThrow();
        return Optional.of(new RaftNode.Tls(own.keys(), own.trust().orElseThrow()));
    }

    /** RabbitMQ starts with an expired certificate too; clients then refuse it, so the log says why first. */
    private static void warnIfExpired(TlsMaterial material) {
        X509Certificate own = material.chain().get(0);
        try {
            own.checkValidity();
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            log.warn("event=tls_certificate_not_valid subject=\"{}\" not_before={} not_after={} reason=\"{}\"",
                    own.getSubjectX500Principal().getName(), own.getNotBefore().toInstant(),
                    own.getNotAfter().toInstant(), e.getMessage());
        }
    }

    private static Path prepareDataDir(Path dataDir) throws ConfigException {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new ConfigException("data dir " + dataDir + " cannot be created: " + e.getMessage(), e);
        }
        if (!Files.isDirectory(dataDir) || !Files.isReadable(dataDir) || !Files.isWritable(dataDir)) {
            throw new ConfigException("data dir " + dataDir + " is not a readable and writable directory");
        }
        Path raft = dataDir.resolve("raft");
        try {
            Files.createDirectories(raft);
            Path probe = Files.createTempFile(raft, "probe", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new ConfigException("data dir " + dataDir + " is not writable: " + e.getMessage(), e);
        }
        return raft;
    }

    private static void requirePortFree(String host, int port, String what) throws ConfigException {
        if (port == 0 || port == NodeConfig.NO_PORT) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new ConfigException(what + " port " + host + ":" + port + " is in use or cannot be bound ("
                    + e.getMessage() + ")", e);
        }
    }

    /**
     * A broken invariant in apply, a damaged record or a failed fsync (the line before says which): stop
     * this node only, at once (DESIGN invariant 8).
     */
    private static void haltOnBrokenInvariant() {
        log.error("event=fatal action=halt");
        Thread halt = new Thread(() -> Runtime.getRuntime().halt(70), "warren-halt");
        halt.start();
    }

    public int amqpPort() {
        return amqp.plainPort();
    }

    /** The AMQPS port as bound, or -1 without TLS. */
    public int amqpsPort() {
        return amqp.tlsPort();
    }

    public int connectionCount() {
        return dispatcher.connectionCount();
    }

    /** Clean shutdown: clients get 320 CONNECTION_FORCED, then Raft stops (which may snapshot). */
    @Override
    public void close() {
        log.info("event=node_stopping connections={}", dispatcher.connectionCount());
        liveness.close();
        resources.close();
        expiryTicks.close();
        hotPath.close();
        housekeeper.close();
        admin.close();
        prometheus.ifPresent(PrometheusServer::close);
        dispatcher.closeAll(AmqpException.of(ReplyCode.CONNECTION_FORCED, "broker forced connection closure with reason 'shutdown'"));
        amqp.close();
        submitter.close();
        try {
            raft.close();
        } catch (IOException e) {
            log.warn("event=raft_close_failed error={}", e.toString());
        }
        log.info("event=node_stopped node={}", config.nodeId());
    }
}
