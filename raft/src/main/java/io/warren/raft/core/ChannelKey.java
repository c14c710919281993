package io.warren.raft.core;

import io.warren.proto.ChannelRef;

/** A channel's identity as a map key: its connection plus a node-local channel id. */
record ChannelKey(ConnectionKey connection, long id) {
    static ChannelKey of(ChannelRef ref) {
        return new ChannelKey(ConnectionKey.of(ref.getConnection()), ref.getId());
    }
}
