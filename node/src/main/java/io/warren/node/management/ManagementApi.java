package io.warren.node.management;

import io.warren.node.management.ManagementBackend.NodeStatus;
import io.warren.proto.Command;
import io.warren.raft.core.BrokerQueries;
import io.warren.raft.core.Commands;
import io.warren.raft.core.MessageStats;
import io.warren.raft.core.Permission;
import io.warren.raft.core.UserRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * RabbitMQ's management HTTP API (the {@code /api/} paths) over a node: HTTP basic authentication
 * against the replicated users, RabbitMQ's user tags enforced, JSON in and out, RabbitMQ's status codes
 * and {@code {"error", "reason"}} bodies. Pure request to response: the admin server carries the HTTP.
 * Any node answers for the whole cluster, from its applied state.
 *
 * <p>Tags, as RabbitMQ: {@code management} sees the vhosts it has permissions in and its own connections;
 * {@code policymaker} also manages their policies; {@code monitoring} sees every vhost, connection and
 * node; {@code administrator} does everything. A user with none of them is refused (401).
 */
public final class ManagementApi {
    /** The RabbitMQ version whose management API and metrics this one follows. */
    public static final String RABBITMQ_VERSION = "3.10.8";
    /** Warren's own version. */
    public static final String VERSION = "0.1.0";

    /** Bodies above this are refused (413) before they are read whole. */
    public static final int BODY_BYTES_MAX = 16 << 20;

    private final ManagementBackend backend;
    private final ObjectWrites writes;
    private final Definitions definitions;

    public ManagementApi(ManagementBackend backend) {
        this.backend = backend;
        this.writes = new ObjectWrites(backend);
        this.definitions = new Definitions(backend);
    }

    /**
     * One HTTP request.
     *
     * @param rawPath the path as sent, percent-encoded ({@code /api/queues/%2F/q})
     * @param authorization the Authorization header, or null
     * @param fromLoopback whether the client connected from a loopback address
     * @param reason the X-Reason header (why a connection is closed), or null
     * @param fromScript sent by a page's script ({@code X-Requested-With: XMLHttpRequest}, the console): a
     *        refused login is answered without a Basic challenge, which would make the browser hold the
     *        request for a login dialog of its own
     */
    public record Request(String method, String rawPath, String rawQuery, String authorization, byte[] body,
            boolean fromLoopback, String reason, boolean fromScript) {
        /** A request without an X-Reason header, not from a page's script. */
        public Request(String method, String rawPath, String rawQuery, String authorization, byte[] body,
                boolean fromLoopback) {
            this(method, rawPath, rawQuery, authorization, body, fromLoopback, null, false);
        }
    }

    /** One HTTP answer: status, JSON body (empty for 204) and extra headers. */
    public record Response(int status, String body, Map<String, String> headers) {}

    public Response handle(Request request) {
        return respond(request, () -> authenticate(request));
    }

    /**
     * A request warrenctl makes through the node's admin endpoint (loopback only, or client certificates
     * only): no login, an administrator named {@value #NODE_USER}. Over a backend opened with the node's trust
     * ({@code NodeManagementBackend.trusted()}) no permission is checked, as rabbitmqctl needs none.
     */
    public Response handleAsNode(String method, String rawPath, String rawQuery, byte[] body) {
        return respond(new Request(method, rawPath, rawQuery, null, body, true),
                () -> new ApiUser(NODE_USER, List.of("administrator")));
    }

    /** The name warrenctl's requests act under (its connections show it). */
    public static final String NODE_USER = "warrenctl";

    private Response respond(Request request, java.util.function.Supplier<ApiUser> login) {
        try {
            List<String> path = segments(request.rawPath());
            ApiUser user = login.get();
            Object result = route(request.method(), path, user, request);
            if (result == NO_CONTENT) {
                return new Response(204, "", Map.of());
            }
            if (result == CREATED) {
                return new Response(201, "", Map.of());
            }
            return new Response(200, Json.write(result), Map.of());
        } catch (HealthFailure e) {
            return new Response(503, Json.write(e.body), Map.of());
        } catch (Created e) {
            return new Response(201, "", Map.of("Location", "/api/bindings/" + e.location));
        } catch (ApiError e) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", e.error());
            body.put("reason", e.reason());
            Map<String, String> headers = e.status() == 401 && !request.fromScript()
                    ? Map.of("WWW-Authenticate", "Basic realm=\"RabbitMQ Management\"") : Map.of();
            return new Response(e.status(), Json.write(body), headers);
        }
    }

    private static final Object NO_CONTENT = new Object();
    private static final Object CREATED = new Object();

    /** The path's segments after {@code /api}, each percent-decoded ({@code %2F} is the vhost "/"). */
    static List<String> segments(String rawPath) {
        if (!rawPath.equals("/api") && !rawPath.startsWith("/api/")) {
            throw ApiError.notFound();
        }
        List<String> out = new ArrayList<>();
        for (String raw : rawPath.substring(4).split("/", -1)) {
            out.add(percentDecode(raw));
        }
        if (!out.isEmpty() && out.get(0).isEmpty()) {
            out.remove(0);
        }
        if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    /** Percent-decoding of a path segment: unlike a query, '+' stays '+'. */
    static String percentDecode(String raw) {
        try {
            return java.net.URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("bad percent-encoding in the path");
        }
    }

    // --- authentication and tags ---

    /** The logged-in user and its tags. */
    record ApiUser(String name, List<String> tags) {
        boolean administrator() {
            return tags.contains("administrator");
        }

        boolean monitoring() {
            return administrator() || tags.contains("monitoring");
        }

        boolean policymaker() {
            return administrator() || tags.contains("policymaker");
        }

        boolean management() {
            return monitoring() || policymaker() || tags.contains("management");
        }
    }

    private ApiUser authenticate(Request request) {
        String header = request.authorization();
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw ApiError.notAuthorised("Login failed");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.notAuthorised("Login failed");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw ApiError.notAuthorised("Login failed");
        }
        String name = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        Optional<UserRecord> user = backend.query(q -> q.user(name));
        if (user.isEmpty() || !backend.passwordMatches(user.get(), password)) {
            throw ApiError.notAuthorised("Login failed");
        }
        if (backend.loopbackOnly(name) && !request.fromLoopback()) {
            throw ApiError.notAuthorised("User can only log in via localhost");
        }
        ApiUser apiUser = new ApiUser(name, user.get().tags());
        if (!apiUser.management()) {
            throw ApiError.notAuthorised("Not management user");
        }
        return apiUser;
    }

    private static void requireAdministrator(ApiUser user) {
        if (!user.administrator()) {
            throw ApiError.notAuthorised("Not administrator user");
        }
    }

    private static void requireMonitoring(ApiUser user) {
        if (!user.monitoring()) {
            throw ApiError.notAuthorised("Not monitor user");
        }
    }

    /** A vhost this user may see: every vhost for monitoring and administrator, else those it has rights in. */
    private boolean visible(ApiUser user, String vhost) {
        return user.monitoring() || backend.query(q -> q.permission(user.name(), vhost)).isPresent();
    }

    private List<String> visibleVhosts(ApiUser user) {
        return backend.query(BrokerQueries::vhosts).stream().filter(v -> visible(user, v)).sorted().toList();
    }

    /** A named vhost: 404 if unknown, and 401 if the user has no rights in it (as RabbitMQ answers). */
    private String vhost(ApiUser user, String vhost) {
        if (!backend.query(q -> q.vhostExists(vhost))) {
            throw ApiError.notFound();
        }
        if (!visible(user, vhost)) {
            throw ApiError.notAuthorised("Access refused.");
        }
        return vhost;
    }

    // --- routing ---

    private Object route(String method, List<String> path, ApiUser user, Request request) {
        if (path.isEmpty()) {
            throw ApiError.notFound();
        }
        String resource = path.get(0);
        List<String> rest = path.subList(1, path.size());
        return switch (resource) {
            case "overview" -> only(method, "GET", rest.isEmpty(), () -> overview(user));
            case "whoami" -> only(method, "GET", rest.isEmpty(), () -> whoami(user));
            case "nodes" -> only(method, "GET", rest.size() <= 1, () -> nodes(user, rest));
            case "vhosts" -> vhosts(method, rest, user, request);
            case "users" -> users(method, rest, user, request);
            case "permissions" -> permissions(method, rest, user, request);
            case "queues" -> queuesRoute(method, rest, user, request);
            case "exchanges" -> exchangesRoute(method, rest, user, request);
            case "bindings" -> bindingsRoute(method, rest, user, request);
            case "policies" -> rest.size() == 2 && !method.equals("GET") ? policyChange(method, rest, user, request)
                    : only(method, "GET", rest.size() <= 2, () -> policies(user, rest));
            case "definitions" -> definitionsRoute(method, rest, user, request);
            case "connections" -> rest.size() == 1 && method.equals("DELETE") ? closeConnection(user, rest.get(0),
                    request) : only(method, "GET", rest.size() <= 1, () -> connections(user, rest));
            case "channels" -> only(method, "GET", rest.isEmpty(), () -> channels(user));
            case "consumers" -> only(method, "GET", rest.size() <= 1, () -> consumers(user, rest));
            case "health" -> only(method, "GET", rest.size() == 2 && rest.get(0).equals("checks"),
                    () -> health(rest.get(1)));
            case "aliveness-test" -> only(method, "GET", rest.size() == 1, () -> aliveness(user, rest.get(0)));
            default -> throw ApiError.notFound();
        };
    }

    private static Object only(String method, String allowed, boolean pathMatches,
            java.util.function.Supplier<Object> handler) {
        if (!pathMatches) {
            throw ApiError.notFound();
        }
        if (!method.equals(allowed)) {
            throw ApiError.methodNotAllowed();
        }
        return handler.get();
    }

    private Map<String, Object> whoami(ApiUser user) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", user.name());
        out.put("tags", user.tags());
        return out;
    }

    private Map<String, Object> overview(ApiUser user) {
        List<String> vhosts = visibleVhosts(user);
        long ready = 0;
        long unacked = 0;
        int queues = 0;
        int exchanges = 0;
        MessageRates rates = backend.messageRates();
        // A user who sees only some vhosts gets their queues' figures summed (publishes into queues; no
        // confirms or unroutables, which belong to no queue); monitoring sees the whole broker's.
        MessageStats mine = MessageStats.ZERO;
        MessageRates.Figures earlier = MessageRates.Figures.ZERO;
        MessageRates.Figures later = MessageRates.Figures.ZERO;
        long elapsed = 0;
        for (String v : vhosts) {
            for (BrokerQueries.QueueView q : backend.query(b -> b.queues(v))) {
                ready += q.messagesReady();
                unacked += q.messagesUnacknowledged();
                queues++;
                mine = mine.plus(q.messageStats());
                MessageRates.Window w = rates.queue(v, q.name());
                earlier = earlier.plus(w.earlier());
                later = later.plus(w.later());
                elapsed = Math.max(elapsed, w.elapsedMs());
            }
            exchanges += backend.query(b -> b.exchanges(v)).size();
        }
        MessageRates.Window window = user.monitoring() ? rates.overall()
                : new MessageRates.Window(earlier, later, elapsed);
        MessageStats stats = user.monitoring() ? backend.query(BrokerQueries::messageStats) : mine;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("management_version", ApiViews.RABBITMQ_VERSION);
        out.put("rates_mode", "basic");
        out.put("exchange_types", ApiViews.exchangeTypes());
        out.put("product_version", ApiViews.WARREN_VERSION);
        out.put("product_name", "Warren");
        out.put("rabbitmq_version", ApiViews.RABBITMQ_VERSION);
        out.put("cluster_name", "warren");
        out.put("node", backend.nodeName());
        out.put("message_stats", ApiViews.messageStats(stats, window, user.monitoring()));
        Map<String, Object> totals = new LinkedHashMap<>();
        ApiViews.depth(totals, ready, unacked, window);
        out.put("queue_totals", totals);
        Map<String, Object> objects = new LinkedHashMap<>();
        objects.put("channels", channels(user).size());
        objects.put("connections", connectionList(user).size());
        objects.put("consumers", consumers(user, List.of()).size());
        objects.put("exchanges", exchanges);
        objects.put("queues", queues);
        out.put("object_totals", objects);
        return out;
    }

    private Object nodes(ApiUser user, List<String> rest) {
        requireMonitoring(user);
        List<Map<String, Object>> all = backend.nodes().stream().sorted(Comparator.comparing(NodeStatus::name))
                .map(ApiViews::node).toList();
        if (rest.isEmpty()) {
            return all;
        }
        return all.stream().filter(n -> n.get("name").equals(rest.get(0))).findFirst()
                .orElseThrow(ApiError::notFound);
    }

    // --- vhosts, users, permissions ---

    private Object vhosts(String method, List<String> rest, ApiUser user, Request request) {
        if (rest.isEmpty()) {
            return only(method, "GET", true, () -> visibleVhosts(user).stream().map(ApiViews::vhost).toList());
        }
        String name = rest.get(0);
        if (rest.size() == 2 && rest.get(1).equals("permissions")) {
            return only(method, "GET", true, () -> permissionsOf(user, p -> p.vhost().equals(vhost(user, name))));
        }
        if (rest.size() != 1) {
            throw ApiError.notFound();
        }
        return switch (method) {
            case "GET" -> ApiViews.vhost(vhost(user, name));
            case "PUT" -> {
                requireAdministrator(user);
                body(request); // must parse, if given; description and tags are not kept
                boolean existed = backend.query(q -> q.vhostExists(name));
                backend.write(Commands.putVhost(name));
                if (!existed) {
                    // As RabbitMQ's management plugin: whoever creates a vhost may use it.
                    backend.write(Commands.setPermissions(user.name(), name, ".*", ".*", ".*"));
                }
                yield existed ? NO_CONTENT : CREATED;
            }
            case "DELETE" -> {
                requireAdministrator(user);
                if (!backend.query(q -> q.vhostExists(name))) {
                    throw ApiError.notFound();
                }
                backend.write(Commands.deleteVhost(name));
                yield NO_CONTENT;
            }
            default -> throw ApiError.methodNotAllowed();
        };
    }

    private Object users(String method, List<String> rest, ApiUser user, Request request) {
        requireAdministrator(user);
        if (rest.isEmpty()) {
            return only(method, "GET", true, () -> backend.query(BrokerQueries::users).stream()
                    .sorted(Comparator.comparing(UserRecord::name)).map(ApiViews::user).toList());
        }
        String name = rest.get(0);
        if (rest.size() == 2 && rest.get(1).equals("permissions")) {
            return only(method, "GET", true, () -> {
                userRecord(name);
                return permissionsOf(user, p -> p.user().equals(name));
            });
        }
        if (rest.size() != 1) {
            throw ApiError.notFound();
        }
        return switch (method) {
            case "GET" -> ApiViews.user(userRecord(name));
            case "PUT" -> putUser(name, body(request));
            case "DELETE" -> {
                userRecord(name);
                backend.write(Commands.deleteUser(name));
                yield NO_CONTENT;
            }
            default -> throw ApiError.methodNotAllowed();
        };
    }

    private UserRecord userRecord(String name) {
        return backend.query(q -> q.user(name)).orElseThrow(ApiError::notFound);
    }

    /**
     * PUT /api/users/{name}: {@code password} or {@code password_hash} (RabbitMQ's base64 of salt and
     * SHA-256), and {@code tags} (a list, or a comma-separated string). An existing user keeps its password
     * when neither is given; a new one then has none that logs in (certificate logins still work), as in
     * RabbitMQ.
     */
    private Object putUser(String name, Map<String, Object> body) {
        List<String> tags = Definitions.tags(body.getOrDefault("tags", ""));
        Object password = body.get("password");
        Object hash = body.get("password_hash");
        boolean exists = backend.query(q -> q.user(name)).isPresent();
        com.google.protobuf.ByteString passwordHash;
        if (password instanceof String p) {
            passwordHash = backend.hashPassword(p);
        } else if (hash instanceof String h) {
            passwordHash = Definitions.decodeHash(name, h);
        } else if (password != null || hash != null) {
            throw ApiError.badRequest("password and password_hash must be strings");
        } else if (exists) {
            passwordHash = null;
        } else {
            passwordHash = com.google.protobuf.ByteString.EMPTY; // as RabbitMQ: a user no password logs in as
        }
        if (!exists) {
            backend.write(Commands.addUser(name, passwordHash));
        } else if (passwordHash != null) {
            backend.write(Commands.changePassword(name, passwordHash));
        }
        backend.write(Commands.setUserTags(name, tags));
        return exists ? NO_CONTENT : CREATED;
    }

    private Object permissions(String method, List<String> rest, ApiUser user, Request request) {
        requireAdministrator(user);
        if (rest.isEmpty()) {
            return only(method, "GET", true, () -> permissionsOf(user, p -> true));
        }
        if (rest.size() != 2) {
            throw ApiError.notFound();
        }
        String vhost = rest.get(0);
        String name = rest.get(1);
        return switch (method) {
            case "GET" -> backend.query(q -> q.permission(name, vhost)).map(ApiViews::permission)
                    .orElseThrow(ApiError::notFound);
            case "PUT" -> {
                Map<String, Object> body = body(request);
                if (!backend.query(q -> q.vhostExists(vhost))) {
                    throw ApiError.badRequest("vhost_not_found: " + vhost);
                }
                userRecord(name);
                boolean existed = backend.query(q -> q.permission(name, vhost)).isPresent();
                backend.write(Commands.setPermissions(name, vhost, regex(body, "configure"), regex(body, "write"),
                        regex(body, "read")));
                yield existed ? NO_CONTENT : CREATED;
            }
            case "DELETE" -> {
                if (backend.query(q -> q.permission(name, vhost)).isEmpty()) {
                    throw ApiError.notFound();
                }
                backend.write(Commands.clearPermissions(name, vhost));
                yield NO_CONTENT;
            }
            default -> throw ApiError.methodNotAllowed();
        };
    }

    private static String regex(Map<String, Object> body, String key) {
        Object value = body.get(key);
        if (!(value instanceof String s)) {
            throw ApiError.badRequest("Mandatory fields missing: [" + key + "]");
        }
        try {
            java.util.regex.Pattern.compile(s);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw ApiError.badRequest(key + " is not a regular expression: " + e.getDescription());
        }
        return s;
    }

    private List<Map<String, Object>> permissionsOf(ApiUser user, java.util.function.Predicate<Permission> which) {
        return backend.query(BrokerQueries::permissions).stream().filter(which)
                .filter(p -> visible(user, p.vhost()))
                .sorted(Comparator.comparing(Permission::vhost).thenComparing(Permission::user))
                .map(ApiViews::permission).toList();
    }

    // --- queues, exchanges, bindings, policies ---

    private static Object outcome(ObjectWrites.Outcome outcome) {
        return outcome == ObjectWrites.Outcome.CREATED ? CREATED : NO_CONTENT;
    }

    /** /api/queues[/{vhost}[/{name}[/get|/contents]]]. */
    private Object queuesRoute(String method, List<String> rest, ApiUser user, Request request) {
        if (rest.size() <= 1 || (rest.size() == 2 && method.equals("GET"))) {
            return only(method, "GET", true, () -> queues(user, rest));
        }
        String vhost = vhost(user, rest.get(0));
        String name = rest.get(1);
        if (rest.size() == 2) {
            return switch (method) {
                case "PUT" -> outcome(writes.putQueue(user.name(), vhost, name, body(request)));
                case "DELETE" -> {
                    writes.deleteQueue(user.name(), vhost, name, query(request.rawQuery()));
                    yield NO_CONTENT;
                }
                default -> throw ApiError.methodNotAllowed();
            };
        }
        if (rest.size() == 3 && rest.get(2).equals("contents")) {
            return only(method, "DELETE", true, () -> {
                writes.purgeQueue(user.name(), vhost, name);
                return NO_CONTENT;
            });
        }
        if (rest.size() == 3 && rest.get(2).equals("get")) {
            return only(method, "POST", true, () -> writes.get(user.name(), vhost, name, body(request)));
        }
        if (rest.size() == 3 && rest.get(2).equals("bindings")) {
            return only(method, "GET", true, () -> bindingsOf(user, vhost, name, true, b -> b.destination().equals(name)
                    && b.destinationKind().equals("queue")));
        }
        throw ApiError.notFound();
    }

    /**
     * A queue's or exchange's bindings (/api/queues/{v}/{q}/bindings, /api/exchanges/{v}/{x}/bindings/source
     * and /destination). As RabbitMQ 3.10 (probed): an exchange that does not exist has none, and a queue
     * that does not exist still has its default binding.
     */
    private Object bindingsOf(ApiUser user, String vhost, String name, boolean queue,
            java.util.function.Predicate<BrokerQueries.BindingView> which) {
        List<Map<String, Object>> found = perVhost(user, List.of(vhost), q -> v -> q.bindings(v).stream()
                .filter(which).map(ApiViews::binding).toList());
        if (queue && found.stream().noneMatch(b -> "".equals(b.get("source")))) {
            List<Map<String, Object>> withDefault = new ArrayList<>();
            withDefault.add(ApiViews.binding(new BrokerQueries.BindingView(vhost, "", name, "queue", name,
                    io.warren.proto.Table.getDefaultInstance())));
            withDefault.addAll(found);
            return withDefault;
        }
        return found;
    }

    /** /api/exchanges[/{vhost}[/{name}]]. */
    private Object exchangesRoute(String method, List<String> rest, ApiUser user, Request request) {
        if (rest.size() <= 1 || (rest.size() == 2 && method.equals("GET"))) {
            return only(method, "GET", true, () -> exchanges(user, rest));
        }
        if (rest.size() == 3 && rest.get(2).equals("publish")) {
            String vhost = vhost(user, rest.get(0));
            return only(method, "POST", true, () -> writes.publish(user.name(), vhost, rest.get(1), body(request)));
        }
        if (rest.size() == 4 && rest.get(2).equals("bindings")
                && (rest.get(3).equals("source") || rest.get(3).equals("destination"))) {
            String vhost = vhost(user, rest.get(0));
            String name = rest.get(1).equals("amq.default") ? "" : rest.get(1);
            boolean source = rest.get(3).equals("source");
            return only(method, "GET", true, () -> bindingsOf(user, vhost, name, false, b -> source
                    ? b.source().equals(name) : b.destination().equals(name) && b.destinationKind().equals("exchange")));
        }
        if (rest.size() != 2) {
            throw ApiError.notFound();
        }
        String vhost = vhost(user, rest.get(0));
        String name = rest.get(1);
        return switch (method) {
            case "PUT" -> outcome(writes.putExchange(user.name(), vhost, name, body(request)));
            case "DELETE" -> {
                writes.deleteExchange(user.name(), vhost, name, query(request.rawQuery()));
                yield NO_CONTENT;
            }
            default -> throw ApiError.methodNotAllowed();
        };
    }

    /**
     * /api/bindings[/{vhost}[/e/{source}/{q|e}/{destination}[/{props}]]]: list, bind (POST, 201 with a
     * Location of the new binding) and unbind (DELETE).
     */
    private Object bindingsRoute(String method, List<String> rest, ApiUser user, Request request) {
        if (rest.size() <= 1) {
            return only(method, "GET", true, () -> perVhost(user, rest,
                    q -> v -> q.bindings(v).stream().map(ApiViews::binding).toList()));
        }
        if ((rest.size() != 5 && rest.size() != 6) || !rest.get(1).equals("e")
                || !(rest.get(3).equals("q") || rest.get(3).equals("e"))) {
            throw ApiError.notFound();
        }
        String vhost = vhost(user, rest.get(0));
        String source = rest.get(2);
        boolean toQueue = rest.get(3).equals("q");
        String destination = rest.get(4);
        if (rest.size() == 6) {
            return switch (method) {
                case "GET" -> perVhost(user, List.of(vhost), q -> v -> q.bindings(v).stream()
                        .filter(b -> matches(b, source, toQueue, destination)
                                && ApiViews.propertiesKey(b).equals(rest.get(5)))
                        .map(ApiViews::binding).toList()).stream().findFirst().orElseThrow(ApiError::notFound);
                case "DELETE" -> {
                    writes.unbind(user.name(), vhost, source, toQueue, destination, rest.get(5));
                    yield NO_CONTENT;
                }
                default -> throw ApiError.methodNotAllowed();
            };
        }
        return switch (method) {
            case "GET" -> perVhost(user, List.of(vhost), q -> v -> q.bindings(v).stream()
                    .filter(b -> matches(b, source, toQueue, destination)).map(ApiViews::binding).toList());
            case "POST" -> {
                String props = writes.bind(user.name(), vhost, source, toQueue, destination, body(request));
                throw new Created(String.join("/", List.of(percentEncode(vhost), "e", percentEncode(source),
                        toQueue ? "q" : "e", percentEncode(destination), percentEncode(props))));
            }
            default -> throw ApiError.methodNotAllowed();
        };
    }

    private static boolean matches(BrokerQueries.BindingView b, String source, boolean toQueue, String destination) {
        return b.source().equals(source) && b.destination().equals(destination)
                && b.destinationKind().equals(toQueue ? "queue" : "exchange");
    }

    /** A 201 with a Location header (a new binding's URL, relative to /api/bindings/). */
    private static final class Created extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String location;

        Created(String location) {
            super(null, null, false, false);
            this.location = location;
        }
    }

    static String percentEncode(String segment) {
        return java.net.URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The query's parameters, decoded as a form (so '+' is a space there). */
    static Map<String, String> query(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                params.put(java.net.URLDecoder.decode(key, StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("bad percent-encoding in the query");
            }
        }
        return params;
    }

    private Object queues(ApiUser user, List<String> rest) {
        List<NodeStatus> nodes = backend.nodes();
        List<String> members = nodes.stream().map(NodeStatus::name).sorted().toList();
        List<String> online = nodes.stream().filter(NodeStatus::running).map(NodeStatus::name).sorted().toList();
        String leader = nodes.stream().filter(n -> n.raftRole().equals("leader")).map(NodeStatus::name).findFirst()
                .orElse(backend.nodeName());
        MessageRates rates = backend.messageRates();
        Function<BrokerQueries.QueueView, Map<String, Object>> view = q -> ApiViews.queue(q, members, leader, online,
                rates.queue(q.vhost(), q.name()));
        if (rest.size() == 2) {
            String vhost = vhost(user, rest.get(0));
            return backend.query(q -> q.queues(vhost)).stream().filter(q -> q.name().equals(rest.get(1)))
                    .findFirst().map(view).orElseThrow(ApiError::notFound);
        }
        return perVhost(user, rest, q -> v -> q.queues(v).stream().sorted(Comparator.comparing(
                BrokerQueries.QueueView::name)).map(view).toList());
    }

    private Object exchanges(ApiUser user, List<String> rest) {
        if (rest.size() == 2) {
            String vhost = vhost(user, rest.get(0));
            String name = rest.get(1).equals("amq.default") ? "" : rest.get(1); // RabbitMQ's URL name of ""
            return backend.query(q -> q.exchanges(vhost)).stream().filter(x -> x.name().equals(name))
                    .findFirst().map(ApiViews::exchange).orElseThrow(ApiError::notFound);
        }
        return perVhost(user, rest, q -> v -> q.exchanges(v).stream().sorted(Comparator.comparing(
                BrokerQueries.ExchangeView::name)).map(ApiViews::exchange).toList());
    }

    private Object policies(ApiUser user, List<String> rest) {
        if (!user.policymaker() && !user.monitoring()) {
            throw ApiError.notAuthorised("Not policymaker user");
        }
        if (rest.size() == 2) {
            String vhost = vhost(user, rest.get(0));
            return backend.query(q -> q.policies(vhost, false)).stream().filter(p -> p.getName().equals(rest.get(1)))
                    .findFirst().map(ApiViews::policy).orElseThrow(ApiError::notFound);
        }
        return perVhost(user, rest, q -> v -> q.policies(v, false).stream().map(ApiViews::policy).toList());
    }

    /** PUT or DELETE /api/policies/{vhost}/{name}: a policymaker's, in a vhost it has rights in. */
    private Object policyChange(String method, List<String> rest, ApiUser user, Request request) {
        if (!user.policymaker()) {
            throw ApiError.notAuthorised("Not policymaker user");
        }
        String vhost = vhost(user, rest.get(0));
        String name = rest.get(1);
        boolean existed = definitions.policyExists(vhost, name);
        return switch (method) {
            case "PUT" -> {
                definitions.putPolicy(vhost, name, body(request));
                yield existed ? NO_CONTENT : CREATED;
            }
            case "DELETE" -> {
                if (!existed) {
                    throw ApiError.notFound();
                }
                backend.write(Commands.clearPolicy(vhost, name, false));
                yield NO_CONTENT;
            }
            default -> throw ApiError.methodNotAllowed();
        };
    }

    /** /api/definitions[/{vhost}]: GET exports, POST imports; administrators only. */
    private Object definitionsRoute(String method, List<String> rest, ApiUser user, Request request) {
        requireAdministrator(user);
        if (rest.size() > 1) {
            throw ApiError.notFound();
        }
        String vhost = rest.isEmpty() ? null : vhost(user, rest.get(0));
        return switch (method) {
            case "GET" -> definitions.export(vhost);
            case "POST" -> {
                definitions.importAll(user.name(), body(request), vhost);
                yield NO_CONTENT;
            }
            default -> throw ApiError.methodNotAllowed();
        };
    }

    /** The objects of every visible vhost, or of the one named. */
    private List<Map<String, Object>> perVhost(ApiUser user, List<String> rest,
            Function<BrokerQueries, Function<String, List<Map<String, Object>>>> of) {
        List<String> vhosts = rest.isEmpty() ? visibleVhosts(user) : List.of(vhost(user, rest.get(0)));
        return backend.query(q -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (String v : vhosts) {
                out.addAll(of.apply(q).apply(v));
            }
            return out;
        });
    }

    // --- connections, channels, consumers ---

    /** Connections a user sees: all for monitoring, else its own (as RabbitMQ). */
    private boolean seesConnection(ApiUser user, BrokerQueries.ConnectionView c) {
        return user.monitoring() || c.user().equals(user.name());
    }

    private List<Map<String, Object>> connectionList(ApiUser user) {
        return backend.query(BrokerQueries::connections).stream().filter(c -> seesConnection(user, c))
                .map(ApiViews::connection).toList();
    }

    private Object connections(ApiUser user, List<String> rest) {
        List<Map<String, Object>> all = connectionList(user);
        if (rest.isEmpty()) {
            return all;
        }
        return all.stream().filter(c -> c.get("name").equals(rest.get(0))).findFirst()
                .orElseThrow(ApiError::notFound);
    }

    /**
     * DELETE /api/connections/{name}: the connection's node closes it with 320 CONNECTION_FORCED and the
     * reason (the X-Reason header's, else RabbitMQ's "Closed via management plugin"); an administrator may
     * close any, other users their own.
     */
    private Object closeConnection(ApiUser user, String name, Request request) {
        BrokerQueries.ConnectionView connection = backend.query(BrokerQueries::connections).stream()
                .filter(c -> seesConnection(user, c) && ApiViews.connectionName(c).equals(name)).findFirst()
                .orElseThrow(ApiError::notFound);
        if (!user.administrator() && !connection.user().equals(user.name())) {
            throw ApiError.notAuthorised("Not administrator user");
        }
        String reason = request.reason() == null || request.reason().isBlank() ? "Closed via management plugin"
                : request.reason();
        backend.write(Commands.forceCloseConnection(io.warren.proto.ConnectionRef.newBuilder()
                .setNode(connection.node()).setEpoch(connection.epoch()).setId(connection.id()).build(), reason));
        return NO_CONTENT;
    }

    private List<Map<String, Object>> channels(ApiUser user) {
        return backend.query(BrokerQueries::channels).stream().filter(ch -> seesConnection(user, ch.connection()))
                .map(ApiViews::channel).toList();
    }

    private List<Map<String, Object>> consumers(ApiUser user, List<String> rest) {
        String vhost = rest.isEmpty() ? null : vhost(user, rest.get(0));
        return backend.query(BrokerQueries::consumers).stream()
                .filter(c -> vhost == null ? visible(user, c.vhost()) : c.vhost().equals(vhost))
                .filter(c -> seesConnection(user, c.channel().connection()) || visible(user, c.vhost()))
                .map(ApiViews::consumer).toList();
    }

    // --- health checks ---

    /** RabbitMQ's health checks: 200 {@code {"status":"ok"}}, or 503 with what failed. */
    private Object health(String check) {
        List<NodeStatus> nodes = backend.nodes();
        return switch (check) {
            case "alarms" -> alarms(nodes);
            case "local-alarms" -> alarms(nodes.stream().filter(n -> n.name().equals(backend.nodeName())).toList());
            case "node-is-quorum-critical" -> quorumCritical(nodes);
            default -> throw ApiError.notFound();
        };
    }

    private static Object alarms(List<NodeStatus> nodes) {
        List<Map<String, Object>> raised = new ArrayList<>();
        for (NodeStatus n : nodes) {
            if (n.memoryAlarm()) {
                raised.add(Map.of("node", n.name(), "resource", "memory"));
            }
            if (n.diskAlarm()) {
                raised.add(Map.of("node", n.name(), "resource", "disk"));
            }
        }
        if (raised.isEmpty()) {
            return Map.of("status", "ok");
        }
        throw new HealthFailure(Map.of("status", "failed", "reason", "resource alarm(s) in effect in the cluster",
                "alarms", raised));
    }

    /**
     * This node is quorum-critical when stopping it would leave the group without a majority: the members
     * online other than it are not more than half of all members.
     */
    private Object quorumCritical(List<NodeStatus> nodes) {
        long members = nodes.size();
        long othersOnline = nodes.stream().filter(n -> n.running() && !n.name().equals(backend.nodeName())).count();
        if (othersOnline * 2 > members) {
            return Map.of("status", "ok");
        }
        throw new HealthFailure(Map.of("status", "failed", "reason",
                "There are quorum queues that would lose their quorum if the target node is shut down"));
    }

    /**
     * GET /api/aliveness-test/{vhost}, as RabbitMQ: declares the queue "aliveness-test" (kept after),
     * publishes "test_message" to it and gets it back, as the user.
     */
    private Object aliveness(ApiUser user, String vhost) {
        vhost(user, vhost);
        if (!writes.aliveness(user.name(), vhost)) {
            throw new HealthFailure(Map.of("status", "failed", "reason", "aliveness-test queue is empty"));
        }
        return Map.of("status", "ok");
    }

    /** A failed health check: 503 with RabbitMQ's body, not the error shape. */
    private static final class HealthFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final transient Map<String, Object> body;

        HealthFailure(Map<String, Object> body) {
            super(String.valueOf(body.get("reason")), null, false, false);
            this.body = body;
        }
    }

    private static Map<String, Object> body(Request request) {
        if (request.body() == null || request.body().length == 0) {
            return Map.of();
        }
        Object parsed;
        try {
            parsed = Json.parse(new String(request.body(), StandardCharsets.UTF_8));
        } catch (Json.BadJson e) {
            throw new ApiError(400, "bad_request", "Not JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new ApiError(400, "bad_request", "Not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) map;
        return object;
    }
}
