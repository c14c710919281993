package io.warren.node;

import com.google.protobuf.ByteString;
import io.warren.amqp.codec.BasicProperties;
import io.warren.proto.Command;
import io.warren.proto.DeadLetter;
import io.warren.raft.core.Commands;
import io.warren.raft.core.Effect;
import io.warren.raft.store.MessageReader;
import io.warren.raft.store.StoredMessage;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's part in dead-lettering: for each {@link Effect.DeadLetter} it reads the message that died,
 * writes its dead-lettered copy as RabbitMQ does ({@link DeadLetterCopy}) and submits it in a DeadLetter
 * command, the copy beside the entry as a publish's message. Every other node ignores the effect; the core asks
 * again after a deadline, so one lost here (this node stopped leading, the submit failed) is not lost for good.
 * Runs on the Ratis updater thread, before the entry's discards reach the store.
 */
final class DeadLetterForwarder {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterForwarder.class);

    /** Where the command goes: the node's submitter. */
    interface Submit {
        void submit(Command command, ByteString message);
    }

    private final BooleanSupplier leaderReady;
    private final Submit submit;

    DeadLetterForwarder(BooleanSupplier leaderReady, Submit submit) {
        this.leaderReady = leaderReady;
        this.submit = submit;
    }

    void forward(Effect.DeadLetter dead, MessageReader messages) {
        if (!leaderReady.getAsBoolean()) {
            return;
        }
        StoredMessage original = messages.read(dead.messageKey());
        BasicProperties properties = StoredMessages.properties(original.properties());
        DeadLetterCopy copy = DeadLetterCopy.of(properties, original.exchange(), original.routingKey(), dead.reason(),
                dead.queue(), dead.deadLetterRoutingKey(), dead.diedAtMs() / 1000);
        ByteString message = StoredMessages.encode(dead.exchange(), copy.routingKey(), copy.properties(),
                original.body().asReadOnlyByteBuffer());
        submit.submit(Commands.deadLetter(DeadLetter.newBuilder().setId(dead.id())
                .setRoutingKey(copy.routingKey()).setHeaders(ProtoTables.toProto(copy.properties().headers()))
                .setSize(message.size()).addAllCycleQueues(copy.cycleQueues())
                .setPriority(properties.priority() == null ? 0 : properties.priority())).build(), message);
        log.debug("event=dead_letter_sent id={} queue=\"{}\" reason={} exchange=\"{}\" routing_key=\"{}\"", dead.id(),
                dead.queue(), dead.reason(), dead.exchange(), copy.routingKey());
    }
}
