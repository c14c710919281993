package io.warren.raft.core;

import com.google.protobuf.ByteString;

/**
 * A published message as queues hold it. Immutable and shared by every queue it was routed to.
 *
 * @param properties the content header's property flags and list, exactly as the publisher sent them
 */
public record MessageContent(String exchange, String routingKey, ByteString properties, ByteString body,
        boolean persistent) {}
