package io.warren.amqp.frame;

import io.warren.amqp.method.Method;
import java.util.Objects;

/** A method frame: one decoded method on one channel. */
public record MethodFrame(int channel, Method method) implements Frame {
    public MethodFrame {
        Objects.requireNonNull(method, "method");
    }
}
