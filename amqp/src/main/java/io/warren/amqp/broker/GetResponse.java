package io.warren.amqp.broker;

import io.netty.buffer.ByteBuf;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.method.BasicMethod;
import java.util.Objects;

/** The answer to basic.get: a message (basic.get-ok with content) or basic.get-empty. */
public sealed interface GetResponse {

    /** The queue had no ready message. */
    record Empty() implements GetResponse {
        public static final Empty INSTANCE = new Empty();
    }

    /** One message; the receiver of this record owns {@code body}. */
    record Message(BasicMethod.GetOk getOk, BasicProperties properties, ByteBuf body) implements GetResponse {
        public Message {
            Objects.requireNonNull(getOk, "getOk");
            Objects.requireNonNull(properties, "properties");
            Objects.requireNonNull(body, "body");
        }
    }
}
