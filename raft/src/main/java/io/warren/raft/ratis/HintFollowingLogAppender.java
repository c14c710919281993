package io.warren.raft.ratis;

import org.apache.ratis.grpc.server.GrpcLogAppender;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Ratis' gRPC log appender, except that a repeated INCONSISTENCY hint is followed: see {@link FollowerHint}. */
final class HintFollowingLogAppender extends GrpcLogAppender {
    private static final Logger log = LoggerFactory.getLogger(HintFollowingLogAppender.class);

    private final FollowerHint hint = new FollowerHint();

    HintFollowingLogAppender(RaftServer.Division server, LeaderState leaderState, FollowerInfo follower) {
        super(server, leaderState, follower);
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
