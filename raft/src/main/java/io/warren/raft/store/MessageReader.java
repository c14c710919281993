package io.warren.raft.store;

/** Reads a stored message by key: what the node needs to deliver, return or answer basic.get. */
@FunctionalInterface
public interface MessageReader {
    /**
     * @throws StoreCorruptException when the message is missing or fails its checksum
     */
    StoredMessage read(long key);
}
