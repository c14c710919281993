package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.proto.Command;
import io.warren.proto.Reply;
import org.junit.jupiter.api.Test;

/**
 * x-expires in the core: a queue unused (no consumers, no basic.get, no redeclare) for that long is deleted
 * by the first Tick past it, once, with what it held released; QueueExpiryClientTest holds the same
 * against RabbitMQ 3.10 in reference mode.
 */
class QueueExpiryTest {
    private final CoreDriver driver = new CoreDriver();
    private final CoreDriver.Channel ch = driver.connect().channel();

    /** Looked up in the state: a passive declare would count as a use of a classic queue. */
    private boolean exists(String queue) {
        return driver.core.state().vhosts.get("/").queues.containsKey(queue);
    }

    @Test
    void anUnusedQueueIsDeletedAtTheFirstTickPastItsExpiry() {
        driver.clockMs = 1_000;
        ch.ok(declareWith("q", "x-expires", 500));
        ch.publish("", "q", "held");
        assertEquals(1_500, driver.core.earliestExpiryMs());
        driver.clockMs = 1_500;
        driver.tick();
        assertTrue(exists("q"), "at its expiry the queue still lives");
        driver.clockMs = 1_501;
        driver.tick();
        assertTrue(!exists("q"));
        assertEquals(Long.MAX_VALUE, driver.core.earliestExpiryMs());
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aConsumerKeepsTheQueueAndItsLeavingStartsTheTime() {
        ch.ok(declareWith("q", "x-expires", 100));
        var consumer = driver.connect().channel();
        consumer.ok(consume("q", "c", true));
        driver.clockMs = 1_000;
        driver.tick();
        assertTrue(exists("q"), "consumed: never unused");
        consumer.ok(cancel("c"));
        driver.clockMs = 1_100;
        driver.tick();
        assertTrue(exists("q"), "100 ms from the cancel, not from the declare");
        driver.clockMs = 1_101;
        driver.tick();
        assertTrue(!exists("q"));
    }

    @Test
    void aGetOrARedeclareUsesTheQueue() {
        ch.ok(declareWith("q", "x-expires", 100));
        driver.clockMs = 90;
        ch.ok(get("q", true)); // empty, and still a use
        driver.clockMs = 180;
        ch.ok(declareWith("q", "x-expires", 100));
        driver.clockMs = 280;
        driver.tick();
        assertTrue(exists("q"), "used at 90 and at 180");
        driver.clockMs = 281;
        driver.tick();
        assertTrue(!exists("q"));
    }

    @Test
    void aPassiveDeclareUsesAClassicQueueButNotAQuorumOne() {
        ch.ok(declareWith("classic", "x-expires", 100));
        ch.ok(declareWith("quorum", "x-queue-type", "quorum", "x-expires", 100));
        driver.clockMs = 90;
        ch.ok(declareQueuePassive("classic"));
        ch.ok(declareQueuePassive("quorum"));
        driver.clockMs = 101;
        driver.tick();
        assertTrue(exists("classic"));
        assertTrue(!exists("quorum"), "RabbitMQ's quorum queues expire while polled with passive declares");
        driver.clockMs = 191;
        driver.tick();
        assertTrue(!exists("classic"));
    }

    @Test
    void theLastUseSurvivesASnapshot() {
        ch.ok(declareWith("q", "x-expires", 100));
        driver.clockMs = 50;
        ch.ok(get("q", true));
        driver.core = DeterminismTest.load(DeterminismTest.snapshot(driver.core));
        driver.clockMs = 150;
        driver.tick();
        assertTrue(exists("q"));
        driver.clockMs = 151;
        driver.tick();
        assertTrue(!exists("q"));
    }

    @Test
    void badExpiriesAreRefusedWithRabbitMqsTexts() {
        String prefix = "invalid arg 'x-expires' for queue 'q' in vhost '/': ";
        assertRefused(prefix + "{value_zero,0}", declareWith("q", "x-expires", 0));
        assertRefused(prefix + "{value_negative,-5}", declareWith("q", "x-expires", -5));
        assertRefused(prefix + "\"expected integer, got longstr\"", declareWith("q", "x-expires", "soon"));
        ch.ok(declareWith("q", "x-expires", 1_000));
        Reply redeclared = ch.call(declareWith("q", "x-expires", 2_000));
        assertEquals(ReplyCodes.PRECONDITION_FAILED, redeclared.getRefusal().getCode());
        assertTrue(redeclared.getRefusal().getText().startsWith("inequivalent arg 'x-expires'"),
                redeclared.getRefusal().getText());
    }

    private void assertRefused(String text, Command.Builder command) {
        Reply reply = driver.connect().channel().call(command);
        assertEquals(ReplyCodes.PRECONDITION_FAILED, reply.getRefusal().getCode(), () -> "reply: " + reply);
        assertEquals(text, reply.getRefusal().getText());
    }
}
