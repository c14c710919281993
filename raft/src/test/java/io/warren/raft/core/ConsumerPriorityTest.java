package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.warren.proto.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Consumer priorities (x-priority) in the core, as RabbitMQ 3.10 showed them for both queue types: the
 * highest-priority consumers with credit get the messages, round-robin among equals; one without credit
 * lets the next lower priority have them; no argument is priority 0; a non-integer is 406.
 */
class ConsumerPriorityTest {
    private final CoreDriver driver = new CoreDriver();
    private final CoreDriver.Channel ch = driver.connect().channel();

    @Test
    void theHighestPriorityWithCreditTakesTheMessages() {
        ch.ok(declareWith("q"));
        var low = driver.connect().channel();
        var high = driver.connect().channel();
        var none = driver.connect().channel();
        low.ok(consume("q", "low", true, table("x-priority", 1)));
        high.ok(consume("q", "high", true, table("x-priority", 10)));
        none.ok(consume("q", "none", true));
        for (int i = 0; i < 6; i++) {
            ch.publish("", "q", "m" + i);
        }
        assertEquals(6, high.deliveries().size());
        assertEquals(0, low.deliveries().size() + none.deliveries().size());
    }

    @Test
    void aHigherConsumerWithoutCreditLetsTheNextLowerOneHaveThem() {
        ch.ok(declareWith("q", "x-queue-type", "quorum"));
        var high = driver.connect().channel();
        high.ok(qos(1, false));
        high.ok(consume("q", "high", false, table("x-priority", 10)));
        var low = driver.connect().channel();
        low.ok(consume("q", "low", true, table("x-priority", 1)));
        for (int i = 0; i < 4; i++) {
            ch.publish("", "q", "m" + i);
        }
        assertEquals(List.of("m0"), high.deliveredBodies());
        assertEquals(List.of("m1", "m2", "m3"), low.deliveredBodies());
        high.send(ack(high.deliveries().get(0).deliveryTag(), false));
        ch.publish("", "q", "m4");
        assertEquals(List.of("m0", "m4"), high.deliveredBodies(), "credit back: the high one again");
    }

    @Test
    void equalPrioritiesTakeTurns() {
        ch.ok(declareWith("q"));
        var a = driver.connect().channel();
        var b = driver.connect().channel();
        a.ok(consume("q", "a", true, table("x-priority", 5)));
        b.ok(consume("q", "b", true, table("x-priority", 5L)));
        for (int i = 0; i < 4; i++) {
            ch.publish("", "q", "m" + i);
        }
        assertEquals(List.of("m0", "m2"), a.deliveredBodies());
        assertEquals(List.of("m1", "m3"), b.deliveredBodies());
    }

    @Test
    void aPriorityThatIsNotAnIntegerIs406() {
        ch.ok(declareWith("q"));
        Reply reply = ch.call(consume("q", "c", true, table("x-priority", "x")));
        assertEquals(ReplyCodes.PRECONDITION_FAILED, reply.getRefusal().getCode());
        assertEquals("invalid arg 'x-priority' for queue 'q' in vhost '/': \"expected integer, got longstr\"",
                reply.getRefusal().getText());
    }
}
