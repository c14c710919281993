package io.warren.amqp.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.method.Method;
import java.util.Objects;

/**
 * A whole command from one channel: a method, plus properties and body when the method carries content
 * (both null otherwise). The body is a retained view of the received frames; whoever holds the command
 * releases it once, by {@link #release()} or by handing the body on.
 */
public record Command(Method method, BasicProperties properties, ByteBuf body) {
    public Command {
        Objects.requireNonNull(method, "method");
        if (method.hasContent() != (body != null) || (body != null) != (properties != null)) {
            throw new IllegalArgumentException("command " + method.name() + ": content must come with a content method");
        }
    }

    /** A command without content. */
    public static Command of(Method method) {
        return new Command(method, null, null);
    }

    /** Releases the body, if any. */
    public void release() {
        ReferenceCountUtil.release(body);
    }
}
