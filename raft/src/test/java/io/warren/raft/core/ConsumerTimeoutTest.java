package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.proto.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The consumer timeout in the core: a delivery unacknowledged past its channel's node's consumer_timeout (or
 * its queue's x-consumer-timeout) closes the channel with RabbitMQ's 406 at the first tick past it, and the
 * message goes back when the channel closes. ConsumerTimeoutClientTest holds it against RabbitMQ 3.10.
 */
class ConsumerTimeoutTest {
    private final CoreDriver driver = new CoreDriver();

    ConsumerTimeoutTest() {
        driver.register("n1", 1_000);
    }

    private static Effect.CloseChannel closeOf(List<Effect> effects) {
        return effects.stream().filter(Effect.CloseChannel.class::isInstance).map(Effect.CloseChannel.class::cast)
                .findFirst().orElse(null);
    }

    @Test
    void anUnackedDeliveryPastTheTimeoutClosesItsChannelAndTheMessageGoesBack() {
        var ch = driver.connect().channel();
        ch.ok(declareWith("q", "x-queue-type", "quorum"));
        ch.publish("", "q", "m");
        var consumer = driver.connect().channel();
        driver.clockMs = 500;
        consumer.ok(consume("q", "c", false));
        assertEquals(1_500, driver.core.earliestExpiryMs(), "the leader ticks once its clock is past the deadline");
        driver.clockMs = 1_500;
        assertEquals(null, closeOf(driver.tick()), "at the deadline itself the delivery may still be acked");
        driver.clockMs = 1_501;
        Effect.CloseChannel close = closeOf(driver.tick());
        assertEquals(consumer.ref, close.channel());
        assertEquals(ReplyCodes.PRECONDITION_FAILED, close.refusal().getCode());
        assertEquals("delivery acknowledgement on channel " + consumer.ref.getNumber() + " timed out. Timeout value"
                + " used: 1000 ms. This timeout value can be configured, see consumers doc guide to learn more",
                close.refusal().getText());
        assertEquals(null, closeOf(driver.tick()), "closed once");
        consumer.ok(closeChannel()); // the client's close-ok: the node ends the channel
        Reply back = ch.ok(get("q", true));
        assertTrue(back.getGotMessage().getRedelivered());
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aDeliveryAckedInTimeClosesNothing() {
        var ch = driver.connect().channel();
        ch.ok(declareWith("q"));
        ch.publish("", "q", "m");
        Reply got = ch.ok(get("q", false));
        driver.clockMs = 999;
        ch.send(ack(got.getGotMessage().getDeliveryTag(), false));
        driver.clockMs = 5_000;
        assertEquals(null, closeOf(driver.tick()));
    }

    @Test
    void aQueuesOwnTimeoutWinsAndSurvivesASnapshot() {
        var ch = driver.connect().channel();
        ch.ok(declareWith("q", "x-consumer-timeout", 100));
        ch.publish("", "q", "m");
        ch.ok(get("q", false));
        driver.core = DeterminismTest.load(DeterminismTest.snapshot(driver.core));
        driver.clockMs = 101;
        Effect.CloseChannel close = closeOf(driver.tick());
        assertTrue(close.refusal().getText().contains("Timeout value used: 100 ms"), close.refusal().getText());
    }

    @Test
    void aNodeWithoutASettingGetsRabbitMqsThirtyMinutes() {
        CoreDriver other = new CoreDriver();
        var ch = other.connect().channel();
        ch.ok(declareWith("q"));
        ch.publish("", "q", "m");
        ch.ok(get("q", false));
        other.clockMs = 1_800_000;
        assertEquals(null, closeOf(other.tick()));
        other.clockMs = 1_800_001;
        assertTrue(closeOf(other.tick()).refusal().getText().contains("Timeout value used: 1800000 ms"));
    }
}
