package io.warren.raft.core;

import io.warren.proto.ConnectionRef;

/** A connection's identity as a map key: (node, epoch, node-local id). */
record ConnectionKey(String node, long epoch, long id) {
    static ConnectionKey of(ConnectionRef ref) {
        return new ConnectionKey(ref.getNode(), ref.getEpoch(), ref.getId());
    }

    // Written out: every command looks its connection and channel up, and the record's generated methods
    // go through method handles that C1 does not inline (a tenth of the apply thread in a JFR profile).
    @Override
    public boolean equals(Object other) {
        return other instanceof ConnectionKey key && id == key.id && epoch == key.epoch && node.equals(key.node);
    }

    @Override
    public int hashCode() {
        return (int) (id * 31 + epoch) * 31 + node.hashCode();
    }

    ConnectionRef toRef() {
        return ConnectionRef.newBuilder().setNode(node).setEpoch(epoch).setId(id).build();
    }
}
