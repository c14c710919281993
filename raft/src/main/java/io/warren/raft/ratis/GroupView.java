package io.warren.raft.ratis;

import java.util.List;
import java.util.Map;

/**
 * What this node's Ratis server knows of the group at one moment, for the node's liveness duties.
 *
 * @param role LEADER, FOLLOWER, CANDIDATE or LISTENER
 * @param leader the leader's id, or null when none is known
 * @param leaderReady this node leads and has applied its own first entry of the term
 * @param leaderSilenceMs on a follower, how long since the leader was last heard; 0 on a ready leader,
 *        and {@link Long#MAX_VALUE} when no leader is known
 * @param followerSilenceMs on a ready leader, how long since each follower last answered
 * @param members the voting members of the current configuration
 */
public record GroupView(String self, String role, String leader, boolean leaderReady, long leaderSilenceMs,
        Map<String, Long> followerSilenceMs, List<String> members) {

    /** In contact with a working majority: a ready leader, or a follower that heard its leader recently. */
    public boolean inContact(long silenceMaxMs) {
        return leaderReady || (leader != null && !leader.equals(self) && leaderSilenceMs <= silenceMaxMs);
    }
}
