package io.warren.amqp.method;

import io.warren.amqp.codec.MethodArgumentsWriter;

/**
 * An AMQP 0-9-1 method: an immutable record per method, grouped by class in {@link ConnectionMethod},
 * {@link ChannelMethod}, {@link ExchangeMethod}, {@link QueueMethod}, {@link BasicMethod},
 * {@link ConfirmMethod} and {@link TxMethod}.
 */
public sealed interface Method
        permits ConnectionMethod, ChannelMethod, ExchangeMethod, QueueMethod, BasicMethod, ConfirmMethod, TxMethod {

    int classId();

    int methodId();

    /** The spec's name, {@code "basic.publish"}. */
    String name();

    /** True when a content header and body frames follow this method. */
    default boolean hasContent() {
        return false;
    }

    /** Writes the arguments (not the class and method ids); the caller calls {@code finish()}. */
    void writeArguments(MethodArgumentsWriter out);
}
