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
import com.google.protobuf.UnknownFieldSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
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
    /** The leader time every batch applied next carries: tests move it to let TTLs run out. */
    long clockMs;
    private long index;
    private long request;
    private long nextId;

    long register(String node) {
        return register(node, 0);
    }

    /** A registration with the node's consumer timeout (0: the default). */
    long register(String node, long consumerTimeoutMs) {
        Batch batch = Batch.newBuilder().setNode(node).addCommands(Command.newBuilder().setRequest(++request)
                .setRegisterNode(RegisterNode.newBuilder().setNode(node).setConsumerTimeoutMs(consumerTimeoutMs)))
                .build();
        Reply reply = answerTo(apply(batch), request);
        long epoch = reply.getNodeRegistered().getEpoch();
        epochs.put(node, epoch);
        sequences.put(node, 0L);
        return epoch;
    }

    List<Effect> apply(Batch batch) {
        batch = batch.toBuilder().setLeaderTimeMs(clockMs).build();
        log.add(batch);
        ++index;
        for (int position = 0; position < batch.getCommandsCount(); position++) {
            Command command = batch.getCommands(position);
            long key = MessageKeys.key(index, position);
            if (command.hasPublish()) {
                stored.put(key, bodyOf(command));
                routingKeys.put(key, command.getPublish().getRoutingKey());
                headers.put(key, command.getPublish().getHeaders());
                deaths.put(key, List.of());
            } else if (command.hasDeadLetter()) {
                var field = command.getDeadLetter().getUnknownFields().getField(DEAD_LETTER_SOURCE_FIELD);
                long source = field.getVarintList().get(0);
                stored.put(key, stored.get(source));
                routingKeys.put(key, command.getDeadLetter().getRoutingKey());
                headers.put(key, command.getDeadLetter().getHeaders());
                deaths.put(key, pendingDeaths.remove(command.getDeadLetter().getId()));
            }
        }
        List<Effect> produced = core.apply(index, 1, batch);
        checkStoreUse(produced);
        effects.addAll(produced);
        return produced;
    }

    /**
     * The message store as the core sees it: every node stores each publish's message under its key, and
     * the core must name only stored, undiscarded messages, and discard each exactly once.
     */
    final Map<Long, String> stored = new HashMap<>();
    final Set<Long> discarded = new HashSet<>();

    /** Tests carry a publish's body in the (reserved) field 8, as the store would hold it beside the entry. */
    static UnknownFieldSet bodyField(String body) {
        return UnknownFieldSet.newBuilder().addField(8, UnknownFieldSet.Field.newBuilder()
                .addLengthDelimited(ByteString.copyFromUtf8(body)).build()).build();
    }

    private static String bodyOf(Command command) {
        var field = command.getPublish().getUnknownFields().getField(8);
        return field.getLengthDelimitedList().isEmpty() ? "" : field.getLengthDelimitedList().get(0).toStringUtf8();
    }

    String body(long key) {
        assertTrue(stored.containsKey(key), () -> "no stored message " + key);
        return stored.get(key);
    }

    private void checkStoreUse(List<Effect> produced) {
        List<Long> named = new ArrayList<>();
        for (Effect effect : produced) {
            switch (effect) {
                case Effect.Deliver d -> named.add(d.messageKey());
                case Effect.Return r -> named.add(r.messageKey());
                case Effect.Answer a when a.reply().hasGotMessage() -> named.add(a.reply().getGotMessage().getMessageKey());
                case Effect.DeadLetter d -> named.add(d.messageKey());
                default -> { }
            }
        }
        for (long key : named) {
            assertTrue(stored.containsKey(key) && !discarded.contains(key),
                    () -> "an effect names message " + key + ", which is not in the store: " + produced);
        }
        for (Effect effect : produced) {
            if (effect instanceof Effect.Discard d) {
                assertTrue(stored.containsKey(d.key()), () -> "discard of unknown message " + d.key());
                assertTrue(discarded.add(d.key()), () -> "message " + d.key() + " discarded twice");
            }
        }
    }

    /** Every stored message is either still held by a queue or was discarded, never both or neither. */
    void checkNoStoredMessageLeaks() {
        Set<Long> live = new HashSet<>();
        for (long key : core.liveMessageKeys()) {
            live.add(key);
        }
        for (long key : stored.keySet()) {
            boolean isLive = live.contains(key);
            boolean isDiscarded = discarded.contains(key);
            assertTrue(isLive != isDiscarded, () -> "stored message " + key + " (" + stored.get(key) + ") is "
                    + (isLive ? "live and discarded" : "neither live nor discarded: it leaks"));
        }
    }

    /** Each stored message's routing key, headers and deaths (queue and reason, newest first), for dead letters. */
    final Map<Long, String> routingKeys = new HashMap<>();
    private final Map<Long, io.warren.proto.Table> headers = new HashMap<>();
    private final Map<Long, List<String[]>> deaths = new HashMap<>();
    private final Map<Long, List<String[]>> pendingDeaths = new HashMap<>();
    /** Tests name a DeadLetter copy's source in an unknown field, as the store would hold its content. */
    private static final int DEAD_LETTER_SOURCE_FIELD = 100;
    private int forwarded;

    /**
     * Does what the leader's node does with every {@link Effect.DeadLetter} not yet answered (and with those
     * its DeadLetter commands lead to): submits the copy from n1 with the dead-letter routing key, or the
     * message's own, and with the queues that close a cycle of deaths none of which was a rejection (the rule
     * node/DeadLetterCopy holds against RabbitMQ). Returns how many it answered.
     */
    int forwardDeadLetters() {
        int answered = 0;
        while (forwarded < effects.size()) {
            if (effects.get(forwarded++) instanceof Effect.DeadLetter dead) {
                submit("n1", deadLetterCommand(dead).build());
                answered++;
            }
        }
        return answered;
    }

    /** The DeadLetter command the leader's node would send for {@code dead}. */
    Command.Builder deadLetterCommand(Effect.DeadLetter dead) {
        List<String[]> history = new ArrayList<>();
        history.add(new String[] {dead.queue(), dead.reason()});
        for (String[] death : deaths.get(dead.messageKey())) {
            if (!(death[0].equals(dead.queue()) && death[1].equals(dead.reason()))) {
                history.add(death);
            }
        }
        pendingDeaths.put(dead.id(), history);
        List<String> cycle = new ArrayList<>();
        if (!dead.reason().equals("rejected")) {
            for (String[] candidate : history) {
                boolean automatic = true;
                for (String[] death : history) {
                    if (death[1].equals("rejected")) {
                        automatic = false;
                        break;
                    }
                    if (death[0].equals(candidate[0])) {
                        break;
                    }
                }
                if (automatic && !cycle.contains(candidate[0])) {
                    cycle.add(candidate[0]);
                }
            }
        }
        String body = stored.get(dead.messageKey());
        return Command.newBuilder().setDeadLetter(io.warren.proto.DeadLetter.newBuilder().setId(dead.id())
                .setRoutingKey(dead.deadLetterRoutingKey() != null ? dead.deadLetterRoutingKey()
                        : routingKeys.get(dead.messageKey()))
                .setHeaders(headers.get(dead.messageKey())).setSize(body.length()).addAllCycleQueues(cycle)
                .setUnknownFields(UnknownFieldSet.newBuilder().addField(DEAD_LETTER_SOURCE_FIELD,
                        UnknownFieldSet.Field.newBuilder().addVarint(dead.messageKey()).build()).build()));
    }

    /** The deaths (queue and reason, newest first) of a stored message. */
    List<String> deathsOf(long key) {
        return deaths.get(key).stream().map(d -> d[0] + ":" + d[1]).toList();
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

    /** The leader's Tick (from n1) at the current clock: expired heads go. */
    List<Effect> tick() {
        return submit("n1", Command.newBuilder().setTick(io.warren.proto.Tick.getDefaultInstance()).build());
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
        return connect(node, user, vhost, false);
    }

    /** A connection as the node's admin server opens one for warrenctl (trusted: no permission checks). */
    Connection connectTrusted(String node, String user, String vhost) {
        return connect(node, user, vhost, true);
    }

    /** The core's answer to a client connection's open (refused without permissions in the vhost). */
    Reply open(String node, String user, String vhost) {
        ConnectionRef ref = ConnectionRef.newBuilder().setNode(node).setEpoch(epochs.get(node)).setId(++nextId).build();
        return call(node, Command.newBuilder().setOpenConnection(OpenConnection.newBuilder().setConnection(ref)
                .setUser(user).setVhost(vhost).setName("test " + nextId)));
    }

    private Connection connect(String node, String user, String vhost, boolean trusted) {
        ConnectionRef ref = ConnectionRef.newBuilder().setNode(node).setEpoch(epochs.get(node)).setId(++nextId).build();
        Reply reply = call(node, Command.newBuilder().setOpenConnection(OpenConnection.newBuilder().setConnection(ref)
                .setUser(user).setVhost(vhost).setName("test " + nextId).setTrusted(trusted)));
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
            return send(CommandFixtures.publish(exchange, routingKey, body, false, 0));
        }

        long publishConfirmed(String exchange, String routingKey, String body) {
            send(CommandFixtures.publish(exchange, routingKey, body, false, ++publishSequence));
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

        /** The ready count a passive declare of {@code queue} gives. */
        int ready(String queue) {
            return ok(Commands.declareQueuePassive(queue)).getQueueDeclared().getMessageCount();
        }

        /** Takes every ready message of {@code queue} with no-ack gets: their bodies, in the order given. */
        List<String> drain(String queue) {
            List<String> bodies = new ArrayList<>();
            for (Reply got = ok(Commands.get(queue, true)); got.hasGotMessage(); got = ok(Commands.get(queue, true))) {
                bodies.add(body(got.getGotMessage().getMessageKey()));
            }
            return bodies;
        }

        List<String> deliveredBodies() {
            return deliveries().stream().map(d -> body(d.messageKey())).toList();
        }
    }

    static ByteString bytes(String text) {
        return ByteString.copyFromUtf8(text);
    }
}
