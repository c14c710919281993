package io.warren.node.management;

import com.google.protobuf.ByteString;
import io.warren.proto.Batch;
import io.warren.proto.Command;
import io.warren.proto.Reply;
import io.warren.raft.core.BrokerCore;
import io.warren.raft.core.BrokerQueries;
import io.warren.raft.core.Commands;
import io.warren.raft.core.Effect;
import io.warren.raft.core.UserRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The management API's backend over a real core in the test's thread: changes are applied at once, as a
 * node applies a committed entry; passwords are compared as plain text hashes (the test stores them so);
 * the cluster's nodes are what the test sets.
 */
final class CoreBackend implements ManagementBackend {
    final BrokerCore core = BrokerCore.initial();
    List<NodeStatus> nodes = new ArrayList<>(List.of(running("n1", "leader"), running("n2", "follower"),
            running("n3", "follower")));
    final long epoch;
    private long index;
    private long sequence;
    private long request;
    int writes;
    /** What the API published, as exchange/key/body (the core is not given it: no store here). */
    final List<String> published = new ArrayList<>();

    CoreBackend() {
        Batch registration = Batch.newBuilder().setNode("n1").addCommands(Commands.registerNode("n1",
                ByteString.copyFromUtf8("test"), 0).setRequest(++request)).build();
        epoch = answer(core.apply(++index, 1, registration), request).getNodeRegistered().getEpoch();
    }

    static NodeStatus running(String name, String role) {
        return new NodeStatus(name, true, false, false, role, 1, 10, 0, 1, 2, 3, 4, 5);
    }

    /** Sampled when the test says, at the time it gives. */
    final MessageRates rates = new MessageRates();

    @Override
    public MessageRates messageRates() {
        return rates;
    }

    @Override
    public <T> T query(Function<BrokerQueries, T> query) {
        return query.apply(core.queries());
    }

    /** Applies a command as an entry of n1's; the answer's refusal becomes the API's error. */
    Reply apply(Command.Builder command) {
        long id = ++request;
        Batch batch = Batch.newBuilder().setNode("n1").setEpoch(epoch).setSequence(++sequence)
                .addCommands(command.setRequest(id)).build();
        return answer(core.apply(++index, 1, batch), id);
    }

    /** Applies a command nobody waits for (a publish) as an entry of n1's. */
    void send(Command.Builder command) {
        core.apply(++index, 1, Batch.newBuilder().setNode("n1").setEpoch(epoch).setSequence(++sequence)
                .addCommands(command).build());
    }

    @Override
    public void write(Command.Builder command) {
        writes++;
        Reply reply = apply(command);
        if (reply.hasRefusal()) {
            int code = reply.getRefusal().getCode();
            throw new ApiError(code == 404 ? 404 : 400, "bad_request", reply.getRefusal().getText());
        }
    }

    @Override
    public <T> T asUser(String user, String vhost, Function<Session, T> work) {
        var connection = io.warren.proto.ConnectionRef.newBuilder().setNode("n1").setEpoch(epoch)
                .setId(++request + 1000).build();
        Reply opened = apply(Commands.openConnection(connection, user, vhost, "management API"));
        if (opened.hasRefusal()) {
            throw ManagementRefusals.of(opened.getRefusal());
        }
        var channel = io.warren.proto.ChannelRef.newBuilder().setConnection(connection).setId(++request + 1000)
                .setNumber(1).build();
        try {
            return work.apply(new Session() {
                @Override
                public Reply call(Command.Builder command) {
                    writes++;
                    Reply reply = apply(command.setChannel(channel));
                    if (reply.hasRefusal()) {
                        throw ManagementRefusals.of(reply.getRefusal());
                    }
                    return reply;
                }

                @Override
                public void send(Command.Builder command) {
                    writes++;
                    Batch batch = Batch.newBuilder().setNode("n1").setEpoch(epoch).setSequence(++sequence)
                            .addCommands(command.setChannel(channel)).build();
                    core.apply(++index, 1, batch);
                }

                @Override
                public void publish(String exchange, String routingKey, java.util.Map<String, Object> properties,
                        byte[] body) {
                    writes++;
                    published.add(exchange + "/" + routingKey + "/" + new String(body, StandardCharsets.UTF_8));
                }
            });
        } finally {
            apply(Commands.closeConnection(connection));
        }
    }

    private static Reply answer(List<Effect> effects, long request) {
        for (Effect effect : effects) {
            if (effect instanceof Effect.Answer answer && answer.request() == request) {
                return answer.reply();
            }
        }
        throw new AssertionError("no answer to " + request + " in " + effects);
    }

    @Override
    public java.util.Map<String, Object> messageProperties(ByteString properties) {
        return java.util.Map.of("bytes", properties.size());
    }

    @Override
    public boolean passwordMatches(UserRecord user, String password) {
        return user.name().equals("guest") ? password.equals("guest")
                : user.passwordHash().toString(StandardCharsets.UTF_8).equals(password);
    }

    @Override
    public ByteString hashPassword(String password) {
        return ByteString.copyFromUtf8(password);
    }

    @Override
    public boolean loopbackOnly(String user) {
        return Set.of("guest").contains(user);
    }

    @Override
    public String nodeName() {
        return "n1";
    }

    @Override
    public List<NodeStatus> nodes() {
        return nodes;
    }
}
