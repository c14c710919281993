package io.warren.node;

import io.warren.raft.core.BrokerQueries;
import io.warren.raft.ratis.GroupView;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link NodeLiveness} sees of the cluster and asks of it: the Raft group's view, this node's registration
 * and epoch in the replicated state, and down declarations. Production binds it to Ratis, the state machine,
 * the dispatcher and the submitter ({@link RaftLivenessCluster}); tests bind their own.
 */
interface LivenessCluster {
    /** What this node's Raft server knows of the group now. */
    GroupView view() throws IOException;

    /** Asks the Raft group to move its leadership to {@code member}. */
    void transferLeadership(String member) throws IOException;

    /** The replicated state's nodes with their epochs, as this node has applied it. */
    List<BrokerQueries.NodeView> nodes();

    /** True while the applied state holds this node's {@code epoch} as live. */
    boolean isLive(long epoch);

    /** The epoch a registration with this incarnation got in the applied state, or 0 when none did. */
    long epochRegisteredBy(byte[] incarnation);

    /**
     * Sends a registration with this incarnation through the log. The future completes with the epoch when
     * the entry applies, or fails when it could not be committed (its outcome is then unknown).
     */
    CompletableFuture<Long> register(byte[] incarnation);

    /** The epoch this node serves under (0 before the first registration). */
    long epoch();

    /** From now on, this node's commands and effects belong to {@code epoch}. */
    void useEpoch(long epoch);

    /** Submits a declaration that {@code node}'s {@code epoch} is down (a leader's duty). */
    void declareDown(String node, long epoch);
}
