package io.warren.node;

import io.warren.proto.Command;
import io.warren.proto.Reply;
import io.warren.raft.ratis.CommandSubmitter;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A command the core answers, sent through this node's submitter and waited for (a refusal is an answer
 * too): how the admin API and the management API make their changes.
 */
final class CommandCall {
    static final long TIMEOUT_SECONDS = 30;

    private CommandCall() {}

    /** The core's answer, or empty when none came within {@link #TIMEOUT_SECONDS} (or the wait was interrupted). */
    static Optional<Reply> send(EffectDispatcher dispatcher, CommandSubmitter submitter, Command.Builder command) {
        var reply = dispatcher.expectReply(command);
        submitter.submit(command.build());
        try {
            return Optional.of(reply.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
