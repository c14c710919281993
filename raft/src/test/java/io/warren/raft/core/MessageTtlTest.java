package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.proto.Command;
import io.warren.proto.Reply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * x-message-ttl and the expiration property in the core, against the rules RabbitMQ 3.10 showed when probed
 * with pika (both queue types alike): the expiry is checked at the head only, a message expires once the
 * clock is past publish time plus the smaller TTL, the leader's tick expires an idle queue, and an
 * expired message is never delivered, not even after it was requeued. MessageTtlClientTest holds the
 * same against RabbitMQ in reference mode.
 */
class MessageTtlTest {
    private final CoreDriver driver = new CoreDriver();
    private final CoreDriver.Channel ch = driver.connect().channel();

    private static Command.Builder publishExpiring(String queue, String body, String expiration) {
        Command.Builder command = publish("", queue, body, false, 0);
        command.getPublishBuilder().setExpiration(expiration);
        return command;
    }

    @Test
    void queueTtlExpiresAnIdleQueueAtTheFirstTickPastIt() {
        driver.clockMs = 1_000;
        ch.ok(declareWith("q", "x-message-ttl", 200));
        for (String body : List.of("a", "b", "c")) {
            ch.publish("", "q", body);
        }
        assertEquals(1_200, driver.core.earliestExpiryMs(), "the leader ticks once its clock is past this");
        driver.clockMs = 1_200;
        driver.tick();
        assertEquals(3, ch.ready("q"), "at the expiry itself a message still lives");
        driver.clockMs = 1_201;
        driver.tick();
        assertEquals(0, ch.ready("q"));
        assertEquals(Long.MAX_VALUE, driver.core.earliestExpiryMs(), "nothing left to expire");
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void onlyTheHeadExpiresAndWhatExpiredBehindItGoesWhenItIsTaken() {
        ch.ok(declareWith("q"));
        ch.send(publishExpiring("q", "long", "10000"));
        ch.send(publishExpiring("q", "short", "100"));
        ch.publish("", "q", "none");
        driver.clockMs = 400;
        driver.tick();
        assertEquals(3, ch.ready("q"), "the short one waits behind the long one");
        Reply first = ch.ok(get("q", true));
        assertEquals("long", driver.body(first.getGotMessage().getMessageKey()));
        assertEquals(1, first.getGotMessage().getMessageCount(), "get-ok's count leaves out the expired one");
        assertEquals(List.of("none"), ch.drain("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void theSmallerOfTheQueueAndTheMessageTtlCounts() {
        ch.ok(declareWith("long-queue-ttl", "x-message-ttl", 5_000));
        ch.send(publishExpiring("long-queue-ttl", "a", "100"));
        ch.ok(declareWith("short-queue-ttl", "x-message-ttl", 100));
        ch.send(publishExpiring("short-queue-ttl", "b", "5000"));
        driver.clockMs = 101;
        assertEquals(List.of(), ch.drain("long-queue-ttl"));
        assertEquals(List.of(), ch.drain("short-queue-ttl"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void expirationZeroReachesAWaitingConsumerAndNobodyLater() {
        ch.ok(declareWith("q"));
        var consumer = driver.connect().channel();
        consumer.ok(consume("q", "c", true));
        driver.clockMs = 50;
        ch.send(publishExpiring("q", "now", "0"));
        assertEquals(List.of("now"), consumer.deliveredBodies(), "taken at the moment it was published");
        consumer.ok(cancel("c"));
        ch.send(publishExpiring("q", "nobody-waits", "0"));
        assertEquals(1, ch.ready("q"), "still the same millisecond");
        driver.clockMs = 51;
        driver.tick();
        assertEquals(0, ch.ready("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aMessageThatExpiresWhileTheConsumerHasNoCreditIsNeverDelivered() {
        ch.ok(declareWith("q"));
        var consumer = driver.connect().channel();
        consumer.ok(qos(1, false));
        consumer.ok(consume("q", "c", false));
        ch.publish("", "q", "first");
        ch.send(publishExpiring("q", "zero", "0"));
        assertEquals(List.of("first"), consumer.deliveredBodies());
        driver.clockMs = 1;
        consumer.send(ack(consumer.deliveries().get(0).deliveryTag(), false));
        assertEquals(List.of("first"), consumer.deliveredBodies(), "expired before the credit came back");
        assertEquals(0, ch.ready("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aMessageRequeuedAfterItsTtlIsDroppedNotRedelivered() {
        ch.ok(declareWith("q", "x-message-ttl", 300));
        ch.publish("", "q", "m");
        Reply got = ch.ok(get("q", false));
        driver.clockMs = 600;
        ch.send(reject(got.getGotMessage().getDeliveryTag(), true));
        assertEquals(0, ch.ready("q"));
        assertEquals(List.of(), ch.drain("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aConsumerArrivingAfterTheTtlGetsNothing() {
        ch.ok(declareWith("q", "x-message-ttl", 100));
        ch.publish("", "q", "stale");
        ch.publish("", "q", "stale too");
        driver.clockMs = 101;
        var consumer = driver.connect().channel();
        consumer.ok(consume("q", "c", true));
        assertEquals(List.of(), consumer.deliveredBodies());
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aBadExpirationClosesTheChannelWithRabbitMqsText() {
        ch.ok(declareWith("q"));
        List<Effect> effects = ch.send(publishExpiring("q", "x", "1.5"));
        Effect.CloseChannel close = effects.stream().filter(Effect.CloseChannel.class::isInstance)
                .map(Effect.CloseChannel.class::cast).findFirst().orElseThrow();
        assertEquals(ReplyCodes.PRECONDITION_FAILED, close.refusal().getCode());
        assertEquals("invalid expiration '1.5': {leftover_string,\".5\"}", close.refusal().getText());
        var other = driver.connect().channel();
        assertEquals(0, other.ok(declareQueuePassive("q")).getQueueDeclared().getMessageCount(), "nothing enqueued");
        var unroutable = driver.connect().channel();
        List<Effect> refused = unroutable.send(publishExpiring("no-such-queue", "x", "abc"));
        assertTrue(refused.stream().anyMatch(e -> e instanceof Effect.CloseChannel c
                && c.refusal().getText().equals("invalid expiration 'abc': no_integer")), "checked before routing");
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aBadQueueTtlIsRefusedWithRabbitMqsTexts() {
        String prefix = "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': ";
        assertRefused(prefix + "{value_negative,-1}", declareWith("q", "x-message-ttl", -1));
        assertRefused(prefix + "\"expected integer, got longstr\"", declareWith("q", "x-message-ttl", "abc"));
        assertRefused(prefix + "{value_too_large,315360000001}", declareWith("q", "x-message-ttl", 315_360_000_001L));
        ch.ok(declareWith("q", "x-message-ttl", 315_360_000_000L));
        Reply redeclared = ch.call(declareWith("q", "x-message-ttl", 5));
        assertEquals(ReplyCodes.PRECONDITION_FAILED, redeclared.getRefusal().getCode());
        assertEquals("inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received '5' but current is"
                + " '315360000000'", redeclared.getRefusal().getText());
        Reply without = driver.connect().channel().call(declareWith("q"));
        assertEquals("inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received none but current is the"
                + " value '315360000000' of type 'long'", without.getRefusal().getText());
    }

    private void assertRefused(String text, Command.Builder command) {
        var channel = driver.connect().channel();
        Reply reply = channel.call(command);
        assertEquals(ReplyCodes.PRECONDITION_FAILED, reply.getRefusal().getCode(), () -> "reply: " + reply);
        assertEquals(text, reply.getRefusal().getText());
    }

    @Test
    void expiryTimesSurviveASnapshotAndExpireAlikeAfterIt() {
        ch.ok(declareWith("q"));
        ch.publish("", "q", "forever");
        ch.send(publishExpiring("q", "soon", "100"));
        ch.ok(declareWith("r", "x-message-ttl", 100));
        ch.publish("", "r", "soon too");
        BrokerCore restored = DeterminismTest.load(DeterminismTest.snapshot(driver.core));
        assertEquals(0, restored.earliestExpiryMs(), "a loaded state ticks at once to find its earliest expiry");
        driver.core = restored;
        driver.clockMs = 101;
        driver.tick();
        assertEquals(0, ch.ready("r"));
        assertEquals(List.of("forever"), ch.drain("q"), "the head lives, so the expired one goes when it is the head");
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void theEarliestExpiryIsNeverLaterThanAHeadsAndExactAfterATick() {
        ch.ok(declareWith("q"));
        assertEquals(Long.MAX_VALUE, driver.core.earliestExpiryMs());
        ch.send(publishExpiring("q", "a", "500"));
        ch.send(publishExpiring("q", "b", "100"));
        assertEquals(500, driver.core.earliestExpiryMs(), "the head's; b waits behind it");
        ch.ok(get("q", true));
        assertEquals(100, driver.core.earliestExpiryMs(), "b is the head now");
        driver.clockMs = 50;
        driver.tick();
        assertEquals(100, driver.core.earliestExpiryMs());
        assertFalse(ch.drain("q").isEmpty());
        driver.tick();
        assertEquals(Long.MAX_VALUE, driver.core.earliestExpiryMs());
    }
}
