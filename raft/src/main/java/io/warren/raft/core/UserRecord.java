package io.warren.raft.core;

import com.google.protobuf.ByteString;
import java.util.List;

/**
 * A user. The password is never stored: {@code passwordHash} is a 4-byte salt followed by
 * SHA-256(salt ++ password), RabbitMQ's rabbit_password_hashing_sha256 layout. Empty: no password login.
 */
public record UserRecord(String name, ByteString passwordHash, List<String> tags) {
    public UserRecord {
        tags = List.copyOf(tags);
    }
}
