package io.warren.raft.core;

import io.warren.proto.Command;
import io.warren.proto.Reply;
import java.util.List;

/**
 * What one command is applied with: where it sits in the log (the only source of fresh names), who sent
 * it, and the list its effects are appended to, in the order they must be performed.
 */
final class ApplyContext {
    final long logIndex;
    final int position;
    final String node;
    final long epoch;
    final Command command;
    final List<Effect> effects;
    private boolean answered;
    private boolean published;

    private final MessageReferences references;

    ApplyContext(long logIndex, int position, String node, long epoch, Command command, List<Effect> effects,
            MessageReferences references) {
        this.references = references;
        this.logIndex = logIndex;
        this.position = position;
        this.node = node;
        this.epoch = epoch;
        this.command = command;
        this.effects = effects;
    }

    /** Answers the waiting request, if anyone waits; at most once per command. */
    void answer(Reply reply) {
        if (!answered && command.getRequest() != 0) {
            answered = true;
            effects.add(new Effect.Answer(node, epoch, command.getRequest(), reply));
        }
    }

    void emit(Effect effect) {
        effects.add(effect);
    }

    /** The store key of this command's message: a publish's content is stored under it on every node. */
    long messageKey() {
        return MessageKeys.key(logIndex, position);
    }

    /** The publish enqueued its message into {@code holders} queues (zero: unroutable). */
    void published(int holders) {
        published = true;
        references.published(messageKey(), holders, this);
    }

    /** True once the publish has handed its message to the reference count. */
    boolean publishedMessage() {
        return published;
    }

    String freshName(String prefix, int attempt) {
        return Names.generate(prefix, logIndex, position, attempt);
    }
}
