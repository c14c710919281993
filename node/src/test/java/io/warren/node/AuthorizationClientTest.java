package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.warren.node.testing.ClientPair;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.CtlRun;
import io.warren.node.testing.Refusals;
import io.warren.node.testing.TestBroker;
import io.warren.node.testing.WarrenBroker;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16, point 5, seen by the Java client and the control tool: add_user of an existing user is refused
 * and keeps its password; change_password and set_user_tags of a missing user are refused; the impersonator
 * tag is what lets a user publish with another user_id; topic permissions narrow the routing keys a user
 * publishes and binds with on one topic exchange ({username} put in), and clearing them lifts that; a
 * failed login is logged with the peer and without the password. Runs against RabbitMQ 3.10 in reference
 * mode.
 */
@Tag("reference")
class AuthorizationClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("authorization");

    private static TestBroker broker() {
        return CLIENTS.broker();
    }

    /** A fresh user with every permission on "/" (an earlier run's is deleted first). */
    private static void freshUser(String name, String password) throws Exception {
        broker().ctl(1, "delete_user", name); // absent on a first run: refused, which is fine
        broker().ctl(1, "add_user", name, password).requireSuccess();
        broker().ctl(1, "set_permissions", "-p", "/", name, ".*", ".*", ".*").requireSuccess();
    }

    private static Connection login(int node, String name, String password) throws Exception {
        ConnectionFactory factory = broker().factory(node);
        factory.setUsername(name);
        factory.setPassword(password);
        return factory.newConnection();
    }

    private static String both(CtlRun run) {
        return (run.out() + run.err()).toLowerCase(Locale.ROOT);
    }

    @Test
    void addUserOfAnExistingUserIsRefusedAndKeepsItsPassword() throws Exception {
        freshUser("authz-dup", "first");
        CtlRun again = broker().ctl(1, "add_user", "authz-dup", "second");
        assertNotEquals(0, again.exit(), again.out() + again.err());
        assertTrue(both(again).contains("already") && both(again).contains("exist"), again.out() + again.err());
        login(2, "authz-dup", "first").close();
        assertThrows(AuthenticationFailureException.class, () -> login(2, "authz-dup", "second").close());
    }

    @Test
    void changePasswordAndSetUserTagsOfAMissingUserAreRefusedAndMakeNoUser() throws Exception {
        broker().ctl(1, "delete_user", "authz-missing");
        CtlRun password = broker().ctl(1, "change_password", "authz-missing", "pw");
        assertNotEquals(0, password.exit(), password.out() + password.err());
        CtlRun tags = broker().ctl(1, "set_user_tags", "authz-missing", "monitoring");
        assertNotEquals(0, tags.exit(), tags.out() + tags.err());
        assertTrue(!broker().ctl(1, "list_users").requireSuccess().out().contains("authz-missing"));
    }

    @Test
    void onlyAnImpersonatorPublishesWithAnotherUserId() throws Exception {
        freshUser("authz-svc", "svc");
        broker().ctl(1, "set_user_tags", "authz-svc", "impersonator").requireSuccess();
        AMQP.BasicProperties asBob = new AMQP.BasicProperties.Builder().userId("bob").build();
        try (Connection tagged = login(1, "authz-svc", "svc"); Channel channel = tagged.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish("amq.direct", "authz-nowhere", asBob, bytes("m"));
            channel.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
        }
        broker().ctl(1, "set_user_tags", "authz-svc").requireSuccess();
        try (Connection untagged = login(1, "authz-svc", "svc")) {
            Channel channel = untagged.createChannel();
            Refusals refused = Refusals.of(() -> {
                channel.basicPublish("amq.direct", "authz-nowhere", asBob, bytes("m"));
                channel.queueDeclarePassive("authz-nothing-here");
            });
            assertEquals(406, refused.code(), refused.text());
        }
    }

    @Test
    void topicPermissionsNarrowPublishAndBindKeysOnTheirExchangeUntilCleared() throws Exception {
        freshUser("authz-alice", "alice");
        broker().ctl(1, "set_topic_permissions", "-p", "/", "authz-alice", "amq.topic", "^{username}\\.",
                "^{username}\\.").requireSuccess();
        CtlRun listed = broker().ctl(1, "list_topic_permissions", "-p", "/").requireSuccess();
        assertTrue(listed.out().contains("authz-alice\tamq.topic\t^{username}\\.\t^{username}\\."), listed.out());
        try (Connection alice = login(1, "authz-alice", "alice")) {
            Channel channel = alice.createChannel();
            channel.queueDeclare("authz-topic", false, false, true, null);
            channel.queueBind("authz-topic", "amq.topic", "authz-alice.#");
            channel.exchangeDeclare("authz-other", "topic", false, true, null);
            channel.queueBind("authz-topic", "authz-other", "bob.#");
            channel.confirmSelect();
            channel.basicPublish("amq.topic", "authz-alice.x", null, bytes("own"));
            channel.basicPublish("authz-other", "bob.x", null, bytes("other exchange"));
            channel.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
            assertEquals(2, channel.queueDeclarePassive("authz-topic").getMessageCount());

            Refusals bind = Refusals.of(() -> alice.createChannel().queueBind("authz-topic", "amq.topic", "bob.#"));
            assertEquals(403, bind.code(), bind.text());
            assertEquals("ACCESS_REFUSED - access to topic 'bob.#' in exchange 'amq.topic' in vhost '/' refused for"
                    + " user 'authz-alice'", bind.text());
            Channel publisher = alice.createChannel();
            Refusals publish = Refusals.of(() -> {
                publisher.basicPublish("amq.topic", "bob.x", null, bytes("not hers"));
                publisher.queueDeclarePassive("authz-topic");
            });
            assertEquals(403, publish.code(), publish.text());
            assertEquals(2, alice.createChannel().queueDeclarePassive("authz-topic").getMessageCount(),
                    "the refused publish was not routed");
        }
        broker().ctl(1, "clear_topic_permissions", "-p", "/", "authz-alice", "amq.topic").requireSuccess();
        try (Connection alice = login(2, "authz-alice", "alice"); Channel channel = alice.createChannel()) {
            channel.queueBind("authz-topic", "amq.topic", "bob.#");
            channel.confirmSelect();
            channel.basicPublish("amq.topic", "bob.x", null, bytes("allowed now"));
            channel.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
            assertEquals(3, channel.queueDeclarePassive("authz-topic").getMessageCount());
        }
        assertTrue(!broker().ctl(1, "list_topic_permissions", "-p", "/").requireSuccess().out()
                .contains("authz-alice"));
    }

    @Test
    void badTopicPermissionsAreRefused() throws Exception {
        freshUser("authz-bad", "bad");
        CtlRun pattern = broker().ctl(1, "set_topic_permissions", "-p", "/", "authz-bad", "amq.topic", "(", ".*");
        assertNotEquals(0, pattern.exit(), pattern.out() + pattern.err());
        CtlRun user = broker().ctl(1, "set_topic_permissions", "-p", "/", "authz-nobody", "amq.topic", ".*", ".*");
        assertNotEquals(0, user.exit(), user.out() + user.err());
        CtlRun vhost = broker().ctl(1, "set_topic_permissions", "-p", "authz-no-vhost", "authz-bad", "amq.topic",
                ".*", ".*");
        assertNotEquals(0, vhost.exit(), vhost.out() + vhost.err());
        assertTrue(!broker().ctl(1, "list_topic_permissions", "-p", "/").requireSuccess().out().contains("authz-bad"));
    }

    @Test
    void aFailedLoginIsLoggedWithThePeerAndWithoutThePassword() throws Exception {
        freshUser("authz-logged", "right-password");
        assertThrows(AuthenticationFailureException.class, () -> login(1, "authz-logged", "wrong-pa55word").close());
        if (broker() instanceof WarrenBroker warren) {
            Cluster.await("login_refused in node 1's log", Cluster.WAIT_SECONDS, () -> warren.cluster().node(1)
                    .output().stream().anyMatch(l -> l.contains("event=login_refused") && l.contains("remote=/127.0.0.1:")
                            && l.contains("user=authz-logged")));
            assertTrue(warren.cluster().node(1).output().stream().noneMatch(l -> l.contains("wrong-pa55word")),
                    "the password is in no log line");
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
