package io.warren.raft.store;

/** A stored record fails its checksum or framing: it is never served (issue 11, point 7). */
public final class StoreCorruptException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreCorruptException(String message) {
        super(message);
    }
}
