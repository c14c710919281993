package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.warren.node.testing.ClientPair;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.Refusals;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14, point 6, seen by the Java client on three nodes: tx.select, tx.commit and tx.rollback as RabbitMQ
 * 3.10 gives them (probed with pika, docs/probes/transactions-1.py) — publishes and acks take effect together
 * at commit (seen through another node), not at all after a rollback or a close; checks at the method; a
 * mandatory publish returned at commit; tx and confirm mode exclusive. Runs against RabbitMQ 3.10 in
 * reference mode.
 */
@Tag("reference")
class TransactionClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("transactions");

    private static Channel declared(String queue) throws Exception {
        Channel channel = CLIENTS.reading().createChannel();
        channel.queueDelete(queue);
        channel.queueDeclare(queue, true, false, false, null);
        return channel;
    }

    private static Channel transactional() throws Exception {
        Channel tx = CLIENTS.publishing().createChannel();
        tx.txSelect();
        return tx;
    }

    /** Publishes through the reading node and waits for it to be in the queue (a round trip after it). */
    private static void put(Channel reader, String queue, String body) throws Exception {
        reader.basicPublish("", queue, null, body.getBytes());
        reader.queueDeclarePassive(queue);
    }

    private static List<String> drain(Channel channel, String queue) throws Exception {
        List<String> bodies = new ArrayList<>();
        for (GetResponse got = channel.basicGet(queue, true); got != null; got = channel.basicGet(queue, true)) {
            bodies.add(new String(got.getBody()));
        }
        return bodies;
    }

    @Test
    void publishesAreInTheQueueOnlyAfterCommitAndNeverAfterRollback() throws Exception {
        Channel reader = declared("tx-publish");
        Channel tx = transactional();
        tx.basicPublish("", "tx-publish", null, "a".getBytes());
        tx.basicPublish("", "tx-publish", null, "b".getBytes());
        tx.queueDeclarePassive("tx-publish"); // a round trip: both publishes were taken
        assertEquals(0, reader.queueDeclarePassive("tx-publish").getMessageCount(), "before the commit");
        tx.txCommit();
        assertEquals(2, reader.queueDeclarePassive("tx-publish").getMessageCount(), "after the commit");
        tx.basicPublish("", "tx-publish", null, "c".getBytes());
        tx.txRollback();
        tx.basicPublish("", "tx-publish", null, "d".getBytes());
        tx.close(); // uncommitted: gone with the channel
        assertEquals(List.of("a", "b"), drain(reader, "tx-publish"));
    }

    @Test
    void anAckTakesEffectAtCommitAndARolledBackAckCanBeGivenAgain() throws Exception {
        Channel reader = declared("tx-ack");
        put(reader, "tx-ack", "m");
        Channel tx = transactional();
        GetResponse got = tx.basicGet("tx-ack", false);
        assertNotNull(got);
        tx.basicAck(got.getEnvelope().getDeliveryTag(), false);
        tx.txRollback();
        tx.basicAck(got.getEnvelope().getDeliveryTag(), false);
        tx.queueDeclarePassive("tx-ack");
        tx.close(); // the close rolls the second ack back: the message is requeued
        assertEquals(List.of("m"), drain(reader, "tx-ack"));
        put(reader, "tx-ack", "n");
        Channel again = transactional();
        GetResponse second = again.basicGet("tx-ack", false);
        again.basicAck(second.getEnvelope().getDeliveryTag(), false);
        again.txCommit();
        again.close();
        assertEquals(0, reader.queueDeclarePassive("tx-ack").getMessageCount(), "acked at the commit");
    }

    @Test
    void aRequeueInATransactionHappensAtCommit() throws Exception {
        Channel reader = declared("tx-requeue");
        put(reader, "tx-requeue", "m");
        Channel tx = transactional();
        GetResponse got = tx.basicGet("tx-requeue", false);
        tx.basicReject(got.getEnvelope().getDeliveryTag(), true);
        assertEquals(0, reader.queueDeclarePassive("tx-requeue").getMessageCount(), "not requeued before the commit");
        tx.txCommit();
        assertEquals(1, reader.queueDeclarePassive("tx-requeue").getMessageCount());
        tx.close();
    }

    @Test
    void aMandatoryPublishThatRoutesNowhereIsReturnedAtCommit() throws Exception {
        Channel tx = transactional();
        List<String> returned = new CopyOnWriteArrayList<>();
        tx.addReturnListener(r -> returned.add(r.getReplyText() + ":" + new String(r.getBody())));
        tx.basicPublish("", "tx-nowhere", true, null, "r".getBytes());
        tx.queueDeclarePassive("amq.rabbitmq.reply-to"); // a round trip after the publish
        assertEquals(List.of(), returned, "not returned before the commit");
        tx.txCommit();
        Cluster.await("the return", Cluster.WAIT_SECONDS, () -> !returned.isEmpty());
        assertEquals(List.of("NO_ROUTE:r"), returned);
        tx.close();
    }

    @Test
    void aPublishToAMissingExchangeClosesTheChannelAtOnceAndNothingIsCommitted() throws Exception {
        Channel reader = declared("tx-missing");
        Channel tx = transactional();
        tx.basicPublish("", "tx-missing", null, "a".getBytes());
        tx.basicPublish("tx-no-such-exchange", "k", null, "x".getBytes());
        Refusals refused = Refusals.of(tx::txCommit);
        assertEquals(new Refusals(404, "NOT_FOUND - no exchange 'tx-no-such-exchange' in vhost '/'"), refused);
        assertEquals(0, reader.queueDeclarePassive("tx-missing").getMessageCount());
    }

    @Test
    void anAckOfAnUnknownTagIs406AtOnce() throws Exception {
        Channel tx = transactional();
        tx.basicAck(99, false);
        assertEquals(new Refusals(406, "PRECONDITION_FAILED - unknown delivery tag 99"),
                Refusals.of(() -> tx.queueDeclarePassive("amq.rabbitmq.reply-to")));
    }

    @Test
    void txAndConfirmModesExcludeEachOtherAndCommitNeedsSelect() throws Exception {
        Channel tx = transactional();
        assertEquals(new Refusals(406, "PRECONDITION_FAILED - cannot switch from tx to confirm mode"),
                Refusals.of(tx::confirmSelect));
        Channel confirming = CLIENTS.publishing().createChannel();
        confirming.confirmSelect();
        assertEquals(new Refusals(406, "PRECONDITION_FAILED - cannot switch from confirm to tx mode"),
                Refusals.of(confirming::txSelect));
        Channel plain = CLIENTS.publishing().createChannel();
        assertEquals(new Refusals(406, "PRECONDITION_FAILED - channel is not transactional"),
                Refusals.of(plain::txCommit));
        assertTrue(CLIENTS.publishing().isOpen(), "channel errors, not connection errors");
    }
}
