package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.warren.proto.Command;
import io.warren.proto.Reply;
import io.warren.proto.SnapshotRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Users, tags and topic permissions in the core, as rabbitmqctl and RabbitMQ 3.10's channel have them:
 * add_user refuses an existing user, change_password and set_user_tags a missing one; the impersonator tag
 * lets a user publish with any user_id; topic permissions narrow the routing keys of publishes and bindings
 * on one topic exchange, with {username} and {vhost} put into the patterns.
 */
class AuthorizationTest {
    private final CoreDriver driver = new CoreDriver();
    private final CoreDriver.Channel guest = driver.connect().channel();

    private Reply admin(Command.Builder command) {
        return driver.call("n1", command);
    }

    private static ByteString hash(String text) {
        return ByteString.copyFromUtf8(text);
    }

    private UserRecord user(String name) {
        return driver.core.queries().user(name).orElseThrow();
    }

    /** A user with every permission on "/". */
    private CoreDriver.Channel channelOf(String name) {
        admin(addUser(name, hash(name)));
        assertTrue(admin(setPermissions(name, "/", ".*", ".*", ".*")).hasDone());
        return driver.connect("n1", name, "/").channel();
    }

    /** A refusal closes its channel: each check after one needs a new channel. */
    private CoreDriver.Channel another(String name) {
        return driver.connect("n1", name, "/").channel();
    }

    private static Effect.CloseChannel closeOf(List<Effect> effects) {
        return effects.stream().filter(Effect.CloseChannel.class::isInstance).map(Effect.CloseChannel.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError("no channel close in " + effects));
    }

    @Test
    void aTrustedConnectionPurgesAndDeletesWithoutPermissionsAndAClientConnectionCannot() {
        guest.ok(declareQueue("jobs", true, false, false));
        guest.publish("", "jobs", "one");
        admin(addUser("ops", hash("ops")));
        assertEquals(ReplyCodes.NOT_ALLOWED, driver.open("n1", "ops", "/").getRefusal().getCode(),
                "a client connection of a user without permissions");

        CoreDriver.Channel warrenctl = driver.connectTrusted("n1", "ops", "/").channel();
        assertEquals(1, warrenctl.ok(purge("jobs")).getMessageCount().getMessageCount());
        guest.publish("", "jobs", "two");
        assertEquals(1, warrenctl.ok(deleteQueue("jobs", false, false)).getMessageCount().getMessageCount());
        assertTrue(driver.core.queries().queues("/").stream().noneMatch(q -> q.name().equals("jobs")), "deleted");
    }

    @Test
    void addUserRefusesAnExistingUserAndKeepsItsPassword() {
        assertTrue(admin(addUser("alice", hash("one"))).hasDone());
        Reply again = admin(addUser("alice", hash("two")));
        assertEquals(ReplyCodes.PRECONDITION_FAILED, again.getRefusal().getCode());
        assertEquals("user 'alice' already exists", again.getRefusal().getText());
        assertEquals(hash("one"), user("alice").passwordHash());
    }

    @Test
    void changePasswordAndSetUserTagsNeedTheUserAndKeepTheOtherHalf() {
        admin(addUser("alice", hash("one")));
        assertTrue(admin(setUserTags("alice", List.of("impersonator", "monitoring"))).hasDone());
        assertTrue(admin(changePassword("alice", hash("two"))).hasDone());
        assertEquals(new UserRecord("alice", hash("two"), List.of("impersonator", "monitoring")), user("alice"));
        admin(setUserTags("alice", List.of()));
        assertEquals(new UserRecord("alice", hash("two"), List.of()), user("alice"));
        assertEquals(ReplyCodes.NOT_FOUND, admin(changePassword("nobody", hash("x"))).getRefusal().getCode());
        assertEquals(ReplyCodes.NOT_FOUND, admin(setUserTags("nobody", List.of("x"))).getRefusal().getCode());
        assertTrue(driver.core.queries().user("nobody").isEmpty(), "neither made the user");
    }

    @Test
    void theImpersonatorTagLetsAUserPublishWithAnyUserId() {
        CoreDriver.Channel service = channelOf("svc");
        admin(setUserTags("svc", List.of("impersonator")));
        service.ok(declareWith("imp"));
        Command.Builder asBob = publish("", "imp", "m", false, 0);
        asBob.getPublishBuilder().setUserId("bob");
        service.send(asBob.clone());
        assertEquals(1, service.ready("imp"));
        admin(setUserTags("svc", List.of()));
        Effect.CloseChannel close = closeOf(another("svc").send(asBob.clone()));
        assertEquals(ReplyCodes.PRECONDITION_FAILED, close.refusal().getCode());
        assertEquals(1, guest.ready("imp"));
    }

    @Test
    void topicWritePermissionNarrowsPublishedRoutingKeysOnThatExchangeOnly() {
        CoreDriver.Channel alice = channelOf("alice");
        assertTrue(admin(setTopicPermissions("alice", "/", "amq.topic", "^{username}\\.", ".*")).hasDone());
        alice.ok(declareWith("tq"));
        alice.ok(bind("tq", "amq.topic", "#"));
        alice.ok(declareExchange("t2", "topic"));
        alice.ok(bind("tq", "t2", "#"));
        alice.send(publish("amq.topic", "alice.x", "m", false, 0));
        alice.send(publish("t2", "bob.x", "m", false, 0));
        alice.send(publish("amq.direct", "bob.x", "m", false, 0));
        assertEquals(2, alice.ready("tq"), "its own prefix on amq.topic, anything on t2");
        Effect.CloseChannel close = closeOf(alice.send(publish("amq.topic", "bob.x", "m", false, 0)));
        assertEquals(ReplyCodes.ACCESS_REFUSED, close.refusal().getCode());
        assertEquals("access to topic 'bob.x' in exchange 'amq.topic' in vhost '/' refused for user 'alice'",
                close.refusal().getText());
        guest.send(publish("amq.topic", "bob.x", "m", false, 0));
        assertEquals(3, guest.ready("tq"), "another user's publish is not narrowed");
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void topicReadPermissionNarrowsBindingKeysOfQueueAndExchangeBindings() {
        CoreDriver.Channel alice = channelOf("alice");
        admin(setTopicPermissions("alice", "/", "amq.topic", ".*", "^{username}\\."));
        alice.ok(declareWith("rq"));
        alice.ok(bind("rq", "amq.topic", "alice.#"));
        alice.ok(declareExchange("rx", "fanout"));
        alice.ok(bindExchange("rx", "amq.topic", "alice.*"));
        another("alice").refused(ReplyCodes.ACCESS_REFUSED, bind("rq", "amq.topic", "bob.#"));
        another("alice").refused(ReplyCodes.ACCESS_REFUSED, unbind("rq", "amq.topic", "bob.#"));
        another("alice").refused(ReplyCodes.ACCESS_REFUSED, bindExchange("rx", "amq.topic", "bob.#"));
        another("alice").refused(ReplyCodes.ACCESS_REFUSED, bind("no-such-queue", "amq.topic", "bob.#"));
        another("alice").refused(ReplyCodes.NOT_FOUND, bind("no-such-queue", "amq.topic", "alice.#"));
        assertEquals(2, driver.core.queries().bindings("/").stream().filter(b -> b.source().equals("amq.topic"))
                .count());
    }

    @Test
    void anEmptyTopicPatternAllowsOnlyTheEmptyKeyAndVhostIsPutIn() {
        CoreDriver.Channel alice = channelOf("alice");
        admin(setTopicPermissions("alice", "/", "amq.topic", "", "^{vhost}x$"));
        alice.ok(declareWith("eq"));
        alice.ok(bind("eq", "amq.topic", "/x"));
        assertTrue(alice.send(publish("amq.topic", "", "m", false, 0)).stream()
                .noneMatch(Effect.CloseChannel.class::isInstance), "the empty key is allowed");
        another("alice").refused(ReplyCodes.ACCESS_REFUSED, bind("eq", "amq.topic", "x"));
        assertEquals(ReplyCodes.ACCESS_REFUSED,
                closeOf(alice.send(publish("amq.topic", "/x", "m", false, 0))).refusal().getCode());
    }

    @Test
    void clearingTopicPermissionsByExchangeOrAllRestoresFullAccess() {
        CoreDriver.Channel alice = channelOf("alice");
        admin(setTopicPermissions("alice", "/", "amq.topic", "^a$", "^a$"));
        alice.ok(declareExchange("t3", "topic"));
        admin(setTopicPermissions("alice", "/", "t3", "^a$", "^a$"));
        alice.ok(declareWith("cq"));
        assertTrue(admin(clearTopicPermissions("alice", "/", "amq.topic")).hasDone());
        alice.ok(bind("cq", "amq.topic", "b"));
        another("alice").refused(ReplyCodes.ACCESS_REFUSED, bind("cq", "t3", "b"));
        admin(setTopicPermissions("alice", "/", "amq.topic", "^a$", "^a$"));
        assertTrue(admin(clearTopicPermissions("alice", "/", "")).hasDone());
        assertEquals(List.of(), driver.core.queries().topicPermissions());
        alice.ok(bind("cq", "t3", "b"));
    }

    @Test
    void badTopicPermissionsAreRefusedAndChangeNothing() {
        admin(addUser("alice", hash("a")));
        Reply pattern = admin(setTopicPermissions("alice", "/", "amq.topic", "(", ""));
        assertEquals(ReplyCodes.PRECONDITION_FAILED, pattern.getRefusal().getCode());
        assertEquals("invalid regular expression '('", pattern.getRefusal().getText());
        assertEquals(ReplyCodes.NOT_FOUND, admin(setTopicPermissions("bob", "/", "amq.topic", "", ""))
                .getRefusal().getCode());
        assertEquals("no vhost 'nowhere'", admin(setTopicPermissions("alice", "nowhere", "amq.topic", "", ""))
                .getRefusal().getText());
        assertEquals(ReplyCodes.PRECONDITION_FAILED, admin(setTopicPermissions("alice", "/", "", "", ""))
                .getRefusal().getCode());
        assertEquals(ReplyCodes.NOT_FOUND, admin(clearTopicPermissions("bob", "/", "")).getRefusal().getCode());
        assertEquals(List.of(), driver.core.queries().topicPermissions());
    }

    @Test
    void topicPermissionsGoWithTheirUserAndVhostAndSurviveASnapshot() {
        admin(addUser("alice", hash("a")));
        admin(putVhost("v2"));
        admin(setTopicPermissions("alice", "/", "amq.topic", "^a", "^b"));
        admin(setTopicPermissions("alice", "v2", "amq.topic", "^c", "^d"));
        admin(setTopicPermissions("guest", "/", "amq.topic", "^e", "^f"));
        List<SnapshotRecord> records = new ArrayList<>();
        SnapshotRecords.write(driver.core, records::add);
        driver.core = SnapshotLoader.load(records.iterator());
        assertEquals(List.of(new TopicPermission("alice", "/", "amq.topic", "^a", "^b"),
                new TopicPermission("alice", "v2", "amq.topic", "^c", "^d"),
                new TopicPermission("guest", "/", "amq.topic", "^e", "^f")), driver.core.queries().topicPermissions());
        admin(deleteVhost("v2"));
        admin(deleteUser("alice"));
        assertEquals(List.of(new TopicPermission("guest", "/", "amq.topic", "^e", "^f")),
                driver.core.queries().topicPermissions());
    }
}
