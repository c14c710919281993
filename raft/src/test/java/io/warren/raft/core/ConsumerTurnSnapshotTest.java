package io.warren.raft.core;

import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The queue's round-robin turn stays within its consumers when the consumer whose turn is next goes away,
 * so the state still makes a snapshot a restarted node can load (the submitter simulation's seed 5611
 * found a snapshot refused with "round-robin index out of range": the last of three consumers was next and
 * was cancelled).
 */
class ConsumerTurnSnapshotTest {
    @Test
    void cancellingTheConsumerWhoseTurnIsNextLeavesALoadableSnapshot() {
        CoreDriver driver = new CoreDriver();
        CoreDriver.Channel publisher = driver.connect().channel();
        publisher.ok(declareQueue("turns", true, false, false));
        List<CoreDriver.Channel> consumers = List.of(driver.connect().channel(), driver.connect().channel(),
                driver.connect().channel());
        for (int i = 0; i < consumers.size(); i++) {
            consumers.get(i).ok(consume("turns", "c" + i, true));
        }
        publisher.publish("", "turns", "first");
        publisher.publish("", "turns", "second"); // c0 and c1 had theirs: c2 is next
        assertEquals(1, consumers.get(0).deliveries().size());
        assertEquals(1, consumers.get(1).deliveries().size());
        consumers.get(2).ok(cancel("c2"));

        byte[] snapshot = SnapshotBytes.of(driver.core);
        BrokerCore loaded = SnapshotBytes.load(snapshot);
        assertArrayEquals(snapshot, SnapshotBytes.of(loaded), "the loaded state is the one written");
        publisher.publish("", "turns", "third");
        assertEquals(2, consumers.get(0).deliveries().size(), "the turn went round to the first consumer");
    }

    @Test
    void aSnapshotWrittenWithTheTurnOutOfRangeLoadsWithTheTurnDispatchWouldTake() throws Exception {
        CoreDriver driver = new CoreDriver();
        CoreDriver.Channel channel = driver.connect().channel();
        channel.ok(declareQueue("turns", true, false, false));
        channel.ok(consume("turns", "a", true));
        channel.ok(consume("turns", "b", true));
        // As the code before the fix could write it: turn 5 of two consumers, which dispatch took as 5 % 2.
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        var in = new java.io.ByteArrayInputStream(SnapshotBytes.of(driver.core));
        io.warren.proto.SnapshotRecord record;
        while ((record = io.warren.proto.SnapshotRecord.parseDelimitedFrom(in)) != null) {
            if (record.hasQueue() && record.getQueue().getName().equals("turns")) {
                record = record.toBuilder().setQueue(record.getQueue().toBuilder().setNextConsumerIndex(5)).build();
            }
            SnapshotBytes.write(record, out);
        }
        driver.core = SnapshotBytes.load(out.toByteArray());
        channel.publish("", "turns", "after the load");
        List<Effect.Deliver> deliveries = channel.deliveries();
        assertEquals("b", deliveries.get(deliveries.size() - 1).consumerTag(), "turn 5 % 2: the second consumer");
    }
}
