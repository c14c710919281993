package io.warren.amqp.frame;

import io.warren.amqp.AmqpException;
import java.util.Objects;

/**
 * What the decoder emits instead of a frame when the bytes are not a valid frame: the connection
 * error to close with. The decoder discards all input after it.
 */
public record FrameError(int channel, AmqpException error) {
    public FrameError {
        Objects.requireNonNull(error, "error");
    }
}
