package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.proto.Command;
import io.warren.proto.DeclareExchange;
import io.warren.proto.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * alternate-exchange in the core, as RabbitMQ 3.10 showed it when probed: a message its exchange cannot route
 * goes to the alternate exchange with the same routing key, and on through that one's; a cycle or a missing
 * exchange ends unroutable (a mandatory message is returned); a non-text value is 406, and a redeclare
 * compares it.
 */
class AlternateExchangeTest {
    private final CoreDriver driver = new CoreDriver();
    private final CoreDriver.Channel ch = driver.connect().channel();

    private static Command.Builder exchange(String name, String type, Object... arguments) {
        return Command.newBuilder().setDeclareExchange(DeclareExchange.newBuilder().setName(name).setType(type)
                .setArguments(table(arguments)));
    }

    private int ready(String queue) {
        return ch.ok(declareQueuePassive(queue)).getQueueDeclared().getMessageCount();
    }

    private boolean returned(List<Effect> effects) {
        return effects.stream().anyMatch(Effect.Return.class::isInstance);
    }

    @Test
    void anUnroutableMessageGoesDownTheChainOfAlternates() {
        ch.ok(exchange("alt2", "fanout"));
        ch.ok(exchange("alt", "direct", "alternate-exchange", "alt2"));
        ch.ok(exchange("main", "direct", "alternate-exchange", "alt"));
        for (String[] q : new String[][] {{"q-main", "main", "k"}, {"q-alt", "alt", "j"}, {"q-alt2", "alt2", ""}}) {
            ch.ok(declareWith(q[0]));
            ch.ok(bind(q[0], q[1], q[2]));
        }
        assertTrue(!returned(ch.send(publish("main", "k", "1", true, 0))));
        assertTrue(!returned(ch.send(publish("main", "j", "2", true, 0))));
        assertTrue(!returned(ch.send(publish("main", "z", "3", true, 0))), "routed by the fanout at the end");
        assertEquals(List.of(1, 1, 1), List.of(ready("q-main"), ready("q-alt"), ready("q-alt2")));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aCycleOrAMissingAlternateEndsUnroutable() {
        ch.ok(exchange("loop1", "direct", "alternate-exchange", "loop2"));
        ch.ok(exchange("loop2", "direct", "alternate-exchange", "loop1"));
        assertTrue(returned(ch.send(publish("loop1", "z", "m", true, 0))));
        ch.ok(exchange("lonely", "direct", "alternate-exchange", "nope"));
        assertTrue(returned(ch.send(publish("lonely", "z", "m", true, 0))));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aValueThatIsNotTextIs406AndARedeclareComparesIt() {
        Reply refused = ch.call(exchange("x", "direct", "alternate-exchange", 5));
        assertEquals(ReplyCodes.PRECONDITION_FAILED, refused.getRefusal().getCode());
        assertEquals("invalid type 'signedint' for arg 'alternate-exchange' in exchange 'x' in vhost '/'",
                refused.getRefusal().getText());
        var other = driver.connect().channel();
        other.ok(exchange("main", "direct", "alternate-exchange", "alt"));
        Reply redeclared = other.call(exchange("main", "direct", "alternate-exchange", "other"));
        assertEquals("inequivalent arg 'alternate-exchange' for exchange 'main' in vhost '/': received 'other' but"
                + " current is 'alt'", redeclared.getRefusal().getText());
    }
}
