package io.warren.raft.core;

import io.warren.proto.ConnectionRef;

/** A connection's identity as a map key: (node, epoch, node-local id). */
record ConnectionKey(String node, long epoch, long id) {
    static ConnectionKey of(ConnectionRef ref) {
        return new ConnectionKey(ref.getNode(), ref.getEpoch(), ref.getId());
    }

    ConnectionRef toRef() {
        return ConnectionRef.newBuilder().setNode(node).setEpoch(epoch).setId(id).build();
    }
}
