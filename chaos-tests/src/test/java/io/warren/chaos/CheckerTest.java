package io.warren.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker on hand-made histories: each rule can pass and can fail. */
class CheckerTest {
    private final List<Op> history = new ArrayList<>();
    private long time;

    private void op(String type, String f, String id) {
        history.add(new Op(time++, type, f, "p1", "n1", id, 0));
    }

    private void published(String id, String outcome) {
        op("invoke", "publish", id);
        if (outcome != null) {
            op(outcome, "publish", id);
        }
    }

    @Test
    void aConfirmedMessageNeverDeliveredIsLost() {
        published("a", "ok");
        published("b", "ok");
        op("ok", "deliver", "a");
        Checker.Verdict verdict = Checker.check(history);
        assertFalse(verdict.valid());
        assertEquals(1, verdict.lost());
        assertEquals(List.of("b"), verdict.lostSample());
    }

    private void delivered(String id, boolean redelivered) {
        history.add(new Op(time++, "ok", "deliver", "c1", "n2", id, 0, redelivered));
    }

    @Test
    void everyConfirmedMessageDeliveredIsValidAndFlaggedDuplicatesAreCountedNotFatal() {
        published("a", "ok");
        published("b", "ok");
        op("ok", "deliver", "a");
        op("ok", "deliver", "b");
        delivered("b", true);
        Checker.Verdict verdict = Checker.check(history);
        assertTrue(verdict.valid());
        assertEquals(0, verdict.lost());
        assertEquals(1, verdict.duplicated());
        assertEquals(0, verdict.duplicatedUnflagged());
        assertEquals(3, verdict.deliveries());
    }

    @Test
    void aDuplicateWithoutTheRedeliveredFlagIsFatalAndNamed() {
        published("a", "ok");
        delivered("a", false);
        delivered("a", true); // handed elsewhere after its first consumer's node was declared down: fine
        delivered("a", false); // that node, thawed, sent its stale copy: nobody told the consumer
        Checker.Verdict verdict = Checker.check(history);
        assertFalse(verdict.valid());
        assertEquals(2, verdict.duplicated());
        assertEquals(1, verdict.duplicatedUnflagged());
        assertEquals(List.of("a@4ms:c1/n2"), verdict.unflaggedSample()); // invoke 0, ok 1, deliveries 2, 3, 4
        assertEquals(1, verdict.toMap().get("duplicated_unflagged"));
    }

    @Test
    void duplicatesDeliveredAfterAnAckAreCounted() {
        published("a", "ok");
        published("b", "ok");
        delivered("a", false);
        op("ok", "ack", "a");
        delivered("a", true); // the ack did not reach the broker: legitimate, but counted
        delivered("b", false);
        delivered("b", true); // redelivered before any ack: not "after an ack"
        op("ok", "ack", "b");
        Checker.Verdict verdict = Checker.check(history);
        assertTrue(verdict.valid());
        assertEquals(2, verdict.duplicated());
        assertEquals(1, verdict.duplicatedAfterAck());
        assertEquals(1, verdict.toMap().get("duplicated_after_ack"));
    }

    @Test
    void aDeliveryOfSomethingNeverPublishedIsUnexpected() {
        published("a", "ok");
        op("ok", "deliver", "a");
        op("ok", "deliver", "ghost");
        Checker.Verdict verdict = Checker.check(history);
        assertFalse(verdict.valid());
        assertEquals(List.of("ghost"), verdict.unexpectedSample());
    }

    @Test
    void unknownAndNackedPublishesMayOrMayNotArrive() {
        published("nacked", "fail");
        published("unknown-arrived", "info");
        published("unknown-gone", null);
        op("ok", "deliver", "unknown-arrived");
        op("ok", "deliver", "nacked");
        Checker.Verdict verdict = Checker.check(history);
        assertTrue(verdict.valid());
        assertEquals(2, verdict.unknown());
        assertEquals(1, verdict.unknownDelivered());
        assertEquals(1, verdict.nacked());
    }

    @Test
    void availabilityAndRecoveryArePerFaultWindow() {
        history.add(new Op(0, "nemesis", "start", "nemesis", "n2", "kill", 0));
        history.add(new Op(10, "invoke", "publish", "p1", "n1", "a", 0));
        history.add(new Op(20, "invoke", "publish", "p1", "n1", "b", 0));
        history.add(new Op(500, "ok", "publish", "p1", "n1", "a", 490));
        history.add(new Op(600, "nemesis", "stop", "nemesis", "n2", "kill", 0));
        history.add(new Op(700, "info", "publish", "p1", "n1", "b", 0));
        history.add(new Op(800, "ok", "deliver", "c1", "n3", "a", 0));
        Checker.Verdict verdict = Checker.check(history);
        assertEquals(1, verdict.windows().size());
        Checker.WindowStats window = verdict.windows().get(0);
        assertEquals(2, window.attempted());
        assertEquals(1, window.ok());
        assertEquals(500, window.msToFirstConfirm());
        assertEquals(0.5, window.availability());
    }
}
