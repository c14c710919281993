package io.warren.raft.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contact with a majority that a node's serving lease is renewed from, as each role sees it. */
class GroupViewTest {
    private static final List<String> THREE = List.of("n1", "n2", "n3");
    private static final List<String> FIVE = List.of("n1", "n2", "n3", "n4", "n5");

    @Test
    void shouldCountAFollowersContactFromItsLeadersLastMessage() {
        GroupView follower = new GroupView("n1", "FOLLOWER", "n2", false, 700, Map.of(), THREE);
        assertEquals(700, follower.contactAgeMs());
        assertTrue(follower.inContact(700));
        assertFalse(follower.inContact(699));
    }

    @Test
    void shouldHaveNoContactWithoutALeaderOrAsALeaderNotReadyYet() {
        assertEquals(Long.MAX_VALUE, new GroupView("n1", "CANDIDATE", null, false, Long.MAX_VALUE, Map.of(), THREE)
                .contactAgeMs());
        assertEquals(Long.MAX_VALUE, new GroupView("n1", "LEADER", "n1", false, Long.MAX_VALUE, Map.of(), THREE)
                .contactAgeMs());
    }

    @Test
    void shouldCountALeadersContactFromTheFollowerThatCompletesItsMajority() {
        // Three members: the leader and its quickest follower are a majority.
        assertEquals(100, leader(THREE, Map.of("n2", 4_000L, "n3", 100L)).contactAgeMs());
        // Five members: it takes the two quickest followers.
        assertEquals(900, leader(FIVE, Map.of("n2", 100L, "n3", 5_000L, "n4", 900L, "n5", 8_000L)).contactAgeMs());
        // A follower never heard from counts as silent for ever.
        assertEquals(Long.MAX_VALUE, leader(FIVE, Map.of("n2", 100L)).contactAgeMs());
    }

    @Test
    void shouldTreatALoneLeaderAsItsOwnMajorityAndALeaderOutsideTheConfigurationAsNotCounting() {
        assertEquals(0, leader(List.of("n1"), Map.of()).contactAgeMs());
        // Being removed: n1 leads a configuration of n2 and n3 without being in it, so both must answer.
        assertEquals(300, leader(List.of("n2", "n3"), Map.of("n2", 300L, "n3", 20L)).contactAgeMs());
    }

    private static GroupView leader(List<String> members, Map<String, Long> silences) {
        return new GroupView("n1", "LEADER", "n1", true, 0, silences, members);
    }
}
