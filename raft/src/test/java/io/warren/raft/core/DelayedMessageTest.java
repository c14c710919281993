package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.proto.Command;
import io.warren.proto.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The x-delayed-message exchange type (RabbitMQ's delayed-message plugin, read in its source: an x-delay of
 * 1 to 4294967295 ms holds the message, anything else routes it at once, and x-delayed-type says how it
 * routes) in the core: held messages are replicated state, released by the leader's first tick past their
 * time, in due order, through the exchange as it is then; they survive a snapshot; nothing leaks.
 */
class DelayedMessageTest {
    private final CoreDriver driver = new CoreDriver();
    private final CoreDriver.Channel ch = driver.connect().channel();

    private Command.Builder declareDelayed(String name, Object... arguments) {
        Command.Builder command = declareExchange(name, "x-delayed-message", true, false);
        command.getDeclareExchangeBuilder().setArguments(table(arguments));
        return command;
    }

    private List<Effect> publishDelayed(String exchange, String key, String body, Object delay, long sequence) {
        Command.Builder command = CommandFixtures.publish(exchange, key, body, false, sequence);
        if (delay != null) {
            command.getPublishBuilder().setHeaders(table("x-delay", delay));
        }
        return ch.send(command);
    }

    private void setUp(String type) {
        ch.ok(declareDelayed("dx", "x-delayed-type", type));
        ch.ok(declareWith("q"));
        ch.ok(bind("q", "dx", "k"));
    }

    @Test
    void aDelayedMessageIsConfirmedAtOnceAndRoutedAtTheFirstTickPastItsTime() {
        driver.clockMs = 10_000;
        setUp("direct");
        List<Effect> effects = publishDelayed("dx", "k", "later", 500, 1);
        assertTrue(effects.stream().anyMatch(e -> e instanceof Effect.Confirm c && c.ack()), "held on a majority");
        assertEquals(0, ch.ready("q"));
        assertEquals(10_499, driver.core.earliestExpiryMs(), "the leader ticks once its clock is past this");
        driver.clockMs = 10_499;
        driver.tick();
        assertEquals(0, ch.ready("q"), "not yet due");
        driver.clockMs = 10_500;
        driver.tick();
        assertEquals(List.of("later"), ch.drain("q"));
        assertEquals(Long.MAX_VALUE, driver.core.earliestExpiryMs());
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void dueOrderNotPublishOrderAndTiesInPublishOrder() {
        setUp("fanout");
        publishDelayed("dx", "", "third", 300, 0);
        publishDelayed("dx", "", "first", 100, 0);
        publishDelayed("dx", "", "second-a", 200, 0);
        publishDelayed("dx", "", "second-b", 200, 0);
        driver.clockMs = 1_000;
        driver.tick();
        assertEquals(List.of("first", "second-a", "second-b", "third"), ch.drain("q"));
    }

    @Test
    void noDelayOrOneOutOfRangeOrOfAnotherTypeRoutesAtOnce() {
        setUp("direct");
        publishDelayed("dx", "k", "none", null, 0);
        publishDelayed("dx", "k", "zero", 0, 0);
        publishDelayed("dx", "k", "negative", -5, 0);
        publishDelayed("dx", "k", "too-long", 4_294_967_296L, 0);
        publishDelayed("dx", "k", "not-a-number", "soon", 0);
        assertEquals(List.of("none", "zero", "negative", "too-long", "not-a-number"), ch.drain("q"));
        publishDelayed("dx", "k", "text", "50", 0);
        publishDelayed("dx", "k", "float", 50.7, 0);
        assertEquals(0, ch.ready("q"), "a string of digits and a float delay it, as in the plugin");
        driver.clockMs = 50;
        driver.tick();
        assertEquals(List.of("text", "float"), ch.drain("q"));
    }

    @Test
    void itRoutesAsItsDelayedTypeWithTheExchangeAsItIsWhenDue() {
        setUp("topic");
        ch.ok(declareWith("late"));
        publishDelayed("dx", "a.b", "m", 100, 0);
        ch.ok(bind("late", "dx", "a.*")); // bound while the message waits: it counts
        driver.clockMs = 100;
        driver.tick();
        assertEquals(0, ch.ready("q"), "q is bound with 'k'");
        assertEquals(List.of("m"), ch.drain("late"));
    }

    @Test
    void anExchangeDeletedBeforeTheMessageIsDueTakesItNowhere() {
        setUp("direct");
        publishDelayed("dx", "k", "m", 100, 0);
        ch.ok(deleteExchange("dx", false));
        driver.clockMs = 100;
        driver.tick();
        assertEquals(0, ch.ready("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aQueueTtlCountsFromTheRelease() {
        ch.ok(declareDelayed("dx", "x-delayed-type", "direct"));
        ch.ok(declareWith("ttl", "x-message-ttl", 50));
        ch.ok(bind("ttl", "dx", "k"));
        publishDelayed("dx", "k", "m", 100, 0);
        driver.clockMs = 120;
        driver.tick();
        assertEquals(1, ch.ready("ttl"), "held longer than the TTL, yet alive: it entered the queue at 120");
    }

    @Test
    void heldMessagesSurviveASnapshot() {
        setUp("direct");
        publishDelayed("dx", "k", "a", 100, 0);
        publishDelayed("dx", "k", "b", 200, 0);
        driver.core = DeterminismTest.load(DeterminismTest.snapshot(driver.core));
        driver.checkNoStoredMessageLeaks();
        driver.clockMs = 150;
        driver.tick();
        assertEquals(List.of("a"), ch.drain("q"));
        publishDelayed("dx", "k", "c", 10, 0); // ids go on after the loaded ones
        driver.clockMs = 300;
        driver.tick();
        assertEquals(List.of("c", "b"), ch.drain("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aDelayedPublishInATransactionIsHeldFromTheCommit() {
        setUp("direct");
        Command.Builder publish = CommandFixtures.publish("dx", "k", "tx", false, 0);
        publish.getPublishBuilder().setHeaders(table("x-delay", 100)).setTxOp(1);
        ch.send(publish);
        driver.clockMs = 50;
        ch.ok(Command.newBuilder().setTxCommit(io.warren.proto.TxCommit.newBuilder().setThrough(1)));
        driver.clockMs = 149;
        driver.tick();
        assertEquals(0, ch.ready("q"), "due 100 ms after the commit");
        driver.clockMs = 150;
        driver.tick();
        assertEquals(List.of("tx"), ch.drain("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void theDelayedTypeIsCheckedAsThePluginChecksIt() {
        assertRefused(406, "Invalid argument, 'x-delayed-type' must bean existing exchnage type",
                declareDelayed("d1"));
        assertRefused(406, "Invalid argument, 'x-delayed-type' must bean existing exchnage type",
                declareDelayed("d2", "x-delayed-type", 5));
        assertRefused(503, "unknown exchange type 'nope'", declareDelayed("d3", "x-delayed-type", "nope"));
        assertRefused(503, "unknown exchange type 'x-delayed-message'",
                declareDelayed("d4", "x-delayed-type", "x-delayed-message"));
        ch.ok(declareDelayed("d5", "x-delayed-type", "headers"));
        ch.ok(declareDelayed("d5", "x-delayed-type", "headers"));
    }

    private void assertRefused(int code, String text, Command.Builder declare) {
        Reply reply = driver.connect().channel().call(declare);
        assertEquals(code, reply.getRefusal().getCode(), reply::toString);
        assertEquals(text, reply.getRefusal().getText());
    }
}
