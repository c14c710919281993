package io.warren.raft.ratis;

import io.warren.raft.core.Effect;
import io.warren.raft.store.MessageReader;
import java.util.List;

/**
 * Where the state machine hands the effects of each applied entry: the node performs those addressed to
 * itself. Called on the Ratis updater thread, in log order; must not block and must not submit to Ratis
 * and wait (that deadlocks the updater, ratis-notes §10.8). A delivery's message is read through
 * {@code messages} before the entry's discards reach the store.
 */
@FunctionalInterface
public interface EffectSink {
    void perform(long logIndex, List<Effect> effects, MessageReader messages);
}
