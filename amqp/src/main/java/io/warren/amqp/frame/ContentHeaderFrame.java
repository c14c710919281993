package io.warren.amqp.frame;

import io.warren.amqp.codec.BasicProperties;
import java.util.Objects;

/**
 * A content header frame of class basic (the only class with content).
 *
 * @param bodySize the announced body size, an unsigned 64-bit number held in a signed long
 */
public record ContentHeaderFrame(int channel, int classId, int weight, long bodySize, BasicProperties properties)
        implements Frame {
    public ContentHeaderFrame {
        Objects.requireNonNull(properties, "properties");
    }
}
