package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import io.warren.node.management.Json;
import io.warren.node.testing.TestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The management HTTP API as a client sees it: login and user tags, status codes and error bodies, the
 * JSON of queues, vhosts, users and permissions, changes made over HTTP and over AMQP seen from the other
 * side. Tagged reference: the same assertions run against RabbitMQ 3.10 with rabbitmq_management
 * ({@code WARREN_REFERENCE=rabbitmq}), so what is asserted is what RabbitMQ answers.
 */
@Tag("reference")
class ManagementApiClientTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static TestBroker broker;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.startWithManagement("management");
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private record Answer(int status, Object json, HttpResponse<String> response) {
        @SuppressWarnings("unchecked")
        Map<String, Object> object() {
            return (Map<String, Object>) assertInstanceOf(Map.class, json, "a JSON object: " + response.body());
        }

        @SuppressWarnings("unchecked")
        List<Object> list() {
            return (List<Object>) assertInstanceOf(List.class, json, "a JSON list: " + response.body());
        }
    }

    private static Answer call(String method, String path, String user, String password, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + broker.managementPort(1) + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        Object json = response.body().isBlank() ? null : Json.parse(response.body());
        return new Answer(response.statusCode(), json, response);
    }

    private static Answer guest(String method, String path, String body) throws Exception {
        return call(method, path, "guest", "guest", body);
    }

    private static Answer get(String path) throws Exception {
        return guest("GET", path, null);
    }

    private static void assertError(Answer answer, int status) {
        assertEquals(status, answer.status(), answer.response().body());
        Map<String, Object> body = answer.object();
        assertInstanceOf(String.class, body.get("error"), "an error field: " + body);
        assertInstanceOf(String.class, body.get("reason"), "a reason field: " + body);
    }

    @Test
    void whoamiNamesTheUserAndItsTags() throws Exception {
        Map<String, Object> me = get("/api/whoami").object();
        assertEquals("guest", me.get("name"));
        assertEquals(List.of("administrator"), me.get("tags"));
    }

    @Test
    void aRequestWithoutOrWithWrongCredentialsIsRefusedWith401() throws Exception {
        Answer none = call("GET", "/api/overview", null, null, null);
        assertEquals(401, none.status()); // RabbitMQ sends no body here; Warren its usual error object
        assertTrue(none.response().headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"),
                "a basic challenge: " + none.response().headers().map());
        assertError(call("GET", "/api/overview", "guest", "wrong", null), 401);
        assertError(call("GET", "/api/overview", "nobody", "guest", null), 401);
    }

    @Test
    void tagsDecideWhatAUserMaySeeAndDo() throws Exception {
        assertEquals(201, guest("PUT", "/api/users/mgmt-none", "{\"password\":\"p1\",\"tags\":\"\"}").status());
        assertEquals(201, guest("PUT", "/api/users/mgmt-plain", "{\"password\":\"p2\",\"tags\":\"management\"}")
                .status());
        assertEquals(201, guest("PUT", "/api/users/mgmt-monitor", "{\"password\":\"p3\",\"tags\":\"monitoring\"}")
                .status());
        assertError(call("GET", "/api/overview", "mgmt-none", "p1", null), 401);
        assertEquals(200, call("GET", "/api/overview", "mgmt-plain", "p2", null).status());
        assertEquals(List.of(), call("GET", "/api/vhosts", "mgmt-plain", "p2", null).list(),
                "no permissions: no vhost to see");
        assertError(call("GET", "/api/users", "mgmt-plain", "p2", null), 401);
        assertError(call("PUT", "/api/vhosts/mgmt-v", "mgmt-plain", "p2", "{}"), 401);
        assertError(call("GET", "/api/nodes", "mgmt-plain", "p2", null), 401);
        assertEquals(200, call("GET", "/api/nodes", "mgmt-monitor", "p3", null).status());
        assertTrue(call("GET", "/api/vhosts", "mgmt-monitor", "p3", null).list().stream()
                .anyMatch(v -> "/".equals(((Map<?, ?>) v).get("name"))), "monitoring sees every vhost");
        assertEquals(404, get("/api/vhosts/mgmt-v").status(), "the refused PUT made nothing");
    }

    @Test
    void aQueueDeclaredOverAmqpShowsItsTypeMembersAndMessages() throws Exception {
        try (Connection connection = broker.factory(1).newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDeclare("mgmt-q", true, false, false, Map.of("x-queue-type", "quorum"));
            channel.confirmSelect();
            for (int i = 0; i < 3; i++) {
                channel.basicPublish("", "mgmt-q", MessageProperties.PERSISTENT_BASIC, new byte[100]);
            }
            channel.waitForConfirmsOrDie(30_000);
        }
        Map<String, Object> queue = awaitQueue("mgmt-q", q -> Long.valueOf(3).equals(asLong(q.get("messages"))));
        assertEquals("quorum", queue.get("type"));
        assertEquals("/", queue.get("vhost"));
        assertEquals(true, queue.get("durable"));
        assertEquals(3L, asLong(queue.get("messages_ready")));
        assertEquals(0L, asLong(queue.get("messages_unacknowledged")));
        assertEquals(300L, asLong(queue.get("message_bytes")), "bodies' bytes");
        assertEquals(Map.of("x-queue-type", "quorum"), queue.get("arguments"));
        assertInstanceOf(String.class, queue.get("leader"));
        assertEquals(List.of(queue.get("leader")), queue.get("members"));
        assertEquals(queue.get("members"), queue.get("online"));
        assertTrue(get("/api/queues").list().stream().anyMatch(q -> "mgmt-q".equals(((Map<?, ?>) q).get("name"))));
        assertTrue(get("/api/queues/%2F").list().stream().anyMatch(q -> "mgmt-q".equals(((Map<?, ?>) q).get("name"))));
        assertError(get("/api/queues/%2F/mgmt-missing"), 404);
        assertError(get("/api/queues/mgmt-no-such-vhost"), 404);
    }

    @Test
    void messageStatsCountPublishesGetsAndAcksWithTheirRates() throws Exception {
        try (Connection connection = broker.factory(1).newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDeclare("mgmt-rates", true, false, false, Map.of("x-queue-type", "quorum"));
            channel.confirmSelect();
            for (int i = 0; i < 4; i++) {
                channel.basicPublish("", "mgmt-rates", MessageProperties.PERSISTENT_BASIC, new byte[10]);
            }
            channel.waitForConfirmsOrDie(30_000);
            assertNotNull(channel.basicGet("mgmt-rates", true));
            var held = channel.basicGet("mgmt-rates", false);
            channel.basicAck(held.getEnvelope().getDeliveryTag(), false);
        }
        Map<String, Object> queue = awaitQueue("mgmt-rates", q -> q.get("message_stats") instanceof Map<?, ?> m
                && Long.valueOf(4).equals(asLong(m.get("publish"))) && Long.valueOf(1).equals(asLong(m.get("ack"))));
        Map<?, ?> stats = (Map<?, ?>) queue.get("message_stats");
        assertEquals(1L, asLong(stats.get("get_no_ack")));
        assertEquals(1L, asLong(stats.get("get")));
        assertEquals(2L, asLong(stats.get("deliver_get")));
        for (String field : List.of("publish_details", "ack_details", "deliver_get_details")) {
            assertTrue(((Map<?, ?>) stats.get(field)).get("rate") instanceof Number n && n.doubleValue() >= 0,
                    field + ": " + stats);
        }
        Map<?, ?> overall = (Map<?, ?>) get("/api/overview").object().get("message_stats");
        assertTrue(asLong(overall.get("publish")) >= 4, "the broker's publishes: " + overall);
        assertTrue(asLong(overall.get("confirm")) >= 4, "and confirms: " + overall);
        assertInstanceOf(Number.class, ((Map<?, ?>) overall.get("publish_details")).get("rate"));
    }

    private static Map<String, Object> awaitQueue(String name, java.util.function.Predicate<Map<String, Object>> done)
            throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Answer answer;
        do {
            answer = get("/api/queues/%2F/" + name);
            // RabbitMQ's counts come from statistics emitted every 5 s: wait for them, with a deadline.
            if (answer.status() == 200 && done.test(answer.object())) {
                return answer.object();
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("queue " + name + " not as expected within " + DEADLINE + ": "
                + answer.response().body());
    }

    private static Long asLong(Object value) {
        return value instanceof Number n ? n.longValue() : null;
    }

    @Test
    void queuesExchangesAndBindingsAreManagedOverHttp() throws Exception {
        assertEquals(201, guest("PUT", "/api/exchanges/%2F/mgmt-x", "{\"type\":\"direct\",\"durable\":true}")
                .status());
        assertEquals(204, guest("PUT", "/api/exchanges/%2F/mgmt-x", "{\"type\":\"direct\",\"durable\":true}")
                .status(), "already there, the same");
        assertError(guest("PUT", "/api/exchanges/%2F/mgmt-x", "{\"type\":\"fanout\",\"durable\":true}"), 400);
        assertEquals(201, guest("PUT", "/api/exchanges/%2F/mgmt-typeless", "{\"durable\":true}").status());
        assertEquals("direct", get("/api/exchanges/%2F/mgmt-typeless").object().get("type"), "the default type");
        assertEquals(204, guest("DELETE", "/api/exchanges/%2F/mgmt-typeless", null).status());
        assertEquals("direct", get("/api/exchanges/%2F/mgmt-x").object().get("type"));
        String quorum = "{\"durable\":true,\"arguments\":{\"x-queue-type\":\"quorum\"}}";
        assertEquals(201, guest("PUT", "/api/queues/%2F/mgmt-q2", quorum).status());
        assertEquals(204, guest("PUT", "/api/queues/%2F/mgmt-q2", quorum).status());
        assertError(guest("PUT", "/api/queues/%2F/mgmt-q2", "{\"durable\":false}"), 400);
        Answer bound = guest("POST", "/api/bindings/%2F/e/mgmt-x/q/mgmt-q2", "{\"routing_key\":\"k1\"}");
        assertEquals(201, bound.status(), bound.response().body());
        assertTrue(bound.response().headers().firstValue("Location").isPresent(), "where the binding is");
        List<Object> bindings = get("/api/bindings/%2F/e/mgmt-x/q/mgmt-q2").list();
        assertEquals(1, bindings.size(), bindings.toString());
        assertEquals("k1", ((Map<?, ?>) bindings.get(0)).get("routing_key"));
        assertEquals("k1", ((Map<?, ?>) bindings.get(0)).get("properties_key"));
        List<Object> ofQueue = get("/api/queues/%2F/mgmt-q2/bindings").list();
        assertEquals(java.util.Set.of("", "mgmt-x"), ofQueue.stream().map(b -> ((Map<?, ?>) b).get("source"))
                .collect(java.util.stream.Collectors.toSet()), "the default exchange's and mgmt-x's: " + ofQueue);
        List<Object> fromExchange = get("/api/exchanges/%2F/mgmt-x/bindings/source").list();
        assertEquals(List.of("mgmt-q2"), fromExchange.stream().map(b -> ((Map<?, ?>) b).get("destination")).toList());
        assertEquals(List.of(), get("/api/exchanges/%2F/mgmt-x/bindings/destination").list());
        // RabbitMQ 3.10 (probed) lists a missing queue's default binding all the same.
        List<Object> ofMissing = get("/api/queues/%2F/mgmt-missing/bindings").list();
        assertEquals(1, ofMissing.size(), ofMissing.toString());
        assertEquals("mgmt-missing", ((Map<?, ?>) ofMissing.get(0)).get("routing_key"));
        assertEquals(List.of(), get("/api/exchanges/%2F/mgmt-missing/bindings/source").list(), "none, and 200");
        try (Connection connection = broker.factory(1).newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            for (int i = 0; i < 2; i++) {
                channel.basicPublish("mgmt-x", "k1", MessageProperties.PERSISTENT_TEXT_PLAIN,
                        ("hello-" + i).getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(30_000);
        }
        awaitQueue("mgmt-q2", q -> Long.valueOf(2).equals(asLong(q.get("messages"))));
        List<Object> peeked = guest("POST", "/api/queues/%2F/mgmt-q2/get",
                "{\"count\":1,\"ackmode\":\"ack_requeue_true\",\"encoding\":\"auto\"}").list();
        assertEquals(1, peeked.size());
        Map<?, ?> first = (Map<?, ?>) peeked.get(0);
        assertEquals("hello-0", first.get("payload"));
        assertEquals("string", first.get("payload_encoding"));
        assertEquals("mgmt-x", first.get("exchange"));
        assertEquals("k1", first.get("routing_key"));
        assertEquals(false, first.get("redelivered"));
        assertEquals("text/plain", ((Map<?, ?>) first.get("properties")).get("content_type"));
        List<Object> taken = guest("POST", "/api/queues/%2F/mgmt-q2/get",
                "{\"count\":5,\"ackmode\":\"ack_requeue_false\",\"encoding\":\"base64\"}").list();
        assertEquals(2, taken.size(), "both, the first put back");
        assertEquals(true, ((Map<?, ?>) taken.get(0)).get("redelivered"));
        assertEquals("base64", ((Map<?, ?>) taken.get(0)).get("payload_encoding"));
        awaitQueue("mgmt-q2", q -> Long.valueOf(0).equals(asLong(q.get("messages"))));
        assertError(guest("POST", "/api/queues/%2F/mgmt-q2/get", "{\"count\":1,\"ackmode\":\"maybe\"}"), 400);
        try (Connection connection = broker.factory(1).newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish("mgmt-x", "k1", MessageProperties.PERSISTENT_BASIC, new byte[3]);
            channel.waitForConfirmsOrDie(30_000);
        }
        awaitQueue("mgmt-q2", q -> Long.valueOf(1).equals(asLong(q.get("messages"))));
        assertEquals(204, guest("DELETE", "/api/queues/%2F/mgmt-q2/contents", null).status());
        awaitQueue("mgmt-q2", q -> Long.valueOf(0).equals(asLong(q.get("messages"))));
        assertEquals(204, guest("DELETE", "/api/bindings/%2F/e/mgmt-x/q/mgmt-q2/k1", null).status());
        assertEquals(List.of(), get("/api/bindings/%2F/e/mgmt-x/q/mgmt-q2").list());
        assertError(guest("DELETE", "/api/bindings/%2F/e/mgmt-x/q/mgmt-q2/k1", null), 404);
        assertEquals(204, guest("DELETE", "/api/exchanges/%2F/mgmt-x", null).status());
        assertError(get("/api/exchanges/%2F/mgmt-x"), 404);
        assertEquals(204, guest("DELETE", "/api/queues/%2F/mgmt-q2", null).status());
        assertError(get("/api/queues/%2F/mgmt-q2"), 404);
        assertError(guest("DELETE", "/api/queues/%2F/mgmt-q2", null), 404);
    }

    @Test
    void aConnectionClosedOverHttpIsClosedWith320() throws Exception {
        Connection connection = broker.factory(1).newConnection("mgmt-closed-by-operator");
        try {
            java.util.concurrent.CompletableFuture<com.rabbitmq.client.ShutdownSignalException> closed =
                    new java.util.concurrent.CompletableFuture<>();
            connection.addShutdownListener(closed::complete);
            String name = null;
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (name == null && System.nanoTime() < deadline) {
                for (Object c : get("/api/connections").list()) {
                    Map<?, ?> properties = (Map<?, ?>) ((Map<?, ?>) c).get("client_properties");
                    if (properties != null && "mgmt-closed-by-operator".equals(properties.get("connection_name"))) {
                        name = (String) ((Map<?, ?>) c).get("name");
                    }
                }
                if (name == null) {
                    Thread.sleep(200); // RabbitMQ lists a connection once its statistics are emitted
                }
            }
            assertNotNull(name, "the connection is listed with its client-given name");
            String path = "/api/connections/" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8)
                    .replace("+", "%20");
            assertEquals(204, guest("DELETE", path, null).status());
            var signal = closed.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(signal.getMessage().contains("reply-code=320"), signal.getMessage());
            assertTrue(signal.getMessage().contains("Closed via management plugin"), signal.getMessage());
            assertError(guest("DELETE", "/api/connections/no-such-connection", null), 404);
        } finally {
            if (connection.isOpen()) {
                connection.abort();
            }
        }
    }

    @Test
    void definitionsAreExportedAndImported() throws Exception {
        assertEquals(201, guest("PUT", "/api/exchanges/%2F/mgmt-def-x", "{\"type\":\"topic\"}").status());
        assertEquals(201, guest("PUT", "/api/queues/%2F/mgmt-def-q",
                "{\"durable\":true,\"arguments\":{\"x-queue-type\":\"quorum\"}}").status());
        assertEquals(201, guest("POST", "/api/bindings/%2F/e/mgmt-def-x/q/mgmt-def-q", "{\"routing_key\":\"a.#\"}")
                .status());
        Map<String, Object> exported = get("/api/definitions").object();
        assertInstanceOf(String.class, exported.get("rabbitmq_version"));
        assertTrue(names(exported.get("queues")).contains("mgmt-def-q"), exported.toString());
        assertTrue(names(exported.get("exchanges")).contains("mgmt-def-x"));
        assertTrue(!names(exported.get("exchanges")).contains("amq.direct"), "a broker's own exchanges stay out");
        assertTrue(names(exported.get("users")).contains("guest"));
        assertTrue(((List<?>) exported.get("bindings")).stream().anyMatch(b -> "a.#".equals(((Map<?, ?>) b)
                .get("routing_key")) && "mgmt-def-q".equals(((Map<?, ?>) b).get("destination"))));
        String file = "{\"vhosts\":[{\"name\":\"mgmt-def-vh\"}],"
                + "\"users\":[{\"name\":\"mgmt-def-u\",\"password_hash\":\"" + rabbitHash("pw") + "\","
                + "\"hashing_algorithm\":\"rabbit_password_hashing_sha256\",\"tags\":\"management\"}],"
                + "\"permissions\":[{\"user\":\"mgmt-def-u\",\"vhost\":\"mgmt-def-vh\",\"configure\":\".*\","
                + "\"write\":\".*\",\"read\":\".*\"}],"
                + "\"queues\":[{\"name\":\"mgmt-def-q2\",\"vhost\":\"mgmt-def-vh\",\"durable\":true,"
                + "\"auto_delete\":false,\"arguments\":{\"x-queue-type\":\"quorum\"}}],"
                + "\"exchanges\":[{\"name\":\"mgmt-def-x2\",\"vhost\":\"mgmt-def-vh\",\"type\":\"fanout\","
                + "\"durable\":true,\"auto_delete\":false,\"internal\":false,\"arguments\":{}}],"
                + "\"bindings\":[{\"source\":\"mgmt-def-x2\",\"vhost\":\"mgmt-def-vh\",\"destination\":"
                + "\"mgmt-def-q2\",\"destination_type\":\"queue\",\"routing_key\":\"\",\"arguments\":{}}]}";
        Answer imported = guest("POST", "/api/definitions", file);
        assertTrue(imported.status() == 201 || imported.status() == 204, imported.response().body());
        assertEquals("mgmt-def-q2", get("/api/queues/mgmt-def-vh/mgmt-def-q2").object().get("name"));
        assertEquals("fanout", get("/api/exchanges/mgmt-def-vh/mgmt-def-x2").object().get("type"));
        assertEquals(1, get("/api/bindings/mgmt-def-vh/e/mgmt-def-x2/q/mgmt-def-q2").list().size());
        assertEquals(200, call("GET", "/api/whoami", "mgmt-def-u", "pw", null).status(), "the user logs in");
        // RabbitMQ 3.10 crashes on a file of the wrong shape (500); Warren refuses it (docs/compliance.md).
        assertEquals(TestBroker.referenceMode() ? 500 : 400, guest("POST", "/api/definitions", "{\"queues\":7}")
                .status());
        assertError(guest("POST", "/api/definitions", "not json"), 400);
    }

    /** RabbitMQ's password_hash: base64 of a 4-byte salt and SHA-256 of salt and password. */
    private static String rabbitHash(String password) throws Exception {
        byte[] salt = {1, 2, 3, 4};
        var sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update(salt);
        byte[] digest = sha.digest(password.getBytes(StandardCharsets.UTF_8));
        byte[] all = new byte[4 + digest.length];
        System.arraycopy(salt, 0, all, 0, 4);
        System.arraycopy(digest, 0, all, 4, digest.length);
        return Base64.getEncoder().encodeToString(all);
    }

    private static List<Object> names(Object items) {
        return ((List<?>) items).stream().map(i -> ((Map<?, ?>) i).get("name")).map(Object.class::cast).toList();
    }

    @Test
    void aMessagePublishedOverHttpIsRoutedAndConsumedOverAmqp() throws Exception {
        assertEquals(201, guest("PUT", "/api/queues/%2F/mgmt-pub-q", "{\"durable\":true}").status());
        Map<String, Object> routed = guest("POST", "/api/exchanges/%2F/amq.default/publish",
                "{\"routing_key\":\"mgmt-pub-q\",\"payload\":\"hi there\",\"payload_encoding\":\"string\","
                        + "\"properties\":{\"content_type\":\"text/plain\",\"delivery_mode\":2,"
                        + "\"headers\":{\"h\":\"v\"}}}").object();
        assertEquals(Map.of("routed", true), routed);
        assertEquals(Map.of("routed", false), guest("POST", "/api/exchanges/%2F/amq.direct/publish",
                "{\"routing_key\":\"nobody-binds-this\",\"payload\":\"aGk=\",\"payload_encoding\":\"base64\","
                        + "\"properties\":{}}").object());
        assertError(guest("POST", "/api/exchanges/%2F/mgmt-no-such-x/publish",
                "{\"routing_key\":\"k\",\"payload\":\"x\",\"payload_encoding\":\"string\",\"properties\":{}}"),
                400); // RabbitMQ's answer: 400, reason "404 NOT_FOUND - no exchange ..."

        assertError(guest("POST", "/api/exchanges/%2F/amq.direct/publish", "{\"routing_key\":\"k\"}"), 400);
        try (Connection connection = broker.factory(1).newConnection(); Channel channel = connection.createChannel()) {
            com.rabbitmq.client.GetResponse got = null;
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (got == null && System.nanoTime() < deadline) {
                got = channel.basicGet("mgmt-pub-q", true);
            }
            assertNotNull(got, "the message published over HTTP");
            assertEquals("hi there", new String(got.getBody(), StandardCharsets.UTF_8));
            assertEquals("text/plain", got.getProps().getContentType());
            assertEquals(2, got.getProps().getDeliveryMode());
            assertEquals("v", String.valueOf(got.getProps().getHeaders().get("h")));
        }
        assertEquals(204, guest("DELETE", "/api/queues/%2F/mgmt-pub-q", null).status());
    }

    @Test
    void vhostsAreCreatedOnceAndDeleted() throws Exception {
        assertEquals(201, guest("PUT", "/api/vhosts/mgmt-vh", "{}").status());
        assertEquals(204, guest("PUT", "/api/vhosts/mgmt-vh", "{}").status(), "already there");
        assertEquals("mgmt-vh", get("/api/vhosts/mgmt-vh").object().get("name"));
        assertEquals(".*", get("/api/permissions/mgmt-vh/guest").object().get("configure"),
                "whoever creates a vhost over HTTP may use it");
        assertEquals(204, guest("DELETE", "/api/vhosts/mgmt-vh", null).status());
        assertError(get("/api/vhosts/mgmt-vh"), 404);
        assertError(guest("DELETE", "/api/vhosts/mgmt-vh", null), 404);
    }

    @Test
    void usersAndPermissionsAreSetOverHttpAndTheUserLogsInOverAmqp() throws Exception {
        assertEquals(201, guest("PUT", "/api/users/mgmt-app", "{\"password\":\"s3cret\",\"tags\":[\"management\"]}")
                .status());
        Map<String, Object> user = get("/api/users/mgmt-app").object();
        assertEquals("mgmt-app", user.get("name"));
        assertEquals(List.of("management"), user.get("tags"));
        assertNotNull(user.get("password_hash"));
        assertEquals(201, guest("PUT", "/api/permissions/%2F/mgmt-app",
                "{\"configure\":\"^mgmt-app-\",\"write\":\".*\",\"read\":\".*\"}").status());
        Map<String, Object> permission = get("/api/permissions/%2F/mgmt-app").object();
        assertEquals("^mgmt-app-", permission.get("configure"));
        assertEquals("/", permission.get("vhost"));
        assertTrue(get("/api/users/mgmt-app/permissions").list().stream()
                .anyMatch(p -> "/".equals(((Map<?, ?>) p).get("vhost"))));
        var factory = broker.factory(1);
        factory.setUsername("mgmt-app");
        factory.setPassword("s3cret");
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            AMQP.Queue.DeclareOk ok = channel.queueDeclare("mgmt-app-q", false, false, true, null);
            assertEquals("mgmt-app-q", ok.getQueue());
        }
        assertEquals(List.of("/"), call("GET", "/api/vhosts", "mgmt-app", "s3cret", null).list().stream()
                .map(v -> ((Map<?, ?>) v).get("name")).toList(), "a management user sees the vhosts it may use");
        assertEquals(204, guest("DELETE", "/api/permissions/%2F/mgmt-app", null).status());
        assertError(get("/api/permissions/%2F/mgmt-app"), 404);
        assertEquals(204, guest("DELETE", "/api/users/mgmt-app", null).status());
        assertError(get("/api/users/mgmt-app"), 404);
    }

    @Test
    void badJsonAndMissingFieldsAreRefusedWith400AndChangeNothing() throws Exception {
        assertError(guest("PUT", "/api/users/mgmt-bad", "{\"password\":"), 400);
        assertError(get("/api/users/mgmt-bad"), 404);
        assertEquals(201, guest("PUT", "/api/users/mgmt-nopass", "{\"tags\":\"management\"}").status(),
                "a user without a password");
        assertEquals(401, call("GET", "/api/whoami", "mgmt-nopass", "", null).status());
        assertEquals(204, guest("DELETE", "/api/users/mgmt-nopass", null).status());
        assertEquals(201, guest("PUT", "/api/users/mgmt-perm", "{\"password\":\"x\",\"tags\":\"\"}").status());
        assertError(guest("PUT", "/api/permissions/%2F/mgmt-perm", "{\"configure\":\".*\"}"), 400);
        assertError(get("/api/permissions/%2F/mgmt-perm"), 404);
    }

    @Test
    void theAlarmsHealthCheckPassesWithoutAlarms() throws Exception {
        Answer answer = get("/api/health/checks/alarms");
        assertEquals(200, answer.status(), answer.response().body());
        assertEquals("ok", answer.object().get("status"));
        assertEquals("ok", get("/api/health/checks/local-alarms").object().get("status"));
    }

    @Test
    void theAlivenessTestRoundTripsAMessageThroughItsQueue() throws Exception {
        Answer answer = get("/api/aliveness-test/%2F");
        assertEquals(200, answer.status(), answer.response().body());
        assertEquals(Map.of("status", "ok"), answer.object());
        Map<String, Object> queue = get("/api/queues/%2F/aliveness-test").object();
        assertEquals(false, queue.get("durable"), "the queue stays, not durable: " + queue);
        awaitQueue("aliveness-test", q -> Long.valueOf(0).equals(asLong(q.get("messages")))); // taken back
        assertError(get("/api/aliveness-test/mgmt-no-such-vhost"), 404);
        assertEquals(405, guest("POST", "/api/aliveness-test/%2F", "{}").status());
    }

    @Test
    void theOverviewCountsObjectsAndMessages() throws Exception {
        Map<String, Object> overview = get("/api/overview").object();
        assertInstanceOf(String.class, overview.get("rabbitmq_version"));
        assertInstanceOf(String.class, overview.get("node"));
        Map<?, ?> objects = (Map<?, ?>) overview.get("object_totals");
        assertTrue(asLong(objects.get("exchanges")) >= 7, "the default exchanges: " + objects);
        assertNotNull(objects.get("queues"));
        assertNotNull(objects.get("connections"));
        assertTrue(overview.get("queue_totals") instanceof Map, "queue_totals: " + overview);
    }
}
