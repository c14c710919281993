package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** When the leader sends a Tick, against a clock, an earliest expiry and a role the test sets. */
class ExpiryTicksTest {
    private static final class FakeNode implements ExpiryTicks.Seams {
        long now;
        long earliest = Long.MAX_VALUE;
        boolean leader = true;
        int ticks;

        @Override
        public long nowMs() {
            return now;
        }

        @Override
        public long earliestExpiryMs() {
            return earliest;
        }

        @Override
        public boolean isLeader() {
            return leader;
        }

        @Override
        public void submitTick() {
            ticks++;
        }
    }

    private final FakeNode node = new FakeNode();
    private final ExpiryTicks ticks = new ExpiryTicks(node);

    @Test
    void shouldTickOnlyOnceTheClockIsPastTheEarliestExpiry() {
        node.now = 1_000;
        ticks.poll();
        assertEquals(0, node.ticks, "nothing expires");
        node.earliest = 1_200;
        node.now = 1_200;
        ticks.poll();
        assertEquals(0, node.ticks, "at the expiry itself the message still lives");
        node.now = 1_201;
        ticks.poll();
        assertEquals(1, node.ticks);
    }

    @Test
    void shouldNotTickAgainForTheSameExpiryUntilTheTickLooksLost() {
        node.earliest = 100;
        node.now = 101;
        ticks.poll();
        node.now = 101 + ExpiryTicks.RESEND_AFTER_MS - 1;
        ticks.poll();
        assertEquals(1, node.ticks, "the first is on its way");
        node.now = 101 + ExpiryTicks.RESEND_AFTER_MS;
        ticks.poll();
        assertEquals(2, node.ticks, "not applied within the resend time: sent again");
        node.earliest = 150; // applied: the next head expires later
        node.now += 1;
        ticks.poll();
        assertEquals(3, node.ticks, "a new earliest expiry, due already");
    }

    @Test
    void shouldLeaveTicksToTheLeader() {
        node.leader = false;
        node.earliest = 100;
        node.now = 500;
        ticks.poll();
        assertEquals(0, node.ticks);
        node.leader = true;
        ticks.poll();
        assertEquals(1, node.ticks);
    }
}
