package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.proto.Reply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * x-max-length, x-max-length-bytes and x-overflow in the core: what each queue type keeps, drops and
 * refuses, the confirms publishers get, and that nothing stored leaks. The client tests (QueueLimitsClientTest)
 * hold the same rules against RabbitMQ 3.10 in reference mode.
 */
class QueueLimitsTest {
    private final CoreDriver driver = new CoreDriver();
    private final CoreDriver.Channel ch = driver.connect().channel();

    private List<String> drain(String queue) {
        List<String> bodies = new ArrayList<>();
        for (Reply got = ch.ok(get(queue, true)); got.hasGotMessage(); got = ch.ok(get(queue, true))) {
            bodies.add(driver.body(got.getGotMessage().getMessageKey()));
        }
        return bodies;
    }

    /** Publishes in confirm mode; returns true for an ack, false for a nack. */
    private boolean publishConfirmed(String queue, String body) {
        long sequence = ch.publishConfirmed("", queue, body);
        for (int i = driver.effects.size() - 1; i >= 0; i--) {
            if (driver.effects.get(i) instanceof Effect.Confirm c && c.sequence() == sequence) {
                return c.ack();
            }
        }
        throw new AssertionError("no confirm for " + sequence);
    }

    private int ready(String queue) {
        return ch.ok(declareQueuePassive(queue)).getQueueDeclared().getMessageCount();
    }

    @Test
    void dropHeadKeepsTheNewestWithinTheLengthAndDiscardsTheRest() {
        ch.ok(declareWith("q", "x-max-length", 2));
        for (String body : List.of("a", "b", "c", "d")) {
            assertTrue(publishConfirmed("q", body), "drop-head confirms every message");
        }
        assertEquals(List.of("c", "d"), drain("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void dropHeadByBytesCountsBodiesOnly() {
        ch.ok(declareWith("q", "x-max-length-bytes", 5L));
        ch.publish("", "q", "aaa");
        ch.publish("", "q", "bb");
        assertEquals(2, ready("q"), "5 body bytes: at the limit, not over it");
        ch.publish("", "q", "c");
        assertEquals(List.of("bb", "c"), drain("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aMessageAWaitingConsumerTakesIsNotDroppedForTheLimit() {
        ch.ok(declareWith("q", "x-max-length", 0));
        var consumer = driver.connect().channel();
        consumer.ok(consume("q", "c", true));
        ch.publish("", "q", "m");
        assertEquals(List.of("m"), consumer.deliveredBodies());
        consumer.ok(cancel("c"));
        ch.publish("", "q", "dropped");
        assertEquals(0, ready("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void unackedMessagesDoNotCountTowardsTheLimit() {
        ch.ok(declareWith("q", "x-max-length", 1, "x-overflow", "reject-publish"));
        var consumer = driver.connect().channel();
        consumer.ok(qos(1, false));
        consumer.ok(consume("q", "c", false));
        assertTrue(publishConfirmed("q", "out"));
        assertTrue(publishConfirmed("q", "ready"));
        assertEquals(1, consumer.deliveries().size());
        assertTrue(!publishConfirmed("q", "refused"));
    }

    @Test
    void classicRejectPublishNacksTheMessageThatWouldExceedTheLimit() {
        ch.ok(declareWith("q", "x-max-length", 2, "x-overflow", "reject-publish"));
        assertTrue(publishConfirmed("q", "a"));
        assertTrue(publishConfirmed("q", "b"));
        assertTrue(!publishConfirmed("q", "c"));
        ch.publish("", "q", "unconfirmed and refused");
        assertEquals(List.of("a", "b"), drain("q"));
        assertTrue(publishConfirmed("q", "d"), "room again once emptied");
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void classicRejectPublishByBytesRefusesAMessageThatWouldNotFit() {
        ch.ok(declareWith("q", "x-max-length-bytes", 4, "x-overflow", "reject-publish"));
        assertTrue(publishConfirmed("q", "aaa"));
        assertTrue(!publishConfirmed("q", "bb"));
        assertTrue(publishConfirmed("q", "c"));
        assertEquals(List.of("aaa", "c"), drain("q"));
    }

    @Test
    void quorumRejectPublishTakesTheMessageThatCrossesTheLimitThenRefusesUntilBackAtEightyPercent() {
        ch.ok(declareWith("q", "x-queue-type", "quorum", "x-max-length", 5, "x-overflow", "reject-publish"));
        for (int i = 0; i < 6; i++) {
            assertTrue(publishConfirmed("q", "m" + i), "message " + i + " is taken: the sixth takes it over");
        }
        assertTrue(!publishConfirmed("q", "refused"));
        ch.ok(get("q", true));
        assertEquals(5, ready("q"));
        assertTrue(!publishConfirmed("q", "still refused: 5 is above 80 % of 5"));
        ch.ok(get("q", true));
        assertTrue(publishConfirmed("q", "taken again at 4"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aRefusedQueueAmongSeveralNacksTheMessageAndTheOthersKeepIt() {
        ch.ok(declareWith("full", "x-max-length", 0, "x-overflow", "reject-publish"));
        ch.ok(declareWith("open"));
        ch.ok(bind("full", "amq.fanout", ""));
        ch.ok(bind("open", "amq.fanout", ""));
        long sequence = ch.publishConfirmed("amq.fanout", "", "m");
        assertTrue(driver.effects.stream().anyMatch(e -> e instanceof Effect.Confirm c && c.sequence() == sequence
                && !c.ack()));
        assertEquals(List.of("m"), drain("open"));
        assertEquals(0, ready("full"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void rejectPublishDlxRefusesOnAClassicQueueAndDropsTheHeadOnAQuorumQueue() {
        ch.ok(declareWith("classic", "x-max-length", 1, "x-overflow", "reject-publish-dlx"));
        ch.ok(declareWith("quorum", "x-queue-type", "quorum", "x-max-length", 1, "x-overflow", "reject-publish-dlx"));
        assertTrue(publishConfirmed("classic", "a"));
        assertTrue(!publishConfirmed("classic", "b"));
        assertTrue(publishConfirmed("quorum", "a"));
        assertTrue(publishConfirmed("quorum", "b"));
        assertEquals(List.of("a"), drain("classic"));
        assertEquals(List.of("b"), drain("quorum"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aSnapshotKeepsAQuorumQueueRefusing() {
        ch.ok(declareWith("q", "x-queue-type", "quorum", "x-max-length", 1, "x-overflow", "reject-publish"));
        assertTrue(publishConfirmed("q", "a"));
        assertTrue(publishConfirmed("q", "b"));
        driver.core = DeterminismTest.load(DeterminismTest.snapshot(driver.core));
        assertTrue(!publishConfirmed("q", "c"), "still past the limit after a restore");
    }

    @Test
    void shouldRefuseBadLimitArgumentsWith406AsRabbitMQ() {
        assertRefused("x-max-length", -1, "{value_negative,-1}");
        assertRefused("x-max-length", "ten", "\"expected integer, got longstr\"");
        assertRefused("x-max-length-bytes", 1.5, "\"expected integer, got double\"");
        assertRefused("x-overflow", "drop-tail", "invalid_overflow");
        assertRefused("x-overflow", 1, "{unacceptable_type,signedint}");
    }

    private void assertRefused(String key, Object value, String error) {
        var channel = driver.connect().channel();
        Reply reply = channel.call(declareWith("q", key, value));
        assertEquals(406, reply.getRefusal().getCode(), reply::toString);
        assertEquals("invalid arg '" + key + "' for queue 'q' in vhost '/': " + error,
                reply.getRefusal().getText());
    }

    @Test
    void aRedeclareMustCarryTheSameLimitsButMayWriteThemInAnotherIntegerType() {
        ch.ok(declareWith("q", "x-max-length", 2));
        ch.ok(declareWith("q", "x-max-length", 2L));
        ch.refused(406, declareWith("q", "x-max-length", 3));
        var other = driver.connect().channel();
        other.refused(406, declareWith("q"));
    }

    @Test
    void aPurgeLetsAQuorumQueueTakePublishesAgain() {
        ch.ok(declareWith("q", "x-queue-type", "quorum", "x-max-length", 1, "x-overflow", "reject-publish"));
        publishConfirmed("q", "a");
        publishConfirmed("q", "b");
        assertTrue(!publishConfirmed("q", "c"));
        ch.ok(purge("q"));
        assertTrue(publishConfirmed("q", "d"));
        assertEquals(List.of("d"), drain("q"));
    }
}
