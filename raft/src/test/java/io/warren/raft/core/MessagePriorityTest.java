package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.warren.proto.Command;
import io.warren.proto.Reply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Message priority (x-max-priority and the priority property) in the core, against what RabbitMQ 3.10's
 * classic priority queues showed when probed with pika (docs/probes/priority-1.py): the highest level first,
 * first in first out within a level, a priority above the maximum kept at the maximum, none as 0, a requeued
 * message back in its place within its level, drop-head dropping the message that would go next, and each
 * level's head expiring on its own. MessagePriorityClientTest holds the same against RabbitMQ.
 */
class MessagePriorityTest {
    private final CoreDriver driver = new CoreDriver();
    private final CoreDriver.Channel ch = driver.connect().channel();

    private void publish(String queue, String body, Integer priority) {
        Command.Builder command = CommandFixtures.publish("", queue, body, false, 0);
        if (priority != null) {
            command.getPublishBuilder().setPriority(priority);
        }
        ch.send(command);
    }

    private void publishExpiring(String queue, String body, int priority, String expiration) {
        Command.Builder command = CommandFixtures.publish("", queue, body, false, 0);
        command.getPublishBuilder().setPriority(priority).setExpiration(expiration);
        ch.send(command);
    }

    @Test
    void theHighestLevelGoesFirstAndAboveTheMaximumIsTheMaximum() {
        ch.ok(declareWith("q", "x-max-priority", 5));
        publish("q", "n0", null);
        publish("q", "p1", 1);
        publish("q", "p5", 5);
        publish("q", "p9", 9);
        publish("q", "p3", 3);
        publish("q", "z0", 0);
        publish("q", "p5b", 5);
        publish("q", "p255", 255);
        assertEquals(8, ch.ready("q"));
        assertEquals(List.of("p5", "p9", "p5b", "p255", "p3", "p1", "n0", "z0"), ch.drain("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aQueueWithoutLevelsOrWithMaximumZeroKeepsPublishOrder() {
        ch.ok(declareWith("plain"));
        ch.ok(declareWith("zero", "x-max-priority", 0));
        for (String queue : List.of("plain", "zero")) {
            publish(queue, "a", 5);
            publish(queue, "b", 9);
            publish(queue, "c", 0);
            assertEquals(List.of("a", "b", "c"), ch.drain(queue), queue);
        }
    }

    @Test
    void consumersAreServedByLevelAsCreditFreesUp() {
        ch.ok(declareWith("q", "x-max-priority", 10));
        publish("q", "low", 1);
        publish("q", "mid", 5);
        var consumer = driver.connect().channel();
        consumer.ok(qos(1, false));
        consumer.ok(consume("q", "c", false));
        assertEquals(List.of("mid"), consumer.deliveredBodies(), "the waiting higher one first");
        publish("q", "high", 10);
        consumer.send(ack(consumer.deliveries().get(0).deliveryTag(), false));
        assertEquals(List.of("mid", "high"), consumer.deliveredBodies(), "a later higher one jumps the queue");
        consumer.send(ack(consumer.deliveries().get(1).deliveryTag(), false));
        assertEquals(List.of("mid", "high", "low"), consumer.deliveredBodies());
    }

    @Test
    void aRequeuedMessageGoesBackToItsPlaceInItsLevel() {
        ch.ok(declareWith("q", "x-max-priority", 3));
        publish("q", "a1", 1);
        publish("q", "b1", 1);
        publish("q", "c2", 2);
        publish("q", "d0", 0);
        Reply first = ch.ok(get("q", false));
        Reply second = ch.ok(get("q", false));
        assertEquals("c2", driver.body(first.getGotMessage().getMessageKey()));
        assertEquals("a1", driver.body(second.getGotMessage().getMessageKey()));
        assertEquals(2, second.getGotMessage().getMessageCount());
        ch.send(nack(second.getGotMessage().getDeliveryTag(), false, true));
        ch.send(nack(first.getGotMessage().getDeliveryTag(), false, true));
        assertEquals(List.of("c2", "a1", "b1", "d0"), ch.drain("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void dropHeadDropsTheMessageThatWouldGoNext() {
        ch.ok(declareWith("q", "x-max-priority", 3, "x-max-length", 3));
        publish("q", "a0", 0);
        publish("q", "b3", 3);
        publish("q", "c1", 1);
        publish("q", "d2", 2);
        publish("q", "e0", 0);
        assertEquals(List.of("c1", "a0", "e0"), ch.drain("q"), "RabbitMQ 3.10 drops b3, then d2");
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void eachLevelsHeadExpiresBehindALongerLivedHigherOne() {
        driver.clockMs = 1_000;
        ch.ok(declareWith("q", "x-max-priority", 3));
        publish("q", "hi-long", 3);
        publishExpiring("q", "lo-short", 0, "200");
        publish("q", "lo-long", 0);
        assertEquals(1_200, driver.core.earliestExpiryMs(), "a lower level's head is watched too");
        driver.clockMs = 1_201;
        driver.tick();
        assertEquals(2, ch.ready("q"), "gone at the tick, though a message of a higher level is ahead of it");
        assertEquals(List.of("hi-long", "lo-long"), ch.drain("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void anExpiredMessageIsNeverDeliveredFromAnyLevel() {
        ch.ok(declareWith("q", "x-max-priority", 2, "x-message-ttl", 100));
        publish("q", "a2", 2);
        publish("q", "b1", 1);
        driver.clockMs = 101;
        publish("q", "c0", 0);
        assertEquals(List.of("c0"), ch.drain("q"), "the expired levels go before a get, without a tick");
    }

    @Test
    void levelsSurviveASnapshotWithRequeuedAndUnackedMessages() {
        ch.ok(declareWith("q", "x-max-priority", 4));
        for (int i = 0; i < 5000; i++) {
            publish("q", "m" + i, i % 5); // more than one snapshot block, every level mixed
        }
        Reply taken = ch.ok(get("q", false)); // m4, level 4, unacked over the snapshot
        Reply requeued = ch.ok(get("q", false));
        ch.send(nack(requeued.getGotMessage().getDeliveryTag(), false, true));
        driver.core = DeterminismTest.load(DeterminismTest.snapshot(driver.core));
        ch.send(nack(taken.getGotMessage().getDeliveryTag(), false, true));
        List<String> bodies = ch.drain("q");
        assertEquals(5000, bodies.size());
        List<String> expected = new ArrayList<>();
        for (int level = 4; level >= 0; level--) {
            for (int i = level; i < 5000; i += 5) {
                expected.add("m" + i);
            }
        }
        assertEquals(expected, bodies);
    }

    @Test
    void badMaximumsAreRefusedWithRabbitMQsTexts() {
        assertRefused(declareWith("q", "x-max-priority", 256), "{max_value_exceeded,256}");
        assertRefused(declareWith("q", "x-max-priority", -1), "{value_negative,-1}");
        assertRefused(declareWith("q", "x-max-priority", "x"), "\"expected integer, got longstr\"");
        ch.ok(declareWith("q", "x-max-priority", 255));
    }

    private void assertRefused(Command.Builder declare, String error) {
        Reply reply = driver.connect().channel().call(declare);
        assertEquals(406, reply.getRefusal().getCode(), reply::toString);
        assertEquals("invalid arg 'x-max-priority' for queue 'q' in vhost '/': " + error, reply.getRefusal().getText());
    }

    @Test
    void aRedeclareComparesTheMaximum() {
        ch.ok(declareWith("q", "x-max-priority", 4));
        ch.ok(declareWith("q", "x-max-priority", 4));
        Reply other = driver.connect().channel().call(declareWith("q", "x-max-priority", 5));
        assertEquals("inequivalent arg 'x-max-priority' for queue 'q' in vhost '/': received '5' but current is '4'",
                other.getRefusal().getText());
        Reply none = driver.connect().channel().call(declareWith("q"));
        assertEquals("inequivalent arg 'x-max-priority' for queue 'q' in vhost '/': received none but current is"
                + " the value '4' of type 'signedint'", none.getRefusal().getText());
    }
}
