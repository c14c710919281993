package io.warren.node.testing;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;

/** What a broker refused with: the code and text of the channel.close (or connection.close) it sent. */
public record Refusals(int code, String text) {

    /** Runs {@code action}, which the broker must refuse; fails when it was accepted. */
    public static Refusals of(JavaTutorials.ThrowingRunnable action) throws Exception {
        try {
            action.run();
        } catch (IOException | AlreadyClosedException e) {
            Throwable cause = e instanceof IOException ? e.getCause() : e;
            if (cause instanceof ShutdownSignalException signal) {
                if (signal.getReason() instanceof AMQP.Channel.Close close) {
                    return new Refusals(close.getReplyCode(), close.getReplyText());
                }
                if (signal.getReason() instanceof AMQP.Connection.Close close) {
                    return new Refusals(close.getReplyCode(), close.getReplyText());
                }
            }
            throw e;
        }
        throw new AssertionError("the broker accepted what it should have refused");
    }
}
