package io.warren.raft.ratis;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

/**
 * Ratis' gRPC transport with {@link HintFollowingLogAppender} as the leader's appender. Ratis finds an
 * RPC type by class name (raft.rpc.type), so this class must stay public with a no-argument constructor.
 */
public final class HintFollowingRpcType implements RpcType {

    @Override
    public String name() {
        return HintFollowingRpcType.class.getName();
    }

    @Override
    public GrpcFactory newFactory(Parameters parameters) {
        return new GrpcFactory(parameters) {
            @Override
            public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
                return new HintFollowingLogAppender(server, state, follower);
            }
        };
    }
}
