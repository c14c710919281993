package io.warren.raft.ratis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.grpc.server.GrpcLogAppender;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.raftlog.RaftLogIOException;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ratis' gRPC log appender, except that a repeated INCONSISTENCY hint is followed (see {@link FollowerHint}),
 * and that a follower which needs an entry whose messages this node's store has reclaimed is sent the
 * snapshot instead: the store gives settled segments back once a snapshot covers them, before Ratis purges
 * the log behind it (it purges by whole log segments, which may hold hundreds of thousands of entries).
 * And a commit index the follower lacks is sent within 2 ms, in an empty append, when there is no entry
 * to carry it (see {@link CommitNotices}, {@link CommitAlone}).
 */
final class HintFollowingLogAppender extends GrpcLogAppender implements CommitNotices.Listener {
    private static final Logger log = LoggerFactory.getLogger(HintFollowingLogAppender.class);

    private final FollowerHint hint = new FollowerHint();
    private final CommitAlone commitAlone = new CommitAlone();
    /** Null only where Ratis runs another state machine (none does in Warren). */
    private final WarrenStateMachine stateMachine;

    HintFollowingLogAppender(RaftServer.Division server, LeaderState leaderState, FollowerInfo follower) {
        super(server, leaderState, follower);
        stateMachine = server.getStateMachine() instanceof WarrenStateMachine warren ? warren : null;
        if (stateMachine != null) {
            stateMachine.commitNotices().add(this);
        }
    }

    @Override
    public CompletableFuture<LifeCycle.State> stopAsync() {
        if (stateMachine != null) {
            stateMachine.commitNotices().remove(this);
        }
        return super.stopAsync();
    }

    @Override
    public void committedThrough(long index) {
        if (getFollower().getCommitIndex() < index) {
            notifyLogAppender();
        }
    }

    @Override
    public AppendEntriesRequestProto newAppendEntriesRequest(long callId, boolean heartbeat)
            throws RaftLogIOException {
        AppendEntriesRequestProto request = super.newAppendEntriesRequest(callId, heartbeat);
        if (request != null || heartbeat) {
            if (request != null && request.getEntriesCount() > 0) {
                commitAlone.entriesSent();
            }
            return request;
        }
        // Nothing to send: Ratis would wait for the heartbeat, however far the follower's commit is behind.
        if (!commitAlone.shouldSend(getRaftLog().getLastCommittedIndex(), getFollower().getCommitIndex(),
                hasPendingDataRequests(), System.nanoTime())) {
            return null;
        }
        return super.newAppendEntriesRequest(callId, true);
    }

    @Override
    public long getWaitTimeMs() {
        long ratisWaitMs = super.getWaitTimeMs();
        long holdNanos = commitAlone.waitNanos(System.nanoTime());
        if (holdNanos < 0) {
            return ratisWaitMs;
        }
        // at least 1 ms: Ratis' await takes whole milliseconds, and 0 does not wait at all
        return Math.min(ratisWaitMs, Math.max(1, TimeUnit.NANOSECONDS.toMillis(holdNanos)));
    }

    @Override
    public SnapshotInfo shouldInstallSnapshot() {
        SnapshotInfo ratisChoice = super.shouldInstallSnapshot();
        if (ratisChoice != null || stateMachine == null) {
            return ratisChoice;
        }
        SnapshotInfo snapshot = stateMachine.getLatestSnapshot();
        long next = getFollower().getNextIndex();
        long reclaimedThrough = stateMachine.reclaimedThrough();
        if (snapshot == null || next >= getRaftLog().getNextIndex() || next > reclaimedThrough
                || next > snapshot.getIndex()) {
            return null;
        }
        log.info("event=follower_sent_snapshot follower={} next_index={} reclaimed_through={} snapshot_index={}"
                + " reason=entry_messages_reclaimed", getFollowerId(), next, reclaimedThrough, snapshot.getIndex());
        return snapshot;
    }

    @Override
    protected long getNextIndexForInconsistency(long requestFirstIndex, long replyNextIndex) {
        long ratisNext = super.getNextIndexForInconsistency(requestFirstIndex, replyNextIndex);
        long next;
        boolean firstTime;
        synchronized (hint) { // replies on the heartbeat and the append stream may arrive at once
            next = hint.next(ratisNext, replyNextIndex, requestFirstIndex);
            firstTime = hint.trustedFirstTime();
        }
        if (next != ratisNext && firstTime) {
            log.warn("event=follower_hint_followed follower={} hint={} match_index={} ratis_next={}",
                    getFollowerId(), replyNextIndex, getFollower().getMatchIndex(), ratisNext);
        }
        return next;
    }
}
