package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.proto.ClearPolicy;
import io.warren.proto.Command;
import io.warren.proto.Reply;
import io.warren.proto.SetPolicy;
import io.warren.proto.SnapshotRecord;
import io.warren.proto.Table;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Policies and operator policies in the core: validation with RabbitMQ 3.10's texts (probed with rabbitmqctl),
 * which policy applies, how policy, operator policy and arguments combine (probed with pika), that a change
 * reaches existing queues at once, and that snapshots keep it all. PolicyClientTest holds the same against
 * RabbitMQ.
 */
class PolicyTest {
    private final CoreDriver driver = new CoreDriver();
    private final CoreDriver.Channel ch = driver.connect().channel();

    private Reply setPolicy(String name, String pattern, String applyTo, int priority, boolean operator,
            Table definition) {
        return driver.call("n1", Command.newBuilder().setSetPolicy(SetPolicy.newBuilder().setVhost("/").setName(name)
                .setPattern(pattern).setApplyTo(applyTo).setPriority(priority).setDefinition(definition)
                .setOperator(operator)));
    }

    private void policy(String name, String pattern, Object... definition) {
        Reply reply = setPolicy(name, pattern, "all", 0, false, table(definition));
        assertTrue(reply.hasDone(), () -> "refused: " + reply);
    }

    private void operatorPolicy(String name, String pattern, Object... definition) {
        Reply reply = setPolicy(name, pattern, "queues", 0, true, table(definition));
        assertTrue(reply.hasDone(), () -> "refused: " + reply);
    }

    private Reply clear(String name, boolean operator) {
        return driver.call("n1", Command.newBuilder().setClearPolicy(ClearPolicy.newBuilder().setVhost("/")
                .setName(name).setOperator(operator)));
    }

    private int messages(String queue) {
        return ch.ok(declareQueuePassive(queue)).getQueueDeclared().getMessageCount();
    }

    /** Publishes {@code count} messages in confirm mode; returns the acks and nacks as "a" and "n". */
    private String publishConfirmed(String queue, int count) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            long sequence = ch.publishConfirmed("", queue, queue + i);
            for (Effect effect : driver.effects) {
                if (effect instanceof Effect.Confirm c && c.sequence() == sequence && c.channel().equals(ch.ref)) {
                    out.append(c.ack() ? "a" : "n");
                }
            }
        }
        return out.toString();
    }

    private void assertInvalid(String text, boolean operator, String pattern, String applyTo, Object... definition) {
        Reply reply = setPolicy("bad", pattern, applyTo, 0, operator, table(definition));
        assertEquals("Validation failed: " + text, reply.getRefusal().getText(), () -> "reply: " + reply);
    }

    @Test
    void aDefinitionIsCheckedWithRabbitMqsTexts() {
        assertInvalid("-1 is not a valid maximum length", false, "^x", "all", "max-length", -1);
        assertInvalid("<<\"ten\">> is not a valid maximum length", false, "^x", "all", "max-length", "ten");
        assertInvalid("1.5 is not a valid maximum length", false, "^x", "all", "max-length", 1.5);
        assertInvalid("[{<<\"a\">>,1},{<<\"b\">>,<<\"x\">>}] are not recognised policy settings", false, "^x", "all",
                "b", "x", "a", 1, "max-length", 1);
        assertInvalid("apply-to 'bogus' unrecognised; should be 'queues', 'exchanges' or 'all'", false, "^x", "bogus",
                "message-ttl", 1);
        assertInvalid("<<\"drop-tail\">> is not a valid overflow value", false, "^x", "all", "overflow", "drop-tail");
        assertInvalid("no policy provided", false, "^x", "all");
        assertInvalid("-1 is not a valid message TTL", false, "^x", "all", "message-ttl", -1);
        assertInvalid("0 is not a valid queue expiry", false, "^x", "all", "expires", 0);
        assertInvalid("-1 is not a valid maximum length in bytes", false, "^x", "all", "max-length-bytes", -1);
        assertInvalid("5 is not a valid dead letter exchange name", false, "^x", "all", "dead-letter-exchange", 5);
        assertInvalid("5 is not a valid dead letter routing key", false, "^x", "all", "dead-letter-routing-key", 5);
        assertInvalid("<<\"x\">> is not a valid delivery limit", false, "^x", "all", "delivery-limit", "x");
        assertInvalid("<<\"bogus\">> is not a valid dead letter strategy", false, "^x", "all",
                "dead-letter-strategy", "bogus");
        assertInvalid("5 is not a valid alternate exchange name", false, "^x", "all", "alternate-exchange", 5);
        assertInvalid("true is not a valid message TTL", false, "^x", "all", "message-ttl", true);
        assertInvalid("[{<<\"overflow\">>,<<\"drop-head\">>}] are not recognised policy settings", true, "^x",
                "queues", "overflow", "drop-head");
        Reply pattern = setPolicy("bad", "(", "all", 0, false, table("message-ttl", 1));
        assertTrue(pattern.getRefusal().getText().startsWith(
                "Validation failed: pattern should be regular expression but is invalid: "), pattern::toString);
        Reply mirroring = setPolicy("bad", "^x", "all", 0, false, table("ha-mode", "all"));
        assertTrue(mirroring.getRefusal().getText().contains("ha-mode: not taken by Warren"), mirroring::toString);
        assertEquals(List.of(), driver.core.queries().policies("/", false), "nothing refused was kept");
    }

    @Test
    void aPolicyReachesExistingQueuesAtOnceAndLaterOnesWhenDeclared() {
        ch.ok(declareWith("pol-old"));
        publishConfirmed("pol-old", 5);
        policy("lim", "^pol-", "max-length", 2);
        assertEquals(2, messages("pol-old"), "drop-head applied to what was there");
        ch.ok(declareWith("pol-new"));
        publishConfirmed("pol-new", 4);
        assertEquals(2, messages("pol-new"));
        ch.ok(declareWith("other"));
        publishConfirmed("other", 4);
        assertEquals(4, messages("other"), "the pattern does not find it");
        assertTrue(clear("lim", false).hasDone());
        publishConfirmed("pol-new", 3);
        assertEquals(5, messages("pol-new"), "no limit once the policy is cleared");
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void argumentsPoliciesAndOperatorPoliciesCombineAsInRabbitMq() {
        policy("lim", "^pol-", "max-length", 5, "overflow", "reject-publish");
        operatorPolicy("op", "^pol-", "max-length", 3);
        ch.ok(declareWith("pol-c"));
        ch.ok(declareWith("pol-q", "x-queue-type", "quorum"));
        ch.ok(declareWith("pol-c-arg", "x-max-length", 2, "x-overflow", "drop-head"));
        ch.ok(declareWith("pol-q-arg", "x-queue-type", "quorum", "x-max-length", 2, "x-overflow", "drop-head"));
        ch.ok(declareWith("pol-c-big", "x-max-length", 10));
        // the figures RabbitMQ 3.10 gave for the same (eight confirmed publishes each)
        assertEquals("aaannnnn", publishConfirmed("pol-c", 8), "the smallest limit, the policy's overflow");
        assertEquals("aaaannnn", publishConfirmed("pol-q", 8), "a quorum queue takes the crossing message");
        assertEquals("aaaaaaaa", publishConfirmed("pol-c-arg", 8), "a classic queue's overflow argument wins");
        assertEquals(2, messages("pol-c-arg"));
        assertEquals("aaannnnn", publishConfirmed("pol-q-arg", 8), "a quorum queue's policy overflow wins");
        assertEquals("aaannnnn", publishConfirmed("pol-c-big", 8), "the operator policy's 3 is below 10");
        var views = driver.core.queries().queues("/");
        var view = views.stream().filter(v -> v.name().equals("pol-c")).findFirst().orElseThrow();
        assertEquals("lim", view.policy());
        assertEquals("op", view.operatorPolicy());
        assertEquals(table("max-length", 3, "overflow", "reject-publish"), view.effectivePolicyDefinition());
    }

    @Test
    void theHighestPriorityAppliesAndATieGoesToTheFirstName() {
        assertTrue(setPolicy("b-low", "^q", "queues", 1, false, table("max-length", 1)).hasDone());
        assertTrue(setPolicy("a-high", "^q", "queues", 2, false, table("max-length", 2)).hasDone());
        ch.ok(declareWith("q"));
        assertEquals("a-high", policyOf("q"));
        assertTrue(setPolicy("a-high", "^q", "queues", 1, false, table("max-length", 2)).hasDone());
        assertEquals("a-high", policyOf("q"), "a tie: the first name");
        assertTrue(setPolicy("c", "^q", "exchanges", 9, false, table("alternate-exchange", "ae")).hasDone());
        assertEquals("a-high", policyOf("q"), "an exchange policy does not apply to queues");
    }

    private String policyOf(String queue) {
        return driver.core.queries().queues("/").stream().filter(v -> v.name().equals(queue)).findFirst()
                .orElseThrow().policy();
    }

    @Test
    void aPolicyDeadLetterExchangeAndTtlWorkAsArgumentsWould() {
        ch.ok(declareWith("dlq"));
        ch.ok(declareWith("pol-ttl"));
        policy("ttl", "^pol-", "message-ttl", 100, "dead-letter-exchange", "", "dead-letter-routing-key", "dlq");
        ch.publish("", "pol-ttl", "m");
        driver.clockMs += 101;
        driver.tick();
        driver.forwardDeadLetters();
        assertEquals(0, messages("pol-ttl"));
        assertEquals(1, messages("dlq"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void anAlternateExchangeByPolicyRoutesWhatNothingElseTakesAndAnArgumentWins() {
        ch.ok(declareExchange("ae", "fanout"));
        ch.ok(declareWith("caught"));
        ch.ok(bind("caught", "ae", ""));
        ch.ok(declareExchange("pol-x", "direct"));
        policy("alt", "^pol-", "alternate-exchange", "ae");
        ch.publish("pol-x", "nowhere", "m");
        assertEquals(1, messages("caught"));
        ch.ok(declareExchange("ae2", "fanout"));
        ch.ok(declareWith("caught2"));
        ch.ok(bind("caught2", "ae2", ""));
        ch.ok(Command.newBuilder().setDeclareExchange(io.warren.proto.DeclareExchange.newBuilder().setName("pol-y")
                .setType("direct").setArguments(table("alternate-exchange", "ae2"))));
        ch.publish("pol-y", "nowhere", "m");
        assertEquals(1, messages("caught"));
        assertEquals(1, messages("caught2"), "the argument wins over the policy");
    }

    @Test
    void clearingAnUnknownPolicyIs404AndAnUnknownVhostToo() {
        Reply missing = clear("nosuch", false);
        assertEquals(ReplyCodes.NOT_FOUND, missing.getRefusal().getCode());
        assertEquals("Parameter does not exist", missing.getRefusal().getText());
        Reply vhost = driver.call("n1", Command.newBuilder().setSetPolicy(SetPolicy.newBuilder().setVhost("nope")
                .setName("p").setPattern(".*").setDefinition(table("max-length", 1))));
        assertEquals(ReplyCodes.NOT_FOUND, vhost.getRefusal().getCode());
        policy("p", "^x", "max-length", 1);
        assertEquals(ReplyCodes.NOT_FOUND, clear("p", true).getRefusal().getCode(), "not an operator policy");
    }

    @Test
    void policiesAndWhatTheyApplySurviveASnapshot() {
        policy("lim", "^pol-", "max-length", 2);
        operatorPolicy("op", "^pol-", "message-ttl", 1000);
        ch.ok(declareWith("pol-a"));
        List<SnapshotRecord> records = new ArrayList<>();
        SnapshotRecords.write(driver.core, records::add);
        driver.core = SnapshotLoader.load(records.iterator());
        assertEquals(List.of("lim"), driver.core.queries().policies("/", false).stream().map(SetPolicy::getName)
                .toList());
        assertEquals("lim", policyOf("pol-a"));
        publishConfirmed("pol-a", 4);
        assertEquals(2, messages("pol-a"), "the loaded queue runs with its policy's limit");
        clear("op", true);
        assertNull(driver.core.queries().queues("/").getFirst().operatorPolicy());
    }
}
