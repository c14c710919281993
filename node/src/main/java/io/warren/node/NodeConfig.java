package io.warren.node;

import io.warren.amqp.tls.ListenerTls;
import io.warren.raft.ratis.RaftNode;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A node's settings: from a properties file ({@code --config FILE}) and command-line flags, flags winning.
 * Every key has a flag of the same name: {@code node.id} is {@code --node-id}, and so on.
 *
 * @param peers the Raft group's members as id=host:port; this node's own entry gives its Raft address
 * @param adminHost where the admin API that warrenctl talks to listens: loopback unless it serves HTTPS
 *        with client certificates required, as it has no login of its own
 * @param adminPort its port
 * @param entriesInFlightMax Raft entries this node has sent and not yet seen committed (group commit gathers
 *        commands while they are in flight)
 * @param partialEntriesInFlightMax of those, how many may be less than full: an entry that is not full waits
 *        while this many are out (fewer, fuller entries cost every node less)
 * @param backlogBytesMax commands waiting to be sent above which publishers are blocked (connection.blocked)
 *        until the backlog is down to half
 * @param nodeDownAfterMs how long the leader waits on a silent member before declaring it down, which
 *        returns its consumers' unacked deliveries to their queues
 * @param join start as a newcomer that a member adds with {@code warrenctl add_cluster_node}; {@code peers}
 *        then lists the current members (this node need not be among them)
 * @param logSegmentBytesMax Raft log segment size: a snapshot purges the log by whole closed segments
 * @param resendWindowMs how long an entry Raft did not commit (a leader change) is sent again before its
 *        publishes are nacked and its waiting clients closed with 320
 * @param quorumLostAfterMs the serving lease: how long after its last contact with a working majority this
 *        node stops sending what the state decided, closes its clients (320) and refuses new ones until
 *        contact is back; at least 1000 ms below {@code nodeDownAfterMs}
 * @param snapshotLogBytes commands and messages applied after which a snapshot is taken (as are
 *        {@code snapshotEveryEntries} entries, or {@code snapshotIntervalMs} with anything applied)
 * @param memoryHighWatermark heap in use after a collection, as a fraction of the maximum heap, above which
 *        this node raises a memory alarm (RabbitMQ's vm_memory_high_watermark): publishers on every node
 *        are blocked until it clears
 * @param diskFreeLimit free bytes where the data lives below which this node raises a disk alarm
 *        (RabbitMQ's disk_free_limit)
 * @param storeSegmentBytesMax message-store segment size: disk is reclaimed by whole segments
 * @param storeCacheBytesMax the newest messages kept in memory, so consumers that keep up read no disk
 * @param consumerTimeoutMs how long a delivery to a channel of this node may stay unacknowledged before the
 *        channel is closed with 406 (RabbitMQ's consumer_timeout, 30 minutes by default)
 * @param livenessTickMs how often the node looks at its contact with the group, its epoch and (on the leader)
 *        the other nodes' silence
 * @param registrationStuckAfterMs how long a registration may go unapplied while a leader is heard before the
 *        node asks for the leadership to move (a Ratis appender stuck on this follower)
 * @param redeclareDownAfterMs how long a leader's down declaration may stay uncommitted before it is sent again
 * @param amqpPort the plain AMQP port, or {@link #NO_PORT} for none ({@code amqp.port = none}: AMQPS only)
 * @param handshakeTimeoutMs how long a client has from connecting (TLS handshake included) to an open
 *        connection (RabbitMQ's handshake_timeout)
 * @param logFormat {@code text} (one key=value line per event) or {@code json} (one JSON object per line)
 * @param prometheusHost where the Prometheus endpoint ({@code /metrics}) listens
 * @param prometheusPort its port (RabbitMQ's 15692), or {@link #NO_PORT} ({@code none}) for no endpoint
 * @param tls AMQPS and Raft TLS (see {@link TlsConfig})
 */
public record NodeConfig(String nodeId, Path dataDir, String amqpHost, int amqpPort, String raftHost, int raftPort,
        List<RaftNode.Peer> peers, String adminHost, int adminPort, long snapshotEveryEntries, int messageBytesMax,
        Set<String> loopbackUsers, int entriesInFlightMax, int partialEntriesInFlightMax, long backlogBytesMax,
        long nodeDownAfterMs, long quorumLostAfterMs, boolean join, long logSegmentBytesMax, long resendWindowMs,
        long storeSegmentBytesMax, long storeCacheBytesMax, long snapshotLogBytes, long snapshotIntervalMs,
        double memoryHighWatermark, long diskFreeLimit, long consumerTimeoutMs, long livenessTickMs,
        long registrationStuckAfterMs, long redeclareDownAfterMs, long handshakeTimeoutMs, String logFormat,
        String prometheusHost, int prometheusPort, TlsConfig tls) {

    /** {@code amqp.port = none}: no plain AMQP listener, as RabbitMQ's {@code listeners.tcp = none}. */
    static final int NO_PORT = -1;

    static final Map<String, String> DEFAULTS = withTls(Map.ofEntries(
            Map.entry("amqp.host", "0.0.0.0"),
            Map.entry("amqp.port", "5672"),
            Map.entry("admin.host", "127.0.0.1"),
            Map.entry("admin.port", "15672"),
            Map.entry("snapshot.every.entries", "100000"),
            Map.entry("snapshot.log.bytes", Long.toString(256L << 20)),
            Map.entry("snapshot.interval.ms", "600000"),
            Map.entry("memory.high.watermark", "0.8"),
            Map.entry("disk.free.limit", "50000000"),
            Map.entry("message.bytes.max", Integer.toString(16 << 20)),
            Map.entry("loopback.users", "guest"),
            Map.entry("entries.in.flight.max", "8"),
            Map.entry("partial.entries.in.flight.max", "1"),
            Map.entry("backlog.bytes.max", Long.toString(64L << 20)),
            Map.entry("node.down.after.ms", "5000"),
            Map.entry("quorum.lost.after.ms", "4000"),
            Map.entry("join", "false"),
            Map.entry("log.segment.bytes.max", Long.toString(32L << 20)),
            Map.entry("resend.window.ms", "20000"),
            Map.entry("store.segment.bytes.max", Long.toString(64L << 20)),
            Map.entry("store.cache.bytes.max", Long.toString(64L << 20)),
            Map.entry("consumer.timeout.ms", "1800000"),
            Map.entry("liveness.tick.ms", "250"),
            Map.entry("registration.stuck.after.ms", "30000"),
            Map.entry("redeclare.down.after.ms", "5000"),
            Map.entry("handshake.timeout.ms", "10000"),
            Map.entry("log.format", "text"),
            Map.entry("prometheus.host", "0.0.0.0"),
            Map.entry("prometheus.port", "15692")));

    static final List<String> KEYS = List.of("node.id", "data.dir", "amqp.host", "amqp.port", "raft.address",
            "peers", "admin.host", "admin.port", "snapshot.every.entries", "message.bytes.max", "loopback.users",
            "entries.in.flight.max", "partial.entries.in.flight.max",
            "backlog.bytes.max", "node.down.after.ms", "quorum.lost.after.ms", "join", "log.segment.bytes.max",
            "resend.window.ms", "store.segment.bytes.max", "store.cache.bytes.max",
            "snapshot.log.bytes", "snapshot.interval.ms", "memory.high.watermark", "disk.free.limit",
            "consumer.timeout.ms", "liveness.tick.ms", "registration.stuck.after.ms", "redeclare.down.after.ms",
            "handshake.timeout.ms", "log.format", "prometheus.host", "prometheus.port", "amqps.port", "tls.cert", "tls.key", "tls.ca", "tls.versions",
            "tls.ciphers",
            "tls.verify",
            "tls.fail.if.no.peer.cert", "tls.engine", "ssl.cert.login.from", "raft.tls", "admin.tls");

    private static Map<String, String> withTls(Map<String, String> plain) {
        Map<String, String> all = new LinkedHashMap<>(plain);
        all.putAll(TlsConfig.DEFAULTS);
        return Map.copyOf(all);
    }

    public static NodeConfig parse(String[] args) throws ConfigException {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || i + 1 == args.length) {
                throw new ConfigException("expected --name value pairs, got '" + arg + "'");
            }
            flags.put(arg.substring(2).replace('-', '.'), args[++i]);
        }
        String file = flags.remove("config");
        if (file != null) {
            values.putAll(readFile(Path.of(file)));
        }
        values.putAll(flags);
        for (String key : values.keySet()) {
            if (!KEYS.contains(key)) {
                throw new ConfigException("unknown setting '" + key + "' (known: " + String.join(", ", KEYS) + ")");
            }
        }
        return build(values);
    }

    private static Map<String, String> readFile(Path file) throws ConfigException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().sorted().forEach(k -> values.put(k, properties.getProperty(k).trim()));
        return values;
    }

    private static NodeConfig build(Map<String, String> v) throws ConfigException {
        String nodeId = required(v, "node.id");
        if (!nodeId.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new ConfigException("node.id '" + nodeId + "' must be 1-64 letters, digits, '-' or '_'");
        }
        Path dataDir = Path.of(required(v, "data.dir"));
        String raftAddress = required(v, "raft.address");
        int colon = raftAddress.lastIndexOf(':');
        if (colon <= 0) {
            throw new ConfigException("raft.address '" + raftAddress + "' must be host:port");
        }
        int raftPort = port(raftAddress.substring(colon + 1), "raft.address");
        String join = v.get("join");
        if (!join.equals("true") && !join.equals("false")) {
            throw new ConfigException("join '" + join + "' must be true or false");
        }
        if (join.equals("true") && !v.containsKey("peers")) {
            throw new ConfigException("join needs peers: the current members, id=host:port,...");
        }
        List<RaftNode.Peer> peers = peers(v.getOrDefault("peers", nodeId + "=" + raftAddress), nodeId,
                join.equals("true"));
        int bytesMax = (int) number(v, "message.bytes.max", 4096, 64L << 20);
        int amqpPort = v.get("amqp.port").trim().equals("none") ? NO_PORT : port(v.get("amqp.port"), "amqp.port");
        TlsConfig tls = TlsConfig.parse(v, v.get("amqps.port").trim().equals("none") ? NO_PORT
                : port(v.get("amqps.port"), "amqps.port"));
        if (amqpPort == NO_PORT && !tls.listenerEnabled()) {
            throw new ConfigException("amqp.port none leaves no listener: set tls.cert and tls.key for AMQPS");
        }
        String adminHost = adminHost(v.get("admin.host").trim(), tls);
        int inFlight = (int) number(v, "entries.in.flight.max", 1, 1024);
        NodeConfig config = new NodeConfig(nodeId, dataDir, v.get("amqp.host"), amqpPort,
                raftAddress.substring(0, colon), raftPort, peers, adminHost, port(v.get("admin.port"), "admin.port"),
                number(v, "snapshot.every.entries", 16, Long.MAX_VALUE), bytesMax,
                Set.copyOf(List.of(v.get("loopback.users").split(","))),
                inFlight, (int) number(v, "partial.entries.in.flight.max", 1, inFlight),
                number(v, "backlog.bytes.max", 1 << 20, 1L << 40),
                number(v, "node.down.after.ms", 1000, 3_600_000), number(v, "quorum.lost.after.ms", 500, 3_600_000),
                join.equals("true"), number(v, "log.segment.bytes.max", 1 << 20, 1L << 32),
                number(v, "resend.window.ms", 0, 3_600_000),
                number(v, "store.segment.bytes.max", 1 << 20, 1L << 30),
                number(v, "store.cache.bytes.max", 0, 1L << 40),
                number(v, "snapshot.log.bytes", 1 << 20, 1L << 40), number(v, "snapshot.interval.ms", 1000, 86_400_000),
                fraction(v, "memory.high.watermark"), number(v, "disk.free.limit", 0, Long.MAX_VALUE),
                number(v, "consumer.timeout.ms", 1, 315_360_000_000L), number(v, "liveness.tick.ms", 10, 60_000),
                number(v, "registration.stuck.after.ms", 1000, 3_600_000),
                number(v, "redeclare.down.after.ms", 100, 3_600_000), number(v, "handshake.timeout.ms", 100, 3_600_000),
                logFormat(v.get("log.format").trim()), v.get("prometheus.host").trim(),
                v.get("prometheus.port").trim().equals("none") ? NO_PORT
                        : port(v.get("prometheus.port"), "prometheus.port"), tls);
        try {
            config.livenessTiming();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        return config;
    }

    /** The admin API has no login: off loopback only over HTTPS that requires a trusted client certificate. */
    private static String adminHost(String host, TlsConfig tls) throws ConfigException {
        boolean loopback;
        try {
            loopback = InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new ConfigException("admin.host '" + host + "' is not a known address");
        }
        if (!loopback && !(tls.admin() && tls.verification() == ListenerTls.PeerVerification.REQUIRE_PEER_CERT)) {
            throw new ConfigException("admin.host " + host + " is not loopback: the admin API has no login of its own,"
                    + " so off loopback it needs admin.tls true with tls.verify verify_peer and"
                    + " tls.fail.if.no.peer.cert true (a client certificate from tls.ca)");
        }
        return host;
    }

    /** The timings of {@link NodeLiveness}; refuses a tick longer than any of the timeouts it watches. */
    NodeLiveness.Timing livenessTiming() {
        return new NodeLiveness.Timing(nodeDownAfterMs, quorumLostAfterMs, livenessTickMs, registrationStuckAfterMs,
                redeclareDownAfterMs);
    }

    private static List<RaftNode.Peer> peers(String text, String nodeId, boolean join) throws ConfigException {
        List<RaftNode.Peer> peers = new ArrayList<>();
        boolean self = false;
        for (String item : text.split(",")) {
            String[] parts = item.trim().split("=", 2);
            if (parts.length != 2 || parts[0].isEmpty() || !parts[1].contains(":")) {
                throw new ConfigException("peers entry '" + item + "' must be id=host:port");
            }
            self |= parts[0].equals(nodeId);
            peers.add(new RaftNode.Peer(parts[0], parts[1]));
        }
        if (!self && !join) {
            throw new ConfigException("peers '" + text + "' do not include this node '" + nodeId + "'");
        }
        return peers;
    }

    private static String required(Map<String, String> v, String key) throws ConfigException {
        String value = v.get(key);
        if (value == null || value.isBlank()) {
            throw new ConfigException("missing setting " + key + " (flag --" + key.replace('.', '-') + ")");
        }
        return value;
    }

    private static int port(String text, String key) throws ConfigException {
        return (int) parseNumber(text, key, 0, 65535);
    }

    private static double fraction(Map<String, String> v, String key) throws ConfigException {
        String text = v.get(key);
        try {
            double value = Double.parseDouble(text.trim());
            if (value < 0 || value > 1) {
                throw new ConfigException(key + " " + value + " is out of range (expected: 0..1)");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " '" + text + "' is not a number");
        }
    }

    private static String logFormat(String value) throws ConfigException {
        if (!value.equals("text") && !value.equals("json")) {
            throw new ConfigException("log.format '" + value + "' must be text or json");
        }
        return value;
    }

    private static long number(Map<String, String> v, String key, long min, long max) throws ConfigException {
        return parseNumber(v.get(key), key, min, max);
    }

    private static long parseNumber(String text, String key, long min, long max) throws ConfigException {
        try {
            long value = Long.parseLong(text.trim());
            if (value < min || value > max) {
                throw new ConfigException(key + " " + value + " is out of range (expected: " + min + ".." + max + ")");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " '" + text + "' is not a number");
        }
    }
}
