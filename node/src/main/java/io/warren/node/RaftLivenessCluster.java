package io.warren.node;

import io.warren.raft.core.BrokerQueries;
import io.warren.raft.core.Commands;
import io.warren.raft.ratis.CommandSubmitter;
import io.warren.raft.ratis.GroupView;
import io.warren.raft.ratis.RaftNode;
import io.warren.raft.ratis.WarrenStateMachine;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** {@link LivenessCluster} on a running node: its Ratis server, state machine, dispatcher and submitter. */
final class RaftLivenessCluster implements LivenessCluster {
    /** How long a leadership transfer asked for by a stuck registration may take. */
    private static final long TRANSFER_TIMEOUT_MS = 30_000;

    private final String nodeId;
    private final RaftNode raft;
    private final WarrenStateMachine stateMachine;
    private final EffectDispatcher dispatcher;
    private final CommandSubmitter submitter;

    RaftLivenessCluster(String nodeId, RaftNode raft, WarrenStateMachine stateMachine, EffectDispatcher dispatcher,
            CommandSubmitter submitter) {
        this.nodeId = nodeId;
        this.raft = raft;
        this.stateMachine = stateMachine;
        this.dispatcher = dispatcher;
        this.submitter = submitter;
    }

    @Override
    public GroupView view() throws IOException {
        return raft.view();
    }

    @Override
    public void transferLeadership(String member) throws IOException {
        raft.transferLeadership(member, TRANSFER_TIMEOUT_MS);
    }

    @Override
    public List<BrokerQueries.NodeView> nodes() {
        return stateMachine.query(BrokerQueries::nodes);
    }

    @Override
    public boolean isLive(long epoch) {
        return stateMachine.query(q -> q.isLive(nodeId, epoch));
    }

    @Override
    public long epochRegisteredBy(byte[] incarnation) {
        return stateMachine.query(q -> q.epochRegisteredBy(nodeId, incarnation));
    }

    @Override
    public CompletableFuture<Long> register(byte[] incarnation) {
        CompletableFuture<Long> registered = dispatcher.expectRegistration(incarnation);
        submitter.register(incarnation).whenComplete((done, error) -> {
            if (error != null) {
                registered.completeExceptionally(error);
            }
        });
        return registered;
    }

    @Override
    public long epoch() {
        return dispatcher.epoch();
    }

    @Override
    public void useEpoch(long epoch) {
        dispatcher.useEpoch(epoch);
        submitter.useEpoch(epoch);
    }

    @Override
    public void declareDown(String node, long epoch) {
        submitter.submit(Commands.declareNodeDown(node, epoch).build());
    }
}
