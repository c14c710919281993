package io.warren.raft.core;

import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The counts behind the management API's message_stats, as RabbitMQ counts them: a publish once per message
 * (and once into each queue that takes it), a confirm per acked confirm, unroutable returns and drops,
 * deliveries and gets with and without acks, acks, and redeliveries; per queue and for the whole broker.
 */
class MessageStatsTest {
    private final CoreDriver driver = new CoreDriver();
    private final CoreDriver.Channel ch = driver.connect().channel();

    private MessageStats queue(String name) {
        return driver.core.queries().queues("/").stream().filter(q -> q.name().equals(name)).findFirst()
                .orElseThrow().messageStats();
    }

    @Test
    void publishesDeliveriesGetsAcksAndRedeliveriesAreCountedPerQueueAndOverall() {
        ch.ok(declareQueue("stats-a", true, false, false));
        ch.ok(declareQueue("stats-b", true, false, false));
        ch.ok(bind("stats-a", "amq.fanout", ""));
        ch.ok(bind("stats-b", "amq.fanout", ""));
        ch.publishConfirmed("amq.fanout", "", "to both");      // one publish, into two queues
        ch.publish("", "stats-a", "a-only");
        ch.publish("", "nowhere", "dropped");                  // unroutable, not mandatory
        ch.send(CommandFixtures.publish("", "nowhere", "returned", true, 0));

        ch.ok(get("stats-b", true));                            // a get without ack
        ch.ok(consume("stats-a", "c1", false));                 // two deliveries with acks
        var first = ch.deliveries().get(0);
        ch.send(nack(first.deliveryTag(), false, true));        // requeued: redelivered
        var again = ch.deliveries().stream().filter(Effect.Deliver::redelivered).findFirst().orElseThrow();
        ch.send(ack(again.deliveryTag(), false));

        MessageStats a = queue("stats-a");
        assertEquals(2, a.publish(), "into stats-a: the fanout's and its own");
        assertEquals(3, a.deliver(), "two, and one again after the nack");
        assertEquals(1, a.redeliver());
        assertEquals(1, a.ack());
        assertEquals(0, a.get() + a.getNoAck() + a.deliverNoAck());
        MessageStats b = queue("stats-b");
        assertEquals(1, b.publish());
        assertEquals(1, b.getNoAck());
        assertEquals(1, b.deliverGet());

        MessageStats all = driver.core.queries().messageStats();
        assertEquals(4, all.publish(), "each message once, routed or not");
        assertEquals(1, all.confirm());
        assertEquals(1, all.dropUnroutable());
        assertEquals(1, all.returnUnroutable());
        assertEquals(4, all.deliverGet(), "three deliveries and a get");
        assertEquals(1, all.ack());
        assertEquals(1, all.redeliver());
    }
}
