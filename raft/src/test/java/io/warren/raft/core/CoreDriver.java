package io.warren.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.warren.proto.Batch;
import io.warren.proto.ChannelRef;
import io.warren.proto.Command;
import io.warren.proto.ConnectionRef;
import io.warren.proto.OpenConnection;
import io.warren.proto.RegisterNode;
import io.warren.proto.Reply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives a {@link BrokerCore} as nodes would: registers node epochs, opens connections and channels, and
 * applies one command per log entry, keeping every effect for the test to inspect. No IO, no threads.
 */
final class CoreDriver {
    BrokerCore core = BrokerCore.initial();
    final List<Effect> effects = new ArrayList<>();
    final List<Batch> log = new ArrayList<>();
    private final Map<String, Long> epochs = new HashMap<>();
    private final Map<String, Long> sequences = new HashMap<>();
    private long index;
    private long request;
    private long nextId;

    long register(String node) {
        Batch batch = Batch.newBuilder().setNode(node).addCommands(Command.newBuilder().setRequest(++request)
                .setRegisterNode(RegisterNode.newBuilder().setNode(node))).build();
        Reply reply = answerTo(apply(batch), request);
        long epoch = reply.getNodeRegistered().getEpoch();
        epochs.put(node, epoch);
        sequences.put(node, 0L);
        return epoch;
    }

    List<Effect> apply(Batch batch) {
        log.add(batch);
        List<Effect> produced = core.apply(++index, 1, batch);
        effects.addAll(produced);
        return produced;
    }

    /** Applies commands from {@code node} as one batch; returns that batch's effects. */
    List<Effect> submit(String node, Command... commands) {
        long sequence = sequences.merge(node, 1L, Long::sum);
        Batch.Builder batch = Batch.newBuilder().setNode(node).setEpoch(epochs.get(node)).setSequence(sequence);
        for (Command command : commands) {
            batch.addCommands(command);
        }
        return apply(batch.build());
    }

    Reply call(String node, Command.Builder command) {
        long id = ++request;
        return answerTo(submit(node, command.setRequest(id).build()), id);
    }

    static Reply answerTo(List<Effect> effects, long request) {
        for (Effect effect : effects) {
            if (effect instanceof Effect.Answer answer && answer.request() == request) {
                return answer.reply();
            }
        }
        throw new AssertionError("no answer to request " + request + " in " + effects);
    }

    Connection connect(String node, String user, String vhost) {
        ConnectionRef ref = ConnectionRef.newBuilder().setNode(node).setEpoch(epochs.get(node)).setId(++nextId).build();
        Reply reply = call(node, Command.newBuilder().setOpenConnection(OpenConnection.newBuilder().setConnection(ref)
                .setUser(user).setVhost(vhost).setName("test " + nextId)));
        assertTrue(reply.hasDone(), () -> "open refused: " + reply);
        return new Connection(ref);
    }

    Connection connect() {
        if (!epochs.containsKey("n1")) {
            register("n1");
        }
        return connect("n1", "guest", "/");
    }

    final class Connection {
        final ConnectionRef ref;
        private int channelNumber;

        Connection(ConnectionRef ref) {
            this.ref = ref;
        }

        Channel channel() {
            ChannelRef channel = ChannelRef.newBuilder().setConnection(ref).setId(++nextId).setNumber(++channelNumber)
                    .build();
            return new Channel(channel);
        }

        void close() {
            call(ref.getNode(), Command.newBuilder().setCloseConnection(
                    io.warren.proto.CloseConnection.newBuilder().setConnection(ref)));
        }
    }

    final class Channel {
        final ChannelRef ref;
        private long publishSequence;

        Channel(ChannelRef ref) {
            this.ref = ref;
        }

        Reply call(Command.Builder command) {
            return CoreDriver.this.call(ref.getConnection().getNode(), command.setChannel(ref));
        }

        /** A command nobody waits for (publish, ack): returns its batch's effects. */
        List<Effect> send(Command.Builder command) {
            return submit(ref.getConnection().getNode(), command.setChannel(ref).build());
        }

        Reply ok(Command.Builder command) {
            Reply reply = call(command);
            assertTrue(!reply.hasRefusal(), () -> "refused: " + reply.getRefusal());
            return reply;
        }

        void refused(int code, Command.Builder command) {
            Reply reply = call(command);
            assertEquals(code, reply.getRefusal().getCode(), () -> "reply: " + reply);
        }

        List<Effect> publish(String exchange, String routingKey, String body) {
            return send(Commands.publish(exchange, routingKey, body, false, 0));
        }

        long publishConfirmed(String exchange, String routingKey, String body) {
            send(Commands.publish(exchange, routingKey, body, false, ++publishSequence));
            return publishSequence;
        }

        List<Effect.Deliver> deliveries() {
            List<Effect.Deliver> found = new ArrayList<>();
            for (Effect effect : effects) {
                if (effect instanceof Effect.Deliver d && d.channel().equals(ref)) {
                    found.add(d);
                }
            }
            return found;
        }

        List<String> deliveredBodies() {
            return deliveries().stream().map(d -> d.message().body().toStringUtf8()).toList();
        }
    }

    static ByteString bytes(String text) {
        return ByteString.copyFromUtf8(text);
    }
}
