package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.warren.proto.Reply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * x-delivery-limit and the delivery count a quorum queue reports in x-delivery-count, in the core: how many
 * deliveries a message gets, what counts as coming back, and that a classic queue ignores both, as
 * RabbitMQ 3.10's do (DeliveryLimitClientTest holds the same against it).
 */
class DeliveryLimitTest {
    private final CoreDriver driver = new CoreDriver();
    private final CoreDriver.Channel ch = driver.connect().channel();

    /** Gets and nacks with requeue until the queue has nothing; the delivery counts seen, one per get. */
    private List<Integer> getAndReturnUntilGone(String queue) {
        List<Integer> counts = new ArrayList<>();
        for (Reply got = ch.ok(get(queue, false)); got.hasGotMessage(); got = ch.ok(get(queue, false))) {
            counts.add(got.getGotMessage().getDeliveryCount());
            ch.send(nack(got.getGotMessage().getDeliveryTag(), false, true));
        }
        return counts;
    }

    @Test
    void aQuorumQueueDeliversAMessageOneTimeMoreThanItsLimit() {
        ch.ok(declareWith("q", "x-queue-type", "quorum", "x-delivery-limit", 2));
        ch.publish("", "q", "m");
        assertEquals(List.of(0, 1, 2), getAndReturnUntilGone("q"), "the count after each return, then dropped");
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aLimitOfZeroDropsAtTheFirstReturn() {
        ch.ok(declareWith("q", "x-queue-type", "quorum", "x-delivery-limit", 0));
        ch.publish("", "q", "m");
        assertEquals(List.of(0), getAndReturnUntilGone("q"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aClosedChannelsDeliveriesComeBackCounted() {
        ch.ok(declareWith("q", "x-queue-type", "quorum", "x-delivery-limit", 1));
        ch.publish("", "q", "m");
        var consumer = driver.connect().channel();
        consumer.ok(consume("q", "c", false));
        consumer.ok(closeChannel());
        Reply got = ch.ok(get("q", false));
        assertEquals(1, got.getGotMessage().getDeliveryCount());
        ch.send(reject(got.getGotMessage().getDeliveryTag(), true));
        assertEquals(0, ch.ok(declareQueuePassive("q")).getQueueDeclared().getMessageCount(), "past the limit");
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aClassicQueueRefusesALimitAndReportsNoCount() {
        Reply refused = ch.call(declareWith("limited", "x-delivery-limit", 0));
        assertEquals(ReplyCodes.PRECONDITION_FAILED, refused.getRefusal().getCode());
        assertEquals("invalid arg 'x-delivery-limit' for queue 'limited' in vhost '/' of queue type rabbit_classic_queue",
                refused.getRefusal().getText());
        var other = driver.connect().channel();
        other.ok(declareWith("q"));
        other.publish("", "q", "m");
        for (int i = 0; i < 3; i++) {
            Reply got = other.ok(get("q", false));
            assertEquals(-1, got.getGotMessage().getDeliveryCount(), "no x-delivery-count header");
            other.send(nack(got.getGotMessage().getDeliveryTag(), false, true));
        }
        assertEquals(1, other.ok(declareQueuePassive("q")).getQueueDeclared().getMessageCount());
    }

    @Test
    void aQuorumQueueCountsReturnsWithoutALimitToo() {
        ch.ok(declareWith("q", "x-queue-type", "quorum"));
        ch.publish("", "q", "m");
        var consumer = driver.connect().channel();
        consumer.ok(consume("q", "c", false));
        consumer.send(nack(consumer.deliveries().get(0).deliveryTag(), false, true));
        assertEquals(List.of(-1, 1), consumer.deliveries().stream().map(Effect.Deliver::deliveryCount).toList(),
                "a consumer's first delivery has no header, as RabbitMQ 3.10's; basic.get's has 0");
    }

    @Test
    void aNegativeLimitActsAsZeroAndOneThatIsNotAnIntegerIsIgnored() {
        ch.ok(declareWith("negative", "x-queue-type", "quorum", "x-delivery-limit", -1));
        ch.publish("", "negative", "m");
        assertEquals(List.of(0), getAndReturnUntilGone("negative"));
        ch.ok(declareWith("text", "x-queue-type", "quorum", "x-delivery-limit", "x"));
        ch.publish("", "text", "m");
        for (int i = 0; i < 5; i++) {
            Reply got = ch.ok(get("text", false));
            assertEquals(i, got.getGotMessage().getDeliveryCount());
            ch.send(nack(got.getGotMessage().getDeliveryTag(), false, true));
        }
        assertEquals(1, ch.ok(declareQueuePassive("text")).getQueueDeclared().getMessageCount(), "no limit");
    }
}
