package io.warren.node.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.raft.core.Commands;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The management API over a real core, without HTTP: every refusal a client can meet (login, tags, paths,
 * methods, bodies) with RabbitMQ's status and error body, and that a refused request changes nothing; the
 * health checks failing when they should.
 */
class ManagementApiTest {
    private final CoreBackend backend = new CoreBackend();
    private final ManagementApi api = new ManagementApi(backend);

    private ManagementApi.Response call(String method, String path, String user, String password, String body,
            boolean loopback) {
        String authorization = user == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return api.handle(new ManagementApi.Request(method, path, null, authorization,
                body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8), loopback));
    }

    private ManagementApi.Response guest(String method, String path, String body) {
        return call(method, path, "guest", "guest", body, true);
    }

    private static Map<?, ?> json(ManagementApi.Response response) {
        return (Map<?, ?>) Json.parse(response.body());
    }

    private static void assertRefused(ManagementApi.Response response, int status, String reason) {
        assertEquals(status, response.status(), response.body());
        Map<?, ?> body = json(response);
        assertTrue(body.get("error") instanceof String, response.body());
        assertEquals(reason, body.get("reason"), response.body());
    }

    @Test
    void shouldRefuseEveryBadLoginWith401AndABasicChallenge() {
        ManagementApi.Response none = call("GET", "/api/overview", null, null, null, true);
        assertRefused(none, 401, "Login failed");
        assertEquals("Basic realm=\"RabbitMQ Management\"", none.headers().get("WWW-Authenticate"));
        assertRefused(api.handle(new ManagementApi.Request("GET", "/api/overview", null, "Basic %%%", new byte[0],
                true)), 401, "Login failed");
        assertRefused(api.handle(new ManagementApi.Request("GET", "/api/overview", null, "Basic "
                + Base64.getEncoder().encodeToString("no-colon".getBytes(StandardCharsets.UTF_8)), new byte[0],
                true)), 401, "Login failed");
        assertRefused(api.handle(new ManagementApi.Request("GET", "/api/overview", null, "Bearer x", new byte[0],
                true)), 401, "Login failed");
        assertRefused(call("GET", "/api/overview", "guest", "nope", null, true), 401, "Login failed");
        assertRefused(call("GET", "/api/overview", "guest", "guest", null, false), 401,
                "User can only log in via localhost");
        ManagementApi.Response fromConsole = api.handle(new ManagementApi.Request("GET", "/api/whoami", null,
                "Basic " + Base64.getEncoder().encodeToString("guest:nope".getBytes(StandardCharsets.UTF_8)),
                new byte[0], true, null, true));
        assertRefused(fromConsole, 401, "Login failed");
        assertEquals(null, fromConsole.headers().get("WWW-Authenticate"), "a page's script gets no challenge");
    }

    @Test
    void shouldEnforceTagsAsRabbitMqDoes() {
        backend.apply(Commands.addUser("plain", com.google.protobuf.ByteString.copyFromUtf8("p")));
        assertRefused(call("GET", "/api/whoami", "plain", "p", null, false), 401, "Not management user");
        backend.apply(Commands.setUserTags("plain", List.of("management")));
        assertEquals(200, call("GET", "/api/whoami", "plain", "p", null, false).status(), "from anywhere");
        assertRefused(call("GET", "/api/users", "plain", "p", null, false), 401, "Not administrator user");
        assertRefused(call("GET", "/api/nodes", "plain", "p", null, false), 401, "Not monitor user");
        assertRefused(call("GET", "/api/policies", "plain", "p", null, false), 401, "Not policymaker user");
        assertRefused(call("GET", "/api/queues/%2F", "plain", "p", null, false), 401, "Access refused.");
        int before = backend.writes;
        assertRefused(call("PUT", "/api/vhosts/x", "plain", "p", "{}", false), 401, "Not administrator user");
        assertRefused(call("DELETE", "/api/users/guest", "plain", "p", null, false), 401, "Not administrator user");
        assertEquals(before, backend.writes, "a refused change sends nothing");
        backend.apply(Commands.setUserTags("plain", List.of("policymaker")));
        assertEquals(200, call("GET", "/api/policies", "plain", "p", null, false).status());
        backend.apply(Commands.setUserTags("plain", List.of("monitoring")));
        assertEquals(200, call("GET", "/api/nodes", "plain", "p", null, false).status());
        assertEquals(200, call("GET", "/api/queues/%2F", "plain", "p", null, false).status(), "sees every vhost");
    }

    @Test
    void shouldAnswerUnknownPathsWith404AndWrongMethodsWith405() {
        assertRefused(guest("GET", "/api/nothing-here", null), 404, "Not Found");
        assertRefused(guest("GET", "/api", null), 404, "Not Found");
        assertRefused(guest("GET", "/api/queues/%2F/q/extra/more", null), 404, "Not Found");
        assertRefused(guest("GET", "/api/vhosts/no-such-vhost", null), 404, "Not Found");
        assertRefused(guest("GET", "/api/queues/no-such-vhost", null), 404, "Not Found");
        assertRefused(guest("GET", "/api/users/no-such-user", null), 404, "Not Found");
        assertRefused(guest("POST", "/api/overview", "{}"), 405, "Method Not Allowed");
        assertRefused(guest("PATCH", "/api/vhosts/x", "{}"), 405, "Method Not Allowed");
        assertRefused(guest("GET", "/api/queues/%zz", null), 400, "bad percent-encoding in the path");
        assertRefused(guest("GET", "/api/queues/%2", null), 400, "bad percent-encoding in the path");
    }

    @Test
    void shouldDecodePathSegmentsLeavingAPlusAsItIs() {
        assertEquals(List.of("queues", "/", "a+b c"), ManagementApi.segments("/api/queues/%2F/a+b%20c"));
        assertEquals(List.of("vhosts"), ManagementApi.segments("/api/vhosts/"));
        assertEquals("é", ManagementApi.percentDecode("%C3%A9"));
    }

    @Test
    void shouldRefuseBadBodiesWith400AndChangeNothing() {
        int before = backend.writes;
        assertEquals(400, guest("PUT", "/api/users/u", "{\"password\":").status());
        assertEquals(400, guest("PUT", "/api/users/u", "[1,2]").status());
        assertEquals(400, guest("PUT", "/api/users/u", "[".repeat(1000)).status());
        assertEquals(400, guest("PUT", "/api/users/u", "{\"password\":1}").status());
        assertEquals(400, guest("PUT", "/api/users/u", "{\"password\":\"x\",\"tags\":7}").status());
        assertEquals(400, guest("PUT", "/api/users/u", "{\"password_hash\":\"not base64!\"}").status());
        assertEquals(before, backend.writes, "nothing sent");
        assertRefused(guest("GET", "/api/users/u", null), 404, "Not Found");
        assertEquals(201, guest("PUT", "/api/users/u", "{\"password\":\"x\"}").status());
        assertEquals(400, guest("PUT", "/api/permissions/%2F/u", "{\"configure\":\"(\",\"write\":\"\",\"read\":\"\"}")
                .status(), "not a regular expression");
        assertEquals(400, guest("PUT", "/api/permissions/no-vhost/u",
                "{\"configure\":\"\",\"write\":\"\",\"read\":\"\"}").status());
        assertRefused(guest("PUT", "/api/permissions/%2F/nobody", "{\"configure\":\"\",\"write\":\"\",\"read\":\"\"}"),
                404, "Not Found");
        assertRefused(guest("GET", "/api/permissions/%2F/u", null), 404, "Not Found");
    }

    @Test
    void shouldKeepAUsersPasswordWhenAPutGivesOnlyTags() {
        assertEquals(201, guest("PUT", "/api/users/kept", "{\"password\":\"one\",\"tags\":\"management\"}").status());
        assertEquals(204, guest("PUT", "/api/users/kept", "{\"tags\":[\"monitoring\"]}").status());
        assertEquals(200, call("GET", "/api/nodes", "kept", "one", null, false).status(), "same password, new tag");
        assertEquals(204, guest("PUT", "/api/users/kept", "{\"password\":\"two\",\"tags\":\"\"}").status());
        assertRefused(call("GET", "/api/whoami", "kept", "one", null, false), 401, "Login failed");
    }

    @Test
    void shouldFailTheAlarmChecksWhileAnAlarmIsRaised() {
        assertEquals(Map.of("status", "ok"), json(guest("GET", "/api/health/checks/alarms", null)));
        backend.nodes = List.of(new ManagementBackend.NodeStatus("n1", true, false, false, "leader", 1, 1, 0, 1, 2,
                3, 4, 5), new ManagementBackend.NodeStatus("n2", true, false, true, "follower", 1, -1, 0, -1, -1, -1,
                -1, -1));
        ManagementApi.Response failed = guest("GET", "/api/health/checks/alarms", null);
        assertEquals(503, failed.status());
        assertEquals("failed", json(failed).get("status"));
        assertEquals(List.of(Map.of("node", "n2", "resource", "disk")), json(failed).get("alarms"));
        assertEquals(200, guest("GET", "/api/health/checks/local-alarms", null).status(), "n1 has none");
        assertRefused(guest("GET", "/api/health/checks/no-such-check", null), 404, "Not Found");
    }

    @Test
    void shouldCallANodeQuorumCriticalWhenTheOthersOnlineAreNoMajority() {
        assertEquals(200, guest("GET", "/api/health/checks/node-is-quorum-critical", null).status());
        backend.nodes = List.of(CoreBackend.running("n1", "leader"), CoreBackend.running("n2", "follower"),
                new ManagementBackend.NodeStatus("n3", false, false, false, "follower", 1, -1, -1, -1, -1, -1, -1, -1));
        assertEquals(503, guest("GET", "/api/health/checks/node-is-quorum-critical", null).status(),
                "stopping n1 leaves one of three");
    }

    @Test
    void shouldShowAQueueWithItsMessagesAndTheGroupsMembers() {
        var connection = io.warren.proto.ConnectionRef.newBuilder().setNode("n1").setEpoch(backend.epoch)
                .setId(1).build();
        backend.apply(Commands.openConnection(connection, "guest", "/", "test"));
        var channel = io.warren.proto.ChannelRef.newBuilder().setConnection(connection).setId(2).setNumber(1).build();
        backend.apply(Commands.declareQueue("q1", true, false, false).setChannel(channel));
        Map<?, ?> queue = json(guest("GET", "/api/queues/%2F/q1", null));
        assertEquals("q1", queue.get("name"));
        assertEquals("classic", queue.get("type"));
        assertEquals(0L, queue.get("messages"));
        assertEquals("n1", queue.get("leader"));
        assertEquals(List.of("n1", "n2", "n3"), queue.get("members"));
        assertEquals(List.of("n1", "n2", "n3"), queue.get("online"));
        Map<?, ?> overview = json(guest("GET", "/api/overview", null));
        assertEquals(1L, ((Map<?, ?>) overview.get("object_totals")).get("queues"));
        assertEquals(1L, ((Map<?, ?>) overview.get("object_totals")).get("connections"));
        assertEquals(1, ((List<?>) Json.parse(guest("GET", "/api/connections", null).body())).size());
    }

    @Test
    void shouldComputeMessageRatesFromTheLastTwoSamplesAsRabbitMqsBasicMode() {
        var connection = io.warren.proto.ConnectionRef.newBuilder().setNode("n1").setEpoch(backend.epoch)
                .setId(1).build();
        backend.apply(Commands.openConnection(connection, "guest", "/", "test"));
        var channel = io.warren.proto.ChannelRef.newBuilder().setConnection(connection).setId(2).setNumber(1).build();
        backend.apply(Commands.declareQueue("rated", true, false, false).setChannel(channel));
        Map<?, ?> before = (Map<?, ?>) json(guest("GET", "/api/queues/%2F/rated", null)).get("message_stats");
        assertEquals(0.0, rate(before, "publish_details"), "no rate before two samples");

        backend.query(q -> {
            backend.rates.sample(10_000, q);
            return null;
        });
        for (int i = 0; i < 10; i++) {
            backend.send(Commands.publish(io.warren.proto.Publish.newBuilder().setRoutingKey("rated").setSize(1)
                    .setBodySize(1)).setChannel(channel));
        }
        backend.apply(Commands.get("rated", true).setChannel(channel));
        backend.query(q -> {
            backend.rates.sample(15_000, q);
            return null;
        });

        Map<?, ?> queue = json(guest("GET", "/api/queues/%2F/rated", null));
        Map<?, ?> stats = (Map<?, ?>) queue.get("message_stats");
        assertEquals(10L, stats.get("publish"));
        assertEquals(2.0, rate(stats, "publish_details"), "10 in 5 s");
        assertEquals(1L, stats.get("get_no_ack"));
        assertEquals(0.2, rate(stats, "deliver_get_details"));
        assertEquals(1.8, rate(queue, "messages_details"), "9 more in 5 s");
        Map<?, ?> overview = json(guest("GET", "/api/overview", null));
        Map<?, ?> all = (Map<?, ?>) overview.get("message_stats");
        assertEquals(10L, all.get("publish"));
        assertEquals(2.0, rate(all, "publish_details"));
        assertEquals(1.8, rate(((Map<?, ?>) overview.get("queue_totals")), "messages_details"));
    }

    /** The rate of a {@code *_details} field, as a double (the JSON parser keeps decimals as BigDecimal). */
    private static double rate(Map<?, ?> object, String field) {
        return ((Number) ((Map<?, ?>) object.get(field)).get("rate")).doubleValue();
    }
}
