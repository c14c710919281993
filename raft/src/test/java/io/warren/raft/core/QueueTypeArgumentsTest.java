package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.warren.proto.Command;
import io.warren.proto.Reply;
import org.junit.jupiter.api.Test;

/**
 * Arguments one queue type takes and the other refuses, with RabbitMQ 3.10's texts (probed), and
 * x-queue-mode, which a classic queue takes ("lazy" is what every Warren queue does anyway).
 */
class QueueTypeArgumentsTest {
    private final CoreDriver driver = new CoreDriver();

    private String refusal(Command.Builder declare) {
        Reply reply = driver.connect().channel().call(declare);
        assertEquals(ReplyCodes.PRECONDITION_FAILED, reply.getRefusal().getCode(), () -> "reply: " + reply);
        return reply.getRefusal().getText();
    }

    @Test
    void eachTypeRefusesTheOthersArgumentsFirst() {
        assertEquals("invalid arg 'x-max-priority' for queue 'q' in vhost '/' of queue type rabbit_quorum_queue",
                refusal(declareWith("q", "x-queue-type", "quorum", "x-max-priority", 5)));
        assertEquals("invalid arg 'x-queue-mode' for queue 'q' in vhost '/' of queue type rabbit_quorum_queue",
                refusal(declareWith("q", "x-queue-type", "quorum", "x-queue-mode", "other")));
        assertEquals("invalid arg 'x-delivery-limit' for queue 'q' in vhost '/' of queue type rabbit_classic_queue",
                refusal(declareWith("q", "x-delivery-limit", 1)));
    }

    @Test
    void aClassicQueueTakesLazyAndDefaultAndComparesTheMode() {
        var ch = driver.connect().channel();
        ch.ok(declareWith("lazy", "x-queue-mode", "lazy"));
        ch.ok(declareWith("default", "x-queue-mode", "default"));
        assertEquals("invalid arg 'x-queue-mode' for queue 'q' in vhost '/': \"unsupported queue mode 'other'\"",
                refusal(declareWith("q", "x-queue-mode", "other")));
        assertEquals("invalid arg 'x-queue-mode' for queue 'q' in vhost '/': {unacceptable_type,signedint}",
                refusal(declareWith("q", "x-queue-mode", 5)));
        assertEquals("inequivalent arg 'x-queue-mode' for queue 'lazy' in vhost '/': received 'default' but current"
                + " is 'lazy'", refusal(declareWith("lazy", "x-queue-mode", "default")));
    }
}
