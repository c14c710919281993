package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.codec.FieldValue;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The expected values are what RabbitMQ 3.10 wrote in the probes of docs/dead-lettering.md. */
class DeadLetterCopyTest {
    private static final long NOW = 1_796_000_000L;

    @Test
    void shouldWriteTheFirstDeathAsRabbitMqDoesKeepingCcAndMovingTheExpiration() {
        FieldTable headers = FieldTable.builder().put("h", new FieldValue.Int32(1))
                .put("CC", new FieldValue.Array(List.of(FieldValue.Text.of("other")))).build();
        BasicProperties original = BasicProperties.EMPTY.withHeaders(headers).withDeliveryMode(2)
                .withExpiration("60000");

        DeadLetterCopy copy = DeadLetterCopy.of(original, "src", "k", "rejected", "s", null, NOW);

        assertEquals("k", copy.routingKey());
        assertNull(copy.properties().expiration());
        assertEquals(2, copy.properties().deliveryMode());
        assertEquals(List.of("CC", "h", "x-death", "x-first-death-exchange", "x-first-death-queue",
                "x-first-death-reason"), List.copyOf(copy.properties().headers().entries().keySet()));
        FieldTable death = onlyDeath(copy);
        assertEquals(List.of("count", "reason", "queue", "time", "exchange", "routing-keys", "original-expiration"),
                List.copyOf(death.entries().keySet()));
        assertEquals(new FieldValue.Int64(1), death.get("count"));
        assertEquals(FieldValue.Text.of("rejected"), death.get("reason"));
        assertEquals(FieldValue.Text.of("s"), death.get("queue"));
        assertEquals(new FieldValue.Timestamp(NOW), death.get("time"));
        assertEquals(FieldValue.Text.of("src"), death.get("exchange"));
        assertEquals(new FieldValue.Array(List.of(FieldValue.Text.of("k"), FieldValue.Text.of("other"))),
                death.get("routing-keys"));
        assertEquals(FieldValue.Text.of("60000"), death.get("original-expiration"));
        assertEquals(FieldValue.Text.of("s"), copy.properties().headers().get("x-first-death-queue"));
        assertEquals(List.of(), copy.cycleQueues(), "a rejection closes no cycle");
    }

    @Test
    void shouldRouteWithTheDeadLetterRoutingKeyAndDropTheCcHeader() {
        BasicProperties original = BasicProperties.EMPTY.withHeaders(FieldTable.builder()
                .put("CC", new FieldValue.Array(List.of(FieldValue.Text.of("x")))).build());

        DeadLetterCopy copy = DeadLetterCopy.of(original, "src", "t", "expired", "t", "dlk", NOW);

        assertEquals("dlk", copy.routingKey());
        assertNull(copy.properties().headers().get("CC"));
        assertEquals(new FieldValue.Array(List.of(FieldValue.Text.of("t"), FieldValue.Text.of("x"))),
                onlyDeath(copy).get("routing-keys"));
        assertNull(onlyDeath(copy).get("original-expiration"));
    }

    @Test
    void shouldCountARepeatedDeathUpAndPutItFirstAsTheRetryLoopShowed() {
        // w (rejected, DLX retryx) -> r (TTL, DLX "") -> w, twice: RabbitMQ's headers after each round
        DeadLetterCopy first = DeadLetterCopy.of(BasicProperties.EMPTY, "", "w", "rejected", "w", null, NOW);
        DeadLetterCopy second = DeadLetterCopy.of(first.properties(), "retryx", "w", "expired", "r", null, NOW + 1);
        List<FieldValue> round1 = deaths(second);
        assertEquals(2, round1.size());
        FieldTable newest = ((FieldValue.Table) round1.get(0)).value();
        assertEquals(List.of("count", "exchange", "queue", "reason", "routing-keys", "time"),
                List.copyOf(newest.entries().keySet()), "a later death's entry comes sorted");
        assertEquals(FieldValue.Text.of("r"), newest.get("queue"));
        assertEquals(List.of("r"), second.cycleQueues(), "r expiring back into r would be a cycle; w was rejected");

        DeadLetterCopy third = DeadLetterCopy.of(second.properties(), "", "w", "rejected", "w", null, NOW + 2);
        DeadLetterCopy fourth = DeadLetterCopy.of(third.properties(), "retryx", "w", "expired", "r", null, NOW + 3);
        List<FieldValue> round2 = deaths(fourth);
        assertEquals(2, round2.size());
        FieldTable r = ((FieldValue.Table) round2.get(0)).value();
        FieldTable w = ((FieldValue.Table) round2.get(1)).value();
        assertEquals(new FieldValue.Int64(2), r.get("count"));
        assertEquals(new FieldValue.Timestamp(NOW + 1), r.get("time"), "the time of its first such death stays");
        assertEquals(FieldValue.Text.of("retryx"), r.get("exchange"));
        assertEquals(new FieldValue.Int64(2), w.get("count"));
        assertEquals(FieldValue.Text.of(""), w.get("exchange"));
        assertEquals(FieldValue.Text.of("w"), fourth.properties().headers().get("x-first-death-queue"));
        assertEquals(FieldValue.Text.of("rejected"), fourth.properties().headers().get("x-first-death-reason"));
    }

    @Test
    void shouldNameEveryQueueOfAFullyAutomaticCycle() {
        // c1 expires into c2, c2 into c1: entering c1 again closes the cycle, as does entering c2
        DeadLetterCopy once = DeadLetterCopy.of(BasicProperties.EMPTY, "", "c1", "expired", "c1", "c2", NOW);
        assertEquals(List.of("c1"), once.cycleQueues());
        DeadLetterCopy twice = DeadLetterCopy.of(once.properties(), "", "c2", "expired", "c2", "c1", NOW);
        assertEquals(List.of("c2", "c1"), twice.cycleQueues());
    }

    @Test
    void shouldNotCallACycleAutomaticWhenARejectionOrAClientsValueIsOnTheWay() {
        DeadLetterCopy rejected = DeadLetterCopy.of(BasicProperties.EMPTY, "", "a", "rejected", "a", "b", NOW);
        DeadLetterCopy expired = DeadLetterCopy.of(rejected.properties(), "", "b", "expired", "b", "a", NOW);
        assertEquals(List.of("b"), expired.cycleQueues(), "back into a crosses a's rejection");

        FieldTable forged = FieldTable.builder().put("x-death", new FieldValue.Array(List.of(
                FieldValue.Text.of("not a table"),
                new FieldValue.Table(FieldTable.builder().put("queue", "q").put("reason", "expired").build()))))
                .build();
        DeadLetterCopy copy = DeadLetterCopy.of(BasicProperties.EMPTY.withHeaders(forged), "", "p", "maxlen", "p",
                null, NOW);
        assertEquals(List.of("p"), copy.cycleQueues(), "q's cycle crosses a value a client put there");
    }

    private static FieldTable onlyDeath(DeadLetterCopy copy) {
        List<FieldValue> deaths = deaths(copy);
        assertEquals(1, deaths.size());
        return ((FieldValue.Table) deaths.get(0)).value();
    }

    private static List<FieldValue> deaths(DeadLetterCopy copy) {
        return ((FieldValue.Array) copy.properties().headers().get("x-death")).values();
    }
}
