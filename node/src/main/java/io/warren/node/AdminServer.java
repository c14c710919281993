package io.warren.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.warren.amqp.tls.ListenerTls;
import io.warren.node.management.ManagementApi;
import io.warren.proto.Command;
import io.warren.proto.Reply;
import io.warren.raft.core.Commands;
import io.warren.raft.ratis.CommandSubmitter;
import io.warren.raft.ratis.GroupView;
import io.warren.raft.ratis.RaftNode;
import io.warren.raft.ratis.WarrenStateMachine;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API warrenctl talks to: HTTP on loopback, or HTTPS ({@code admin.tls}) with the node's TLS
 * identity, one path per rabbitmqctl command ({@code /list_queues?vhost=/&columns=name,messages}), answers
 * as tab-separated rows with a header line. It has no login of its own: off loopback it needs HTTPS that
 * requires a trusted client certificate (NodeConfig refuses anything less). Requests are not logged, so
 * neither are the passwords add_user and change_password carry.
 * Reads come from this node's applied state; changes go through the log like any command and are
 * answered once applied.
 */
final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    /** How long a membership change is waited for unless the request says (warrenctl -t, as rabbitmqctl's). */
    static final long MEMBERSHIP_TIMEOUT_DEFAULT_SECONDS = 60;
    static final long MEMBERSHIP_TIMEOUT_MAX_SECONDS = 3600;

    private final HttpServer server;
    private final ExecutorService executor;

    private final MessageRateSampler rates;

    private AdminServer(HttpServer server, ExecutorService executor, MessageRateSampler rates) {
        this.server = server;
        this.executor = executor;
        this.rates = rates;
    }

    /**
     * HTTPS for the admin API.
     *
     * @param context the node's key and certificate, and the authorities client certificates must come from
     * @param protocols the TLS versions offered ({@code tls.versions})
     * @param verification whether a client certificate is asked for, and required
     */
    record Https(SSLContext context, List<String> protocols, ListenerTls.PeerVerification verification) {}

    static AdminServer start(String host, int port, Optional<Https> https, WarrenStateMachine stateMachine,
            EffectDispatcher dispatcher, CommandSubmitter submitter, RaftNode raft, NodeLiveness liveness,
            ResourceMonitor resources, HotPathSampler hotPath, java.util.Set<String> loopbackUsers)
            throws ConfigException {
        try {
            InetSocketAddress address = new InetSocketAddress(host, port);
            HttpServer server = https.isPresent() ? httpsServer(address, https.get()) : HttpServer.create(address, 16);
            ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
                Thread thread = new Thread(r, "warren-admin");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(executor);
            MessageRateSampler rates = new MessageRateSampler(stateMachine);
            NodeManagementBackend backend = new NodeManagementBackend(stateMachine, dispatcher, submitter, raft,
                    resources, loopbackUsers, rates.rates());
            AdminCommands commands = new AdminCommands(stateMachine, dispatcher, submitter, raft, liveness, resources,
                    hotPath, new WarrenCtlOperations(backend));
            ConsoleFiles console = ConsoleFiles.load();
            server.createContext("/", exchange -> {
                if (exchange.getRequestURI().getPath().equals("/")) {
                    console.serve(exchange, "index.html");
                } else {
                    handle(exchange, commands);
                }
            });
            server.createContext("/console/", exchange -> console.serve(exchange,
                    exchange.getRequestURI().getPath().substring("/console/".length())));
            ManagementApi api = new ManagementApi(backend);
            server.createContext("/api", exchange -> ManagementHttp.handle(exchange, api));
            server.start();
            rates.start();
            return new AdminServer(server, executor, rates);
        } catch (IOException e) {
            throw new ConfigException("admin port " + host + ":" + port + " cannot be bound: " + e.getMessage(), e);
        }
    }

    private static HttpsServer httpsServer(InetSocketAddress address, Https https) throws IOException {
        HttpsServer server = HttpsServer.create(address, 16);
        server.setHttpsConfigurator(new HttpsConfigurator(https.context()) {
            @Override
            public void configure(HttpsParameters parameters) {
                SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
                ssl.setProtocols(https.protocols().toArray(String[]::new));
                switch (https.verification()) {
                    case NONE -> { }
                    case VERIFY_PEER -> ssl.setWantClientAuth(true);
                    case REQUIRE_PEER_CERT -> ssl.setNeedClientAuth(true);
                }
                parameters.setSSLParameters(ssl);
            }
        });
        return server;
    }

    private static void handle(HttpExchange exchange, AdminCommands commands) throws IOException {
        String command = exchange.getRequestURI().getPath().substring(1);
        Map<String, String> params = parseQuery(exchange.getRequestURI().getRawQuery());
        int status;
        String body;
        Throwable fatal = null;
        try {
            body = commands.run(command, params, requestBody(exchange));
            status = 200;
        } catch (AdminError e) {
            status = e.status;
            body = e.getMessage() + "\n";
        } catch (RuntimeException | Error e) {
            // Answered even for an Error, so that warrenctl does not wait out its timeout; a VM error then goes on.
            log.warn("event=admin_failed command={} error=\"{}\"", command, e.toString());
            status = 500;
            body = "internal error: " + e + "\n";
            fatal = e instanceof VirtualMachineError ? e : null;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/tab-separated-values; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        if (fatal instanceof VirtualMachineError error) {
            throw error;
        }
    }

    /** A POST's body (import_definitions), at most the management API's bound; GET has none. */
    private static byte[] requestBody(HttpExchange exchange) throws IOException {
        try (var in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(ManagementApi.BODY_BYTES_MAX + 1);
            if (body.length > ManagementApi.BODY_BYTES_MAX) {
                throw new AdminError(413, "the request body is over " + ManagementApi.BODY_BYTES_MAX + " bytes");
            }
            return body;
        }
    }

    static Map<String, String> parseQuery(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        rates.close();
    }

    /** An admin request that cannot be served, with its HTTP status. */
    static final class AdminError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        AdminError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** The commands themselves: reads from the state machine, writes through the log. */
    private static final class AdminCommands {
        private final WarrenStateMachine stateMachine;
        private final EffectDispatcher dispatcher;
        private final CommandSubmitter submitter;
        private final RaftNode raft;
        private final NodeLiveness liveness;
        private final ResourceMonitor resources;
        private final HotPathSampler hotPath;
        private final WarrenCtlOperations operations;

        AdminCommands(WarrenStateMachine stateMachine, EffectDispatcher dispatcher, CommandSubmitter submitter,
                RaftNode raft, NodeLiveness liveness, ResourceMonitor resources, HotPathSampler hotPath,
                WarrenCtlOperations operations) {
            this.operations = operations;
            this.hotPath = hotPath;
            this.resources = resources;
            this.stateMachine = stateMachine;
            this.dispatcher = dispatcher;
            this.submitter = submitter;
            this.raft = raft;
            this.liveness = liveness;
        }

        String run(String command, Map<String, String> p, byte[] body) {
            String vhost = p.getOrDefault("vhost", "/");
            return switch (command) {
                case "purge_queue" -> operations.purgeQueue(vhost, required(p, "name"));
                case "delete_queue" -> operations.deleteQueue(vhost, required(p, "name"),
                        p.containsKey("if_unused"), p.containsKey("if_empty"));
                case "export_definitions" -> operations.exportDefinitions();
                case "import_definitions" -> operations.importDefinitions(body);
                case "list_queues" -> AdminTables.queues(stateMachine.query(q -> q.queues(vhost)), p.get("columns"),
                        placement());
                case "list_channels" -> AdminTables.channels(stateMachine.query(q -> q.channels()), p.get("columns"));
                case "close_connection" -> closeConnection(required(p, "name"), p.getOrDefault("reason",
                        "Closed via warrenctl"));
                case "list_consumers" -> AdminTables.consumers(stateMachine.query(q -> q.consumers()), vhost,
                        p.get("columns"));
                case "check_running" -> liveness.isServing() ? "ok\n" : fail("this node is not serving (no contact"
                        + " with a working majority, or its epoch ended)");
                case "check_local_alarms" -> alarms(false);
                case "check_alarms" -> alarms(true);
                case "list_bindings" -> AdminTables.bindings(stateMachine.query(q -> q.bindings(vhost)),
                        p.get("columns"));
                case "list_exchanges" -> AdminTables.exchanges(stateMachine.query(q -> q.exchanges(vhost)),
                        p.get("columns"));
                case "list_connections" -> AdminTables.connections(stateMachine.query(q -> q.connections()),
                        p.get("columns"));
                case "list_users" -> AdminTables.users(stateMachine.query(q -> q.users()), p.get("columns"));
                case "list_vhosts" -> AdminTables.vhosts(stateMachine.query(q -> q.vhosts()), p.get("columns"));
                case "list_permissions" -> AdminTables.permissions(stateMachine.query(q -> q.permissions()), vhost,
                        p.get("columns"));
                case "add_user" -> write(Commands.addUser(required(p, "name"),
                        CoreAuthenticator.saltedHash(required(p, "password"))));
                case "change_password" -> write(Commands.changePassword(required(p, "name"),
                        CoreAuthenticator.saltedHash(required(p, "password"))));
                case "set_user_tags" -> write(Commands.setUserTags(required(p, "name"), tags(p.getOrDefault("tags",
                        ""))));
                case "delete_user" -> write(Commands.deleteUser(required(p, "name")));
                case "add_vhost" -> write(Commands.putVhost(required(p, "name")));
                case "delete_vhost" -> write(Commands.deleteVhost(required(p, "name")));
                case "set_permissions" -> write(Commands.setPermissions(required(p, "user"), vhost,
                        p.getOrDefault("configure", ""), p.getOrDefault("write", ""), p.getOrDefault("read", "")));
                case "clear_permissions" -> write(Commands.clearPermissions(required(p, "user"), vhost));
                case "set_topic_permissions" -> write(Commands.setTopicPermissions(required(p, "user"), vhost,
                        required(p, "exchange"), p.getOrDefault("write", ""), p.getOrDefault("read", "")));
                case "clear_topic_permissions" -> write(Commands.clearTopicPermissions(required(p, "user"), vhost,
                        p.getOrDefault("exchange", "")));
                case "list_topic_permissions" -> AdminTables.topicPermissions(
                        stateMachine.query(q -> q.topicPermissions()), t -> t.vhost().equals(vhost), "user",
                        p.get("columns"));
                case "list_user_topic_permissions" -> AdminTables.topicPermissions(
                        stateMachine.query(q -> q.topicPermissions()), t -> t.user().equals(p.get("user")), "vhost",
                        null);
                case "set_policy", "set_operator_policy" -> write(Commands.setPolicy(vhost, required(p, "name"),
                        required(p, "pattern"), p.getOrDefault("apply_to", "all"),
                        priority(p.getOrDefault("priority", "0")), definition(required(p, "definition")),
                        command.equals("set_operator_policy")));
                case "clear_policy", "clear_operator_policy" -> write(Commands.clearPolicy(vhost, required(p, "name"),
                        command.equals("clear_operator_policy")));
                case "list_policies" -> AdminTables.policies(stateMachine.query(q -> q.policies(vhost, false)),
                        p.get("columns"));
                case "list_operator_policies" -> AdminTables.policies(stateMachine.query(q -> q.policies(vhost, true)),
                        p.get("columns"));
                case "status" -> status();
                case "set_vm_memory_high_watermark" -> {
                    resources.setMemoryHighWatermark(fraction(required(p, "fraction")));
                    yield "";
                }
                case "set_disk_free_limit" -> {
                    resources.setDiskFreeLimit(bytes(required(p, "limit")));
                    yield "";
                }
                case "cluster_status" -> AdminTables.cluster(view(), stateMachine.query(q -> q.nodes()));
                case "add_cluster_node" -> membership(p, ms -> raft.addMember(required(p, "name"),
                        required(p, "address"), ms));
                case "forget_cluster_node" -> membership(p, ms -> raft.removeMember(required(p, "name"), ms));
                case "transfer_leadership" -> membership(p, ms -> raft.transferLeadership(required(p, "name"), ms));
                default -> throw new AdminError(404, "unknown command '" + command + "'");
            };
        }

        private static int priority(String text) {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new AdminError(400, "priority '" + text + "' must be an integer");
            }
        }

        private static io.warren.proto.Table definition(String json) {
            try {
                return PolicyDefinitionJson.parse(json);
            } catch (IllegalArgumentException e) {
                throw new AdminError(400, e.getMessage());
            }
        }

        /** A fraction of the heap, as rabbitmqctl set_vm_memory_high_watermark takes one. */
        private static double fraction(String text) {
            try {
                double value = Double.parseDouble(text);
                if (value >= 0 && value <= 1) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // answered below
            }
            throw new AdminError(400, "fraction '" + text + "' must be a number from 0 to 1");
        }

        /** Bytes, plain or with a unit as rabbitmqctl set_disk_free_limit takes them: 50MB, 2GB, 1GiB. */
        private static long bytes(String text) {
            var match = java.util.regex.Pattern.compile("(\\d+)\\s*(|kB|KB|MB|GB|KiB|MiB|GiB)").matcher(text.trim());
            if (!match.matches()) {
                throw new AdminError(400, "limit '" + text + "' must be bytes, or a number with kB, MB, GB, KiB, MiB"
                        + " or GiB");
            }
            long value = Long.parseLong(match.group(1));
            long unit = switch (match.group(2)) {
                case "kB", "KB" -> 1000L;
                case "MB" -> 1000L * 1000;
                case "GB" -> 1000L * 1000 * 1000;
                case "KiB" -> 1L << 10;
                case "MiB" -> 1L << 20;
                case "GiB" -> 1L << 30;
                default -> 1L;
            };
            return Math.multiplyExact(value, unit);
        }

        /**
         * Who this node is and how it serves, then the publish path over the last 10 s (so a slow run can be
         * explained): entries applied per second, commands and bytes per entry, apply time per entry, send to
         * commit time of this node's entries, store fsyncs per second and their mean time, and what waits in
         * the submitter now.
         */
        private String status() {
            GroupView view = view();
            HotPathRates.Rates rates = hotPath.rates();
            return "node\tepoch\tconnections\trole\tleader\tserving\tentries_per_s\tcommands_per_entry"
                    + "\tbytes_per_entry\tapply_us_per_entry\tcommit_ms\tstore_fsyncs_per_s\tstore_fsync_ms"
                    + "\tsubmit_queue_commands\tsubmit_queue_bytes\tentries_in_flight\tterm"
                    + "\tcommit_index\tlast_index\tmem_used\tmem_limit\tdisk_free\tdisk_free_limit\tfile_descriptors"
                    + "\talarms\n"
                    + dispatcher.node() + "\t" + dispatcher.epoch()
                    + "\t" + dispatcher.connectionCount() + "\t" + view.role().toLowerCase(java.util.Locale.ROOT) + "\t"
                    + (view.leader() == null ? "none" : view.leader()) + "\t" + liveness.isServing()
                    + "\t" + decimal(rates.entriesPerSecond()) + "\t" + decimal(rates.commandsPerEntry())
                    + "\t" + decimal(rates.bytesPerEntry()) + "\t" + decimal(rates.applyMicrosPerEntry())
                    + "\t" + decimal(rates.commitMillisPerEntry()) + "\t" + decimal(rates.fsyncsPerSecond())
                    + "\t" + decimal(rates.fsyncMillis()) + "\t" + hotPath.queuedCommands() + "\t"
                    + hotPath.queuedBytes() + "\t" + hotPath.entriesInFlight() + "\t" + term() + resourceColumns();
        }

        /** The one Raft group's leader, members and online members (not declared down), as list_queues shows. */
        private AdminTables.Placement placement() {
            GroupView view = view();
            var nodes = stateMachine.query(q -> q.nodes());
            List<String> online = view.members().stream().filter(m -> nodes.stream()
                    .noneMatch(n -> n.node().equals(m) && n.down())).toList();
            return new AdminTables.Placement(view.leader() == null ? "" : view.leader(), view.members(), online);
        }

        /** close_connection: the connection's node closes it with 320 and the reason, as rabbitmqctl's. */
        private String closeConnection(String name, String reason) {
            var connection = stateMachine.query(q -> q.connections()).stream().filter(c -> c.name().equals(name))
                    .findFirst().orElseThrow(() -> new AdminError(404, "no connection '" + name + "'"));
            return write(Commands.forceCloseConnection(io.warren.proto.ConnectionRef.newBuilder()
                    .setNode(connection.node()).setEpoch(connection.epoch()).setId(connection.id()).build(), reason));
        }

        /** rabbitmq-diagnostics check_alarms / check_local_alarms: "ok", or 503 naming each alarm. */
        private String alarms(boolean cluster) {
            List<String> raised = new java.util.ArrayList<>();
            for (var n : stateMachine.query(q -> q.nodes())) {
                if (!cluster && !n.node().equals(dispatcher.node())) {
                    continue;
                }
                if (n.memoryAlarm()) {
                    raised.add("memory alarm on " + n.node());
                }
                if (n.diskAlarm()) {
                    raised.add("disk alarm on " + n.node());
                }
            }
            return raised.isEmpty() ? "ok\n" : fail("resource alarms in effect: " + String.join(", ", raised));
        }

        private static String fail(String why) {
            throw new AdminError(503, why);
        }

        /** Raft log figures, memory, disk, file descriptors and this node's alarms, for status. */
        private String resourceColumns() {
            RaftNode.LogFigures log;
            try {
                log = raft.logFigures();
            } catch (IOException e) {
                throw new AdminError(503, "Raft is not running: " + e.getMessage());
            }
            ResourceMonitor.Figures figures = resources.figures();
            var self = stateMachine.query(q -> q.nodes()).stream().filter(n -> n.node().equals(dispatcher.node()))
                    .findFirst();
            List<String> alarms = new java.util.ArrayList<>();
            self.filter(n -> n.memoryAlarm()).ifPresent(n -> alarms.add("memory"));
            self.filter(n -> n.diskAlarm()).ifPresent(n -> alarms.add("disk"));
            return "\t" + log.commitIndex() + "\t" + log.lastIndex() + "\t" + figures.memoryUsed() + "\t"
                    + figures.memoryLimit() + "\t" + figures.diskFree() + "\t" + figures.diskFreeLimit() + "\t"
                    + openFileDescriptors() + "\t[" + String.join(", ", alarms) + "]\n";
        }

        /** Open file descriptors of this process (from /proc; -1 where there is none). */
        private static long openFileDescriptors() {
            try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
                return fds.count();
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        private static String decimal(double value) {
            return String.format(java.util.Locale.ROOT, "%.1f", value);
        }

        private long term() {
            try {
                return raft.currentTerm();
            } catch (IOException e) {
                throw new AdminError(503, "Raft is not running: " + e.getMessage());
            }
        }

        private GroupView view() {
            try {
                return raft.view();
            } catch (IOException e) {
                throw new AdminError(503, "Raft is not running: " + e.getMessage());
            }
        }

        /**
         * Runs a membership change, waited for up to the request's {@code timeout} (seconds). A change that
         * needs members who cannot be reached (a majority of the old and of the new set) is answered with
         * what happened; it is not sent again, but Ratis may still finish what it had started.
         */
        private String membership(Map<String, String> p, RaftNode.MembershipChange change) {
            long timeoutSeconds = timeoutSeconds(p);
            try {
                change.run(timeoutSeconds * 1000);
                return "ok\n";
            } catch (IllegalArgumentException e) {
                throw new AdminError(400, e.getMessage());
            } catch (RaftNode.MembershipTimeoutException e) {
                throw new AdminError(504, "membership change not committed within " + timeoutSeconds + " s: it needs"
                        + " a majority of the old and of the new members (and a newcomer caught up); it may still"
                        + " complete once they are reachable, see cluster_status");
            } catch (IOException e) {
                throw new AdminError(503, "membership change failed: " + e.getMessage());
            }
        }

        private static long timeoutSeconds(Map<String, String> p) {
            String value = p.getOrDefault("timeout", Long.toString(MEMBERSHIP_TIMEOUT_DEFAULT_SECONDS));
            try {
                long seconds = Long.parseLong(value);
                if (seconds >= 1 && seconds <= MEMBERSHIP_TIMEOUT_MAX_SECONDS) {
                    return seconds;
                }
            } catch (NumberFormatException e) {
                // answered below
            }
            throw new AdminError(400, "timeout must be whole seconds from 1 to " + MEMBERSHIP_TIMEOUT_MAX_SECONDS
                    + ", not '" + value + "'");
        }

        private String write(Command.Builder command) {
            Reply answer = CommandCall.send(dispatcher, submitter, command).orElseThrow(() -> new AdminError(503,
                    "not applied within " + CommandCall.TIMEOUT_SECONDS + " s"));
            if (answer.hasRefusal()) {
                int status = answer.getRefusal().getCode() == 404 ? 404 : 400;
                throw new AdminError(status, answer.getRefusal().getText());
            }
            return "ok\n";
        }


        private static List<String> tags(String text) {
            return Arrays.stream(text.split("[ ,]+")).filter(t -> !t.isEmpty()).toList();
        }

        private static String required(Map<String, String> p, String key) {
            String value = p.get(key);
            if (value == null || value.isEmpty()) {
                throw new AdminError(400, "missing parameter '" + key + "'");
            }
            return value;
        }
    }
}
