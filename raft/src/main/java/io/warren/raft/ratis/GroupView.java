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

    /** In contact with a working majority within the last {@code silenceMaxMs}; see {@link #contactAgeMs}. */
    public boolean inContact(long silenceMaxMs) {
        return contactAgeMs() <= silenceMaxMs;
    }

    /**
     * How long ago this node was last in contact with a working majority: on a follower, since it last heard
     * its leader; on a ready leader, since enough followers answered to make a majority with it (the
     * slowest of the quickest ones). {@link Long#MAX_VALUE} when there is no such contact: no leader known,
     * a leader not ready yet, or too few followers ever answered.
     */
    public long contactAgeMs() {
        if (!leaderReady) {
            return leader != null && !leader.equals(self) ? leaderSilenceMs : Long.MAX_VALUE;
        }
        int majority = members.size() / 2 + 1;
        int needed = majority - (members.contains(self) ? 1 : 0);
        if (needed <= 0) {
            return 0;
        }
        List<Long> silences = members.stream().filter(member -> !member.equals(self))
                .map(member -> followerSilenceMs.getOrDefault(member, Long.MAX_VALUE)).sorted().toList();
        return silences.size() < needed ? Long.MAX_VALUE : silences.get(needed - 1);
    }
}
