package io.warren.amqp.server;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Helpers for the stages the broker answers with. */
final class Futures {
    private Futures() {
    }

    /** The cause a stage failed with, without the {@link CompletionException} wrappers. */
    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
