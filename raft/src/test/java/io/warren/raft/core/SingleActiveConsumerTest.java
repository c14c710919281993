package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.warren.proto.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * x-single-active-consumer in the core: only the first consumer gets messages, even when it has no credit;
 * the next takes over when it cancels or its channel closes, and what the old one left unacked comes back in
 * its place. RabbitMQ 3.10's quorum queues do this; its classic queues wait for a cancelled consumer's unacked
 * messages first, which Warren does not (docs/compliance.md).
 */
class SingleActiveConsumerTest {
    private final CoreDriver driver = new CoreDriver();
    private final CoreDriver.Channel ch = driver.connect().channel();

    @Test
    void onlyTheFirstConsumerGetsMessagesAndTheNextTakesOverWhenItGoes() {
        ch.ok(declareWith("q", "x-queue-type", "quorum", "x-single-active-consumer", true));
        var a = driver.connect().channel();
        var b = driver.connect().channel();
        a.ok(qos(1, false));
        b.ok(qos(1, false));
        a.ok(consume("q", "a", false));
        b.ok(consume("q", "b", false));
        for (int i = 0; i < 3; i++) {
            ch.publish("", "q", "m" + i);
        }
        assertEquals(List.of("m0"), a.deliveredBodies());
        assertEquals(List.of(), b.deliveredBodies(), "not active, though it has credit");
        a.ok(cancel("a"));
        assertEquals(List.of("m1"), b.deliveredBodies(), "active once the first one cancelled");
        a.ok(closeChannel());
        b.send(ack(b.deliveries().get(0).deliveryTag(), false));
        assertEquals(List.of("m1", "m0"), b.deliveredBodies(), "what a left unacked comes back in its place");
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void theArgumentIsABooleanComparedOnRedeclare() {
        Reply bad = ch.call(declareWith("q", "x-single-active-consumer", "yes"));
        assertEquals("invalid arg 'x-single-active-consumer' for queue 'q' in vhost '/': {unacceptable_type,longstr}",
                bad.getRefusal().getText());
        var other = driver.connect().channel();
        other.ok(declareWith("q", "x-single-active-consumer", true));
        Reply without = other.call(declareWith("q"));
        assertEquals("inequivalent arg 'x-single-active-consumer' for queue 'q' in vhost '/': received none but current"
                + " is the value 'true' of type 'bool'", without.getRefusal().getText());
    }
}
