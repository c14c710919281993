package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.proto.Reply;
import io.warren.proto.SnapshotRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Dead-lettering in the core: each reason a message dies for moves it to the pending dead letters, the
 * leader's DeadLetter command (made here by the driver, as the node would) puts the copy where the
 * dead-letter exchange routes it and settles the original in the same entry, and whatever goes wrong on the
 * way (a lost effect, a second copy, a missing exchange, a cycle, a snapshot in between) loses nothing and
 * duplicates nothing. DeadLetterClientTest holds the same against RabbitMQ.
 */
class DeadLetterTest {
    private final CoreDriver driver = new CoreDriver();
    private final CoreDriver.Channel ch = driver.connect().channel();

    private int messages(String queue) {
        return ch.ok(declareQueuePassive(queue)).getQueueDeclared().getMessageCount();
    }

    /** A fanout DLX "dlx" into queue "dlq", and source queue "q" with the given extra arguments. */
    private void declareSourceAndDeadLetterQueue(Object... arguments) {
        ch.ok(declareExchange("dlx", "fanout"));
        ch.ok(declareWith("dlq"));
        ch.ok(bind("dlq", "dlx", ""));
        Object[] all = new Object[arguments.length + 2];
        all[0] = "x-dead-letter-exchange";
        all[1] = "dlx";
        System.arraycopy(arguments, 0, all, 2, arguments.length);
        ch.ok(declareWith("q", all));
    }

    private List<Effect.DeadLetter> deadLetterEffects() {
        List<Effect.DeadLetter> found = new ArrayList<>();
        for (Effect effect : driver.effects) {
            if (effect instanceof Effect.DeadLetter dead) {
                found.add(dead);
            }
        }
        return found;
    }

    /** Gets one message from {@code queue} (no-ack) and returns its body and the deaths it carries. */
    private String getBodyAndDeaths(String queue) {
        Reply got = ch.ok(get(queue, true));
        assertTrue(got.hasGotMessage(), () -> "nothing in " + queue);
        long key = got.getGotMessage().getMessageKey();
        return driver.body(key) + " " + driver.deathsOf(key);
    }

    @Test
    void aRejectedMessageGoesToTheDeadLetterExchange() {
        declareSourceAndDeadLetterQueue();
        ch.publish("", "q", "m");
        long tag = ch.ok(get("q", false)).getGotMessage().getDeliveryTag();
        ch.send(reject(tag, false));
        assertEquals(0, messages("q"));
        assertEquals(0, messages("dlq"), "not there before the leader's copy is applied");
        Effect.DeadLetter dead = deadLetterEffects().getFirst();
        assertEquals("rejected", dead.reason());
        assertEquals("q", dead.queue());
        assertEquals("dlx", dead.exchange());
        assertEquals(1, driver.forwardDeadLetters());
        assertEquals(1, messages("dlq"));
        assertEquals("m [q:rejected]", getBodyAndDeaths("dlq"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aNackWithoutRequeueDeadLettersEveryMessageItSettles() {
        declareSourceAndDeadLetterQueue();
        for (String body : List.of("a", "b", "c")) {
            ch.publish("", "q", body);
        }
        ch.ok(consume("q", "c", false));
        long last = ch.deliveries().getLast().deliveryTag();
        ch.send(nack(last, true, false));
        driver.forwardDeadLetters();
        assertEquals(List.of("a [q:rejected]", "b [q:rejected]", "c [q:rejected]"),
                List.of(getBodyAndDeaths("dlq"), getBodyAndDeaths("dlq"), getBodyAndDeaths("dlq")));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void anExpiredMessageGoesWithTheDeadLetterRoutingKey() {
        ch.ok(declareWith("dlq"));
        ch.ok(declareWith("q", "x-message-ttl", 100, "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "dlq"));
        ch.publish("", "q", "m");
        driver.clockMs += 101;
        driver.tick();
        driver.forwardDeadLetters();
        assertEquals(0, messages("q"));
        assertEquals("m [q:expired]", getBodyAndDeaths("dlq"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void dropHeadDeadLettersTheOldestAsMaxlen() {
        declareSourceAndDeadLetterQueue("x-max-length", 1);
        ch.publish("", "q", "old");
        ch.publish("", "q", "new");
        driver.forwardDeadLetters();
        assertEquals("old [q:maxlen]", getBodyAndDeaths("dlq"));
        assertEquals("new []", getBodyAndDeaths("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aMessagePastItsDeliveryLimitDeadLettersAsDeliveryLimit() {
        declareSourceAndDeadLetterQueue("x-queue-type", "quorum", "x-delivery-limit", 1);
        ch.publish("", "q", "m");
        for (int i = 0; i < 2; i++) {
            ch.send(nack(ch.ok(get("q", false)).getGotMessage().getDeliveryTag(), false, true));
        }
        assertEquals(0, messages("q"));
        driver.forwardDeadLetters();
        assertEquals("m [q:delivery_limit]", getBodyAndDeaths("dlq"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aClassicRejectPublishDlxQueueNacksThePublisherAndDeadLettersTheMessage() {
        declareSourceAndDeadLetterQueue("x-max-length", 1, "x-overflow", "reject-publish-dlx");
        ch.publishConfirmed("", "q", "kept");
        ch.publishConfirmed("", "q", "refused");
        List<Boolean> confirms = driver.effects.stream().filter(e -> e instanceof Effect.Confirm)
                .map(e -> ((Effect.Confirm) e).ack()).toList();
        assertEquals(List.of(true, false), confirms);
        driver.forwardDeadLetters();
        assertEquals("refused [q:maxlen]", getBodyAndDeaths("dlq"));
        assertEquals(1, messages("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aMissingDeadLetterExchangeDropsTheMessage() {
        ch.ok(declareWith("q", "x-dead-letter-exchange", "nowhere"));
        ch.publish("", "q", "m");
        ch.send(reject(ch.ok(get("q", false)).getGotMessage().getDeliveryTag(), false));
        driver.forwardDeadLetters();
        assertEquals(0, messages("q"));
        driver.checkNoStoredMessageLeaks();
        assertEquals(0, driver.core.liveMessageKeys().length, "neither the original nor the copy is held");
    }

    @Test
    void purgeAndDeleteDoNotDeadLetter() {
        declareSourceAndDeadLetterQueue();
        ch.publish("", "q", "purged");
        ch.ok(purge("q"));
        ch.publish("", "q", "deleted");
        ch.ok(deleteQueue("q", false, false));
        assertEquals(0, driver.forwardDeadLetters());
        assertEquals(0, messages("dlq"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aQueueExpiringIntoItselfDropsTheMessageAsACycle() {
        ch.ok(declareWith("q", "x-message-ttl", 10, "x-dead-letter-exchange", ""));
        ch.publish("", "q", "m");
        driver.clockMs += 11;
        driver.tick();
        assertEquals(1, driver.forwardDeadLetters());
        assertEquals(0, messages("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aRejectionBackIntoTheSameQueueIsNotACycle() {
        ch.ok(declareWith("q", "x-dead-letter-exchange", ""));
        ch.publish("", "q", "m");
        for (int round = 1; round <= 2; round++) {
            ch.send(reject(ch.ok(get("q", false)).getGotMessage().getDeliveryTag(), false));
            driver.forwardDeadLetters();
        }
        assertEquals("m [q:rejected]", getBodyAndDeaths("q"), "one entry, counted twice");
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void twoQueuesExpiringIntoEachOtherEndTheCycleAtTheFirstRepeat() {
        ch.ok(declareWith("a", "x-message-ttl", 10, "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "b"));
        ch.ok(declareWith("b", "x-message-ttl", 10, "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "a"));
        ch.publish("", "a", "m");
        for (int round = 0; round < 3; round++) {
            driver.clockMs += 11;
            driver.tick();
            driver.forwardDeadLetters();
        }
        assertEquals(0, messages("a") + messages("b"));
        assertEquals(2, deadLetterEffects().size(), "a to b, then b to a is the cycle");
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aSecondCopyOfTheSameDeadLetterChangesNothing() {
        declareSourceAndDeadLetterQueue();
        ch.publish("", "q", "m");
        ch.send(reject(ch.ok(get("q", false)).getGotMessage().getDeliveryTag(), false));
        Effect.DeadLetter dead = deadLetterEffects().getFirst();
        driver.submit("n1", driver.deadLetterCommand(dead).build());
        driver.submit("n1", driver.deadLetterCommand(dead).build()); // an old leader's, or a retry's
        assertEquals(1, messages("dlq"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aLostRequestIsMadeAgainAfterItsDeadline() {
        declareSourceAndDeadLetterQueue();
        ch.publish("", "q", "m");
        ch.send(reject(ch.ok(get("q", false)).getGotMessage().getDeliveryTag(), false));
        assertEquals(1, deadLetterEffects().size());
        driver.clockMs += DeadLetters.RETRY_AFTER_MS - 1;
        driver.tick();
        assertEquals(1, deadLetterEffects().size(), "not before the deadline");
        assertTrue(driver.core.earliestExpiryMs() <= driver.clockMs + 1, "the leader is told when to tick");
        driver.clockMs += 2;
        driver.tick();
        List<Effect.DeadLetter> asked = deadLetterEffects();
        assertEquals(2, asked.size());
        assertEquals(asked.get(0).id(), asked.get(1).id());
        driver.submit("n1", driver.deadLetterCommand(asked.get(1)).build());
        assertEquals(1, messages("dlq"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void atMostTheWindowIsAskedForAtOnceAndTheRestFollowInOrder() {
        declareSourceAndDeadLetterQueue();
        int count = DeadLetters.IN_FLIGHT_MAX + 10;
        for (int i = 0; i < count; i++) {
            ch.publish("", "q", "m" + i);
        }
        ch.ok(consume("q", "c", false));
        ch.send(nack(ch.deliveries().getLast().deliveryTag(), true, false));
        assertEquals(DeadLetters.IN_FLIGHT_MAX, deadLetterEffects().size());
        driver.forwardDeadLetters();
        assertEquals(count, deadLetterEffects().size());
        assertEquals(count, messages("dlq"));
        assertEquals("m0 [q:rejected]", getBodyAndDeaths("dlq"), "in the order they died");
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void atLeastOnceKeepsAMessageUntilItsExchangeRoutesIt() {
        ch.ok(declareWith("q", "x-queue-type", "quorum", "x-dead-letter-exchange", "later",
                "x-dead-letter-strategy", "at-least-once", "x-overflow", "reject-publish"));
        ch.publish("", "q", "m");
        ch.send(reject(ch.ok(get("q", false)).getGotMessage().getDeliveryTag(), false));
        driver.forwardDeadLetters();
        assertEquals(0, messages("q"), "not counted in its source, as RabbitMQ's");
        assertEquals(1, driver.core.liveMessageKeys().length, "but held");
        ch.ok(declareExchange("later", "fanout"));
        ch.ok(declareWith("dlq"));
        driver.forwardDeadLetters();
        assertEquals(0, messages("dlq"), "an exchange with no binding routes nowhere: kept");
        ch.ok(bind("dlq", "later", ""));
        driver.clockMs += DeadLetters.RETRY_AFTER_MS + 1;
        driver.tick();
        driver.forwardDeadLetters();
        assertEquals("m [q:rejected]", getBodyAndDeaths("dlq"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void atLeastOnceWaitsWhileATargetRefusesAndEntersNoneUntilAllTake() {
        ch.ok(declareExchange("dlx", "fanout"));
        ch.ok(declareWith("full", "x-queue-type", "quorum", "x-max-length", 1, "x-overflow", "reject-publish"));
        ch.ok(declareWith("open"));
        ch.ok(bind("full", "dlx", ""));
        ch.ok(bind("open", "dlx", ""));
        ch.publish("", "full", "filler");
        ch.publish("", "full", "past the limit: a quorum queue refuses from now on");
        ch.ok(declareWith("q", "x-queue-type", "quorum", "x-dead-letter-exchange", "dlx",
                "x-dead-letter-strategy", "at-least-once", "x-overflow", "reject-publish"));
        ch.publish("", "q", "m");
        ch.send(reject(ch.ok(get("q", false)).getGotMessage().getDeliveryTag(), false));
        driver.forwardDeadLetters();
        assertEquals(0, messages("open"), "not in one target without the other");
        ch.ok(get("full", true));
        ch.ok(get("full", true)); // back under its soft limit
        driver.clockMs += DeadLetters.RETRY_AFTER_MS + 1;
        driver.tick();
        driver.forwardDeadLetters();
        assertEquals(1, messages("open"));
        assertEquals(1, messages("full"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void withoutRejectPublishAtLeastOnceActsAsAtMostOnce() {
        ch.ok(declareWith("q", "x-queue-type", "quorum", "x-dead-letter-exchange", "later",
                "x-dead-letter-strategy", "at-least-once"));
        ch.publish("", "q", "m");
        ch.send(reject(ch.ok(get("q", false)).getGotMessage().getDeliveryTag(), false));
        driver.forwardDeadLetters();
        assertEquals(0, driver.core.liveMessageKeys().length, "dropped");
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void deletingTheSourceLetsItsAtLeastOnceLettersGoAndKeepsAtMostOnceOnes() {
        ch.ok(declareWith("kept", "x-queue-type", "quorum", "x-dead-letter-exchange", "later",
                "x-dead-letter-strategy", "at-least-once", "x-overflow", "reject-publish"));
        ch.ok(declareWith("sent", "x-dead-letter-exchange", "later"));
        for (String queue : List.of("kept", "sent")) {
            ch.publish("", queue, queue);
            ch.send(reject(ch.ok(get(queue, false)).getGotMessage().getDeliveryTag(), false));
            ch.ok(deleteQueue(queue, false, false));
        }
        assertEquals(1, driver.core.liveMessageKeys().length, "only the at-most-once one is held");
        ch.ok(declareExchange("later", "fanout"));
        ch.ok(declareWith("dlq"));
        ch.ok(bind("dlq", "later", ""));
        driver.forwardDeadLetters();
        assertEquals("sent [sent:rejected]", getBodyAndDeaths("dlq"));
        assertEquals(0, messages("dlq"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void pendingDeadLettersSurviveASnapshotAndAreAskedForAgain() {
        declareSourceAndDeadLetterQueue();
        ch.publish("", "q", "m");
        ch.send(reject(ch.ok(get("q", false)).getGotMessage().getDeliveryTag(), false));
        List<SnapshotRecord> records = new ArrayList<>();
        SnapshotRecords.write(driver.core, records::add);
        SnapshotLoader.Loaded loaded = SnapshotLoader.read(records.iterator());
        assertEquals(1, loaded.liveMessageKeys().length, "the loader counts a pending letter's message as live");
        driver.core = loaded.core();
        List<SnapshotRecord> again = new ArrayList<>();
        SnapshotRecords.write(driver.core, again::add);
        assertEquals(records, again, "written again, the same records");
        int before = deadLetterEffects().size();
        driver.clockMs += DeadLetters.RETRY_AFTER_MS + 1;
        driver.tick();
        assertEquals(before + 1, deadLetterEffects().size());
        driver.submit("n1", driver.deadLetterCommand(deadLetterEffects().getLast()).build());
        assertEquals("m [q:rejected]", getBodyAndDeaths("dlq"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void deletingTheVhostDropsItsPendingLetters() {
        driver.call("n1", io.warren.proto.Command.newBuilder().setPutVhost(io.warren.proto.PutVhost.newBuilder()
                .setName("v")));
        driver.call("n1", io.warren.proto.Command.newBuilder().setSetPermissions(io.warren.proto.SetPermissions
                .newBuilder().setUser("guest").setVhost("v").setConfigure(".*").setWrite(".*").setRead(".*")));
        CoreDriver.Channel other = driver.connect("n1", "guest", "v").channel();
        other.ok(declareWith("q", "x-dead-letter-exchange", "dlx"));
        other.publish("", "q", "m");
        other.send(reject(other.ok(get("q", false)).getGotMessage().getDeliveryTag(), false));
        driver.call("n1", io.warren.proto.Command.newBuilder().setDeleteVhost(io.warren.proto.DeleteVhost.newBuilder()
                .setName("v")));
        assertEquals(0, driver.core.liveMessageKeys().length);
        driver.forwardDeadLetters();
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void deadLetterArgumentsAreCheckedWithRabbitMqsTexts() {
        assertRefused("invalid type 'signedint' for arg 'x-dead-letter-exchange' in queue 'v1' in vhost '/'",
                declareWith("v1", "x-dead-letter-exchange", 5));
        assertRefused("invalid arg 'x-dead-letter-routing-key' for queue 'v2' in vhost '/': "
                + "routing_key_but_no_dlx_defined", declareWith("v2", "x-dead-letter-routing-key", "k"));
        assertRefused("invalid arg 'x-dead-letter-routing-key' for queue 'v3' in vhost '/': "
                + "{unacceptable_type,signedint}", declareWith("v3", "x-dead-letter-exchange", "x",
                        "x-dead-letter-routing-key", 7));
        assertRefused("invalid arg 'x-dead-letter-strategy' for queue 'v5' in vhost '/': invalid_dlx_strategy",
                declareWith("v5", "x-queue-type", "quorum", "x-dead-letter-strategy", "bogus"));
        assertRefused("invalid arg 'x-dead-letter-strategy' for queue 'v6' in vhost '/' of queue type "
                + "rabbit_classic_queue", declareWith("v6", "x-dead-letter-strategy", "at-least-once"));
        assertRefused("invalid arg 'x-dead-letter-strategy' for queue 'v7' in vhost '/': "
                + "{unacceptable_type,signedint}", declareWith("v7", "x-queue-type", "quorum",
                        "x-dead-letter-strategy", 3));
        assertRefused("invalid arg 'x-dead-letter-routing-key' for queue 'v8' in vhost '/': longer than 255 bytes",
                declareWith("v8", "x-dead-letter-exchange", "x", "x-dead-letter-routing-key", "k".repeat(256)));
        ch.ok(declareWith("v14", "x-dead-letter-exchange", "a"));
        assertRefused("inequivalent arg 'x-dead-letter-exchange' for queue 'v14' in vhost '/': received 'b' but "
                + "current is 'a'", declareWith("v14", "x-dead-letter-exchange", "b"));
    }

    private void assertRefused(String text, io.warren.proto.Command.Builder command) {
        Reply reply = driver.connect().channel().call(command);
        assertEquals(ReplyCodes.PRECONDITION_FAILED, reply.getRefusal().getCode(), () -> "reply: " + reply);
        assertEquals(text, reply.getRefusal().getText());
    }

    @Test
    void declaringNeedsWriteOnTheDeadLetterExchange() {
        driver.call("n1", io.warren.proto.Command.newBuilder().setSetPermissions(io.warren.proto.SetPermissions
                .newBuilder().setUser("guest").setVhost("/").setConfigure(".*").setWrite("^q$").setRead(".*")));
        Reply reply = ch.call(declareWith("q", "x-dead-letter-exchange", "dlx"));
        assertEquals(ReplyCodes.ACCESS_REFUSED, reply.getRefusal().getCode());
        assertEquals("access to exchange 'dlx' in vhost '/' refused for user 'guest'", reply.getRefusal().getText());
        assertEquals(ReplyCodes.NOT_FOUND, driver.connect().channel().call(declareQueuePassive("q")).getRefusal()
                .getCode(), "not declared");
    }
}
