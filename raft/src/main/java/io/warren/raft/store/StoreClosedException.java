package io.warren.raft.store;

import java.io.IOException;

/** A write the store did not take because it was closing: the node is stopping, not failing. */
public final class StoreClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    public StoreClosedException() {
        super("message store closed");
    }
}
