package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.proto.Command;
import io.warren.proto.Reply;
import io.warren.proto.TxCommit;
import io.warren.proto.TxRollback;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Transactions in the core, against what RabbitMQ 3.10 showed when probed with pika
 * (docs/probes/transactions-1.py): publishes and settles of a transactional channel take effect at commit,
 * all in its entry, or never after a rollback or a close; they are checked at the method (404, 406 at once);
 * a mandatory publish that routes nowhere is returned at commit; a commit waits for an op a resent batch
 * brings late; staged work survives a snapshot. TransactionClientTest holds the same against RabbitMQ.
 */
class TransactionTest {
    private final CoreDriver driver = new CoreDriver();
    private final CoreDriver.Channel ch = driver.connect().channel();
    private final CoreDriver.Channel tx = driver.connect().channel();
    private long txOps;

    private List<Effect> publishInTx(String exchange, String key, String body, boolean mandatory) {
        Command.Builder command = CommandFixtures.publish(exchange, key, body, mandatory, 0);
        command.getPublishBuilder().setTxOp(++txOps);
        return tx.send(command);
    }

    private void ackInTx(long tag) {
        Command.Builder command = ack(tag, false);
        command.getAckBuilder().setTxOp(++txOps);
        tx.send(command);
    }

    private void nackInTx(long tag, boolean requeue, boolean reject) {
        Command.Builder command = reject ? reject(tag, requeue) : nack(tag, false, requeue);
        command.getNackBuilder().setTxOp(++txOps);
        tx.send(command);
    }

    private Reply commit() {
        return tx.ok(Command.newBuilder().setTxCommit(TxCommit.newBuilder().setThrough(txOps)));
    }

    private Reply rollback() {
        return tx.ok(Command.newBuilder().setTxRollback(TxRollback.newBuilder().setThrough(txOps)));
    }

    @Test
    void publishesAreInNoQueueUntilCommitAndGoneAfterRollback() {
        ch.ok(declareWith("q"));
        publishInTx("", "q", "a", false);
        publishInTx("", "q", "b", false);
        assertEquals(0, ch.ready("q"));
        assertTrue(commit().hasDone());
        assertEquals(2, ch.ready("q"));
        publishInTx("", "q", "c", false);
        assertTrue(rollback().hasDone());
        assertEquals(List.of("a", "b"), ch.drain("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aCommitDeliversToAWaitingConsumerInPublishOrder() {
        ch.ok(declareWith("q"));
        var consumer = driver.connect().channel();
        consumer.ok(consume("q", "c", true));
        publishInTx("", "q", "a", false);
        publishInTx("", "q", "b", false);
        assertEquals(List.of(), consumer.deliveredBodies());
        commit();
        assertEquals(List.of("a", "b"), consumer.deliveredBodies());
    }

    @Test
    void anAckTakesEffectAtCommitAndARolledBackOneLeavesTheMessageUnacked() {
        ch.ok(declareWith("q"));
        ch.publish("", "q", "m");
        long tag = tx.ok(get("q", false)).getGotMessage().getDeliveryTag();
        ackInTx(tag);
        assertEquals(1, unacked("q"), "not acked before the commit");
        rollback();
        assertEquals(1, unacked("q"), "still unacked after the rollback");
        ackInTx(tag);
        commit();
        assertEquals(0, unacked("q") + ch.ready("q"));
        driver.checkNoStoredMessageLeaks();
    }

    private int unacked(String queue) {
        return driver.core.queries().queues("/").stream().filter(q -> q.name().equals(queue)).findFirst()
                .orElseThrow().messagesUnacknowledged();
    }

    @Test
    void aRequeueOrRejectInATransactionHappensAtCommit() {
        ch.ok(declareWith("q"));
        ch.ok(declareWith("dlq"));
        ch.ok(declareWith("r", "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "dlq"));
        ch.publish("", "q", "m");
        ch.publish("", "r", "dead");
        long requeued = tx.ok(get("q", false)).getGotMessage().getDeliveryTag();
        long rejected = tx.ok(get("r", false)).getGotMessage().getDeliveryTag();
        nackInTx(requeued, true, true);
        nackInTx(rejected, false, false);
        assertEquals(0, ch.ready("q"));
        commit();
        assertEquals(1, ch.ready("q"));
        assertEquals(1, driver.core.state().deadLetters.size(), "rejected at commit, to the dead-letter exchange");
    }

    @Test
    void aSecondSettleOfATagInTheTransactionIs406AndMultipleSkipsIt() {
        ch.ok(declareWith("q"));
        ch.publish("", "q", "a");
        ch.publish("", "q", "b");
        long first = tx.ok(get("q", false)).getGotMessage().getDeliveryTag();
        long second = tx.ok(get("q", false)).getGotMessage().getDeliveryTag();
        ackInTx(first);
        Command.Builder multiple = ack(second, true);
        multiple.getAckBuilder().setTxOp(++txOps);
        tx.send(multiple); // names the second only: the first is settling already
        commit();
        assertEquals(0, unacked("q"));
        ch.publish("", "q", "c");
        long third = tx.ok(get("q", false)).getGotMessage().getDeliveryTag();
        ackInTx(third);
        List<Effect> effects = sendAckInTx(third);
        assertEquals("unknown delivery tag " + third, closeOf(effects).getText());
    }

    private List<Effect> sendAckInTx(long tag) {
        Command.Builder command = ack(tag, false);
        command.getAckBuilder().setTxOp(++txOps);
        return tx.send(command);
    }

    private static io.warren.proto.Refusal closeOf(List<Effect> effects) {
        return effects.stream().filter(e -> e instanceof Effect.CloseChannel).map(e -> ((Effect.CloseChannel) e)
                .refusal()).findFirst().orElseThrow(() -> new AssertionError("no channel close in " + effects));
    }

    @Test
    void aPublishToAMissingExchangeClosesTheChannelAtOnceAndNothingIsCommitted() {
        ch.ok(declareWith("q"));
        publishInTx("", "q", "a", false);
        List<Effect> effects = publishInTx("missing", "k", "x", false);
        assertEquals(404, closeOf(effects).getCode());
        assertEquals(0, ch.ready("q"));
        tx.send(closeChannel());
        assertEquals(0, ch.ready("q"), "the close rolled back what was staged");
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aMandatoryPublishThatRoutesNowhereIsReturnedAtCommit() {
        List<Effect> atPublish = publishInTx("", "nowhere", "r", true);
        assertTrue(atPublish.stream().noneMatch(e -> e instanceof Effect.Return), "not returned at the publish");
        long request = 901;
        List<Effect> atCommit = driver.submit("n1", Command.newBuilder().setChannel(tx.ref).setRequest(request)
                .setTxCommit(TxCommit.newBuilder().setThrough(txOps)).build());
        int returned = -1;
        int answered = -1;
        for (int i = 0; i < atCommit.size(); i++) {
            if (atCommit.get(i) instanceof Effect.Return) {
                returned = i;
            } else if (atCommit.get(i) instanceof Effect.Answer) {
                answered = i;
            }
        }
        assertTrue(returned >= 0 && returned < answered, "returned before commit-ok: " + atCommit);
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void routedAtThePublishIntoTheQueuesStillThereAtCommit() {
        ch.ok(declareWith("kept"));
        ch.ok(declareWith("deleted"));
        ch.ok(declareExchange("x", "fanout"));
        ch.ok(bind("kept", "x", ""));
        ch.ok(bind("deleted", "x", ""));
        publishInTx("x", "", "m", false);
        ch.ok(declareWith("late"));
        ch.ok(bind("late", "x", ""));
        ch.ok(deleteQueue("deleted", false, false));
        commit();
        assertEquals(1, ch.ready("kept"));
        assertEquals(0, ch.ready("late"), "bound after the publish: RabbitMQ routes at the method");
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void closingTheChannelDropsStagedPublishesAndRequeuesStagedAcks() {
        ch.ok(declareWith("q"));
        ch.publish("", "q", "m");
        long tag = tx.ok(get("q", false)).getGotMessage().getDeliveryTag();
        ackInTx(tag);
        publishInTx("", "q", "uncommitted", false);
        tx.ok(closeChannel());
        assertEquals(List.of("m"), ch.drain("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void recoverLeavesADeliveryAStagedAckNames() {
        ch.ok(declareWith("q"));
        ch.publish("", "q", "a");
        ch.publish("", "q", "b");
        long first = tx.ok(get("q", false)).getGotMessage().getDeliveryTag();
        tx.ok(get("q", false));
        ackInTx(first);
        tx.ok(recover());
        assertEquals(1, ch.ready("q"), "b came back, a is still being acked");
        commit();
        assertEquals(List.of("b"), ch.drain("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aCommitWaitsForAnOpAResentBatchBringsLate() {
        ch.ok(declareWith("q"));
        publishInTx("", "q", "a", false);
        Command.Builder late = CommandFixtures.publish("", "q", "b", false, 0);
        late.getPublishBuilder().setTxOp(++txOps); // number 2, held back as a failed batch would be
        long request = 902;
        List<Effect> atCommit = driver.submit("n1", Command.newBuilder().setChannel(tx.ref).setRequest(request)
                .setTxCommit(TxCommit.newBuilder().setThrough(txOps)).build());
        assertTrue(atCommit.stream().noneMatch(e -> e instanceof Effect.Answer), "answered before op 2");
        assertEquals(0, ch.ready("q"));
        Command.Builder next = CommandFixtures.publish("", "q", "next-tx", false, 0);
        next.getPublishBuilder().setTxOp(3); // the next transaction's first, applied before the resend
        tx.send(next);
        List<Effect> atResend = tx.send(late);
        assertEquals(request, answerOf(atResend).request());
        assertEquals(List.of("a", "b"), ch.drain("q"), "op 3 waits for its own commit");
        txOps = 3;
        commit();
        assertEquals(List.of("next-tx"), ch.drain("q"));
        driver.checkNoStoredMessageLeaks();
    }

    private static Effect.Answer answerOf(List<Effect> effects) {
        return effects.stream().filter(e -> e instanceof Effect.Answer).map(e -> (Effect.Answer) e).findFirst()
                .orElseThrow(() -> new AssertionError("no answer in " + effects));
    }

    @Test
    void stagedWorkAndAWaitingCommitSurviveASnapshot() {
        ch.ok(declareWith("q"));
        ch.publish("", "q", "m");
        long tag = tx.ok(get("q", false)).getGotMessage().getDeliveryTag();
        ackInTx(tag);
        publishInTx("", "q", "staged", false);
        Command.Builder late = CommandFixtures.publish("", "q", "late", false, 0);
        late.getPublishBuilder().setTxOp(++txOps);
        driver.submit("n1", Command.newBuilder().setChannel(tx.ref).setRequest(903)
                .setTxCommit(TxCommit.newBuilder().setThrough(txOps)).build());
        driver.core = DeterminismTest.load(DeterminismTest.snapshot(driver.core));
        driver.checkNoStoredMessageLeaks();
        assertEquals(903, answerOf(tx.send(late)).request());
        assertEquals(List.of("staged", "late"), ch.drain("q"));
        assertEquals(0, unacked("q"), "the staged ack committed");
        driver.checkNoStoredMessageLeaks();
    }
}
