package io.warren.raft.core;

import io.warren.proto.Table;

/**
 * A binding from a source exchange to a queue or an exchange. Two bindings are the same binding when all
 * five parts are equal, as in RabbitMQ (binding again is a no-op).
 */
record Binding(String source, String destination, boolean destinationIsQueue, String routingKey,
        Table arguments) {}
