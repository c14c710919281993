/**
 * The AMQP 0-9-1 wire protocol for Warren: codec, connection and channel protocol, and the one
 * broker-facing interface ({@link io.warren.amqp.broker.Broker}). Knows nothing of Raft or queues.
 * See {@code amqp/README.md} for what this module owns and must not do.
 */
package io.warren.amqp;
