package io.warren.raft.core;

import io.warren.proto.ChannelRef;

/** A channel's identity as a map key: its connection plus a node-local channel id. */
record ChannelKey(ConnectionKey connection, long id) {
    static ChannelKey of(ChannelRef ref) {
        return new ChannelKey(ConnectionKey.of(ref.getConnection()), ref.getId());
    }

    // Written out for the reason ConnectionKey gives.
    @Override
    public boolean equals(Object other) {
        return other instanceof ChannelKey key && id == key.id && connection.equals(key.connection);
    }

    @Override
    public int hashCode() {
        return connection.hashCode() * 31 + Long.hashCode(id);
    }
}
