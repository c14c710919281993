package io.warren.raft.core;

import io.warren.proto.OpenConnection;

/** One client connection: who it is, in which vhost; ended by CloseConnection or its node's next epoch. */
final class ConnectionState {
    final ConnectionKey key;
    final OpenConnection opened;
    /** The connection refused a command with a connection-scoped code and is closing. */
    boolean failed;

    ConnectionState(ConnectionKey key, OpenConnection opened) {
        this.key = key;
        this.opened = opened;
    }

    String user() {
        return opened.getUser();
    }

    /** Opened by the node's admin server for warrenctl: no permission is checked on it. */
    boolean trusted() {
        return opened.getTrusted();
    }

    String vhost() {
        return opened.getVhost();
    }
}
