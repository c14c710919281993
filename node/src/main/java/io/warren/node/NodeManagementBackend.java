package io.warren.node;

import com.google.protobuf.ByteString;
import io.warren.node.management.ApiError;
import io.warren.node.management.ManagementBackend;
import io.warren.node.management.ManagementRefusals;
import io.warren.node.management.MessageRates;
import io.warren.proto.ChannelRef;
import io.warren.proto.Command;
import io.warren.proto.ConnectionRef;
import io.warren.proto.Reply;
import io.warren.raft.core.BrokerQueries;
import io.warren.raft.core.Commands;
import io.warren.raft.core.UserRecord;
import io.warren.raft.ratis.CommandSubmitter;
import io.warren.raft.ratis.GroupView;
import io.warren.raft.ratis.RaftNode;
import io.warren.raft.ratis.WarrenStateMachine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The management API's view of this node: its applied state, its submitter for changes, its Raft server
 * for roles and log figures, its resource monitor for memory and disk. Figures of other nodes that only
 * they hold (memory, disk) are -1 here; the leader knows how far each follower's log is behind.
 */
final class NodeManagementBackend implements ManagementBackend {

    private final WarrenStateMachine stateMachine;
    private final EffectDispatcher dispatcher;
    private final CommandSubmitter submitter;
    private final RaftNode raft;
    private final ResourceMonitor resources;
    private final Set<String> loopbackUsers;
    private final long startedAtMs;
    /** Its connections are opened trusted: warrenctl's, which act as the node without permission checks. */
    private final boolean trusted;
    private final MessageRates rates;

    NodeManagementBackend(WarrenStateMachine stateMachine, EffectDispatcher dispatcher, CommandSubmitter submitter,
            RaftNode raft, ResourceMonitor resources, Set<String> loopbackUsers, MessageRates rates) {
        this(stateMachine, dispatcher, submitter, raft, resources, loopbackUsers, rates, false,
                System.currentTimeMillis());
    }

    private NodeManagementBackend(WarrenStateMachine stateMachine, EffectDispatcher dispatcher,
            CommandSubmitter submitter, RaftNode raft, ResourceMonitor resources, Set<String> loopbackUsers,
            MessageRates rates, boolean trusted, long startedAtMs) {
        this.trusted = trusted;
        this.rates = rates;
        this.stateMachine = stateMachine;
        this.dispatcher = dispatcher;
        this.submitter = submitter;
        this.raft = raft;
        this.resources = resources;
        this.loopbackUsers = loopbackUsers;
        this.startedAtMs = startedAtMs;
    }

    /** The same backend for warrenctl's requests (admin endpoint only): its connections skip permissions. */
    NodeManagementBackend trusted() {
        return new NodeManagementBackend(stateMachine, dispatcher, submitter, raft, resources, loopbackUsers, rates,
                true, startedAtMs);
    }

    @Override
    public MessageRates messageRates() {
        return rates;
    }

    @Override
    public <T> T query(Function<BrokerQueries, T> query) {
        return stateMachine.query(query::apply);
    }

    @Override
    public void write(Command.Builder command) {
        Reply answer = call(command);
        if (answer.hasRefusal()) {
            int code = answer.getRefusal().getCode();
            throw new ApiError(code == 404 ? 404 : 400, code == 404 ? "Object Not Found" : "bad_request",
                    answer.getRefusal().getText());
        }
    }

    @Override
    public <T> T asUser(String user, String vhost, Function<Session, T> work) {
        ConnectionRef connection = ConnectionRef.newBuilder().setNode(dispatcher.node()).setEpoch(dispatcher.epoch())
                .setId(dispatcher.nextLocalId()).build();
        Command.Builder open = Commands.openConnection(connection, user, vhost,
                trusted ? "warrenctl" : "management API");
        open.getOpenConnectionBuilder().setTrusted(trusted);
        Reply opened = call(open);
        if (opened.hasRefusal()) {
            throw ManagementRefusals.of(opened.getRefusal());
        }
        ChannelRef channel = ChannelRef.newBuilder().setConnection(connection).setId(dispatcher.nextLocalId())
                .setNumber(1).build();
        try {
            return work.apply(new Session() {
                @Override
                public Reply call(Command.Builder command) {
                    Reply reply = NodeManagementBackend.this.call(command.setChannel(channel));
                    if (reply.hasRefusal()) {
                        throw ManagementRefusals.of(reply.getRefusal());
                    }
                    return reply;
                }

                @Override
                public void send(Command.Builder command) {
                    submitter.submit(command.setChannel(channel).build());
                }

                @Override
                public void publish(String exchange, String routingKey, java.util.Map<String, Object> properties,
                        byte[] body) {
                    var basic = ManagementProperties.fromJson(properties);
                    ByteString message = StoredMessages.encode(exchange, routingKey, basic,
                            java.nio.ByteBuffer.wrap(body));
                    var publish = io.warren.proto.Publish.newBuilder().setExchange(exchange).setRoutingKey(routingKey)
                            .setPersistent(basic.isPersistent()).setSize(message.size()).setBodySize(body.length)
                            .setHeaders(basic.headers() == null ? io.warren.proto.Table.getDefaultInstance()
                                    : ProtoTables.toProto(basic.headers()));
                    if (basic.expiration() != null) {
                        publish.setExpiration(basic.expiration());
                    }
                    if (basic.userId() != null) {
                        publish.setUserId(basic.userId());
                    }
                    if (basic.priority() != null) {
                        publish.setPriority(basic.priority());
                    }
                    submitter.submit(Commands.publish(publish).setChannel(channel).build(), message);
                }
            });
        } finally {
            call(Commands.closeConnection(connection)); // what it held unacknowledged goes back to its queues
        }
    }

    /** Sends a command and waits for the core's answer (a refusal is an answer too). */
    private Reply call(Command.Builder command) {
        return CommandCall.send(dispatcher, submitter, command).orElseThrow(() -> new ApiError(503,
                "service_unavailable", "not applied within " + CommandCall.TIMEOUT_SECONDS + " s"));
    }

    @Override
    public java.util.Map<String, Object> messageProperties(ByteString bytes) {
        return ManagementProperties.toJson(StoredMessages.properties(bytes));
    }

    @Override
    public boolean passwordMatches(UserRecord user, String password) {
        return CoreAuthenticator.passwordMatches(user.passwordHash().toByteArray(), password);
    }

    @Override
    public ByteString hashPassword(String password) {
        return CoreAuthenticator.saltedHash(password);
    }

    @Override
    public boolean loopbackOnly(String user) {
        return loopbackUsers.contains(user);
    }

    @Override
    public String nodeName() {
        return dispatcher.node();
    }

    @Override
    public List<NodeStatus> nodes() {
        GroupView view;
        RaftNode.LogFigures log;
        try {
            view = raft.view();
            log = raft.logFigures();
        } catch (IOException e) {
            throw new ApiError(503, "service_unavailable", "Raft is not running: " + e.getMessage());
        }
        List<BrokerQueries.NodeView> known = stateMachine.query(BrokerQueries::nodes);
        Set<String> names = new TreeSet<>(view.members());
        known.forEach(n -> names.add(n.node()));
        List<NodeStatus> out = new ArrayList<>();
        for (String name : names) {
            BrokerQueries.NodeView record = known.stream().filter(n -> n.node().equals(name)).findFirst()
                    .orElse(null);
            boolean member = view.members().contains(name);
            boolean running = member && record != null && !record.down();
            boolean self = name.equals(view.self());
            String role = self ? view.role().toLowerCase(Locale.ROOT)
                    : name.equals(view.leader()) ? "leader" : member ? "follower" : "none";
            long lag = -1;
            if (self && view.role().equals("LEADER")) {
                lag = 0;
            } else if (log.followerMatchIndex().containsKey(name)) {
                lag = Math.max(0, log.lastIndex() - log.followerMatchIndex().get(name));
            }
            long commitIndex = self ? log.commitIndex() : -1;
            ResourceMonitor.Figures figures = self ? resources.figures() : null;
            out.add(new NodeStatus(name, running, record != null && record.memoryAlarm(),
                    record != null && record.diskAlarm(), role, log.term(), commitIndex, lag,
                    figures == null ? -1 : figures.memoryUsed(), figures == null ? -1 : figures.memoryLimit(),
                    figures == null ? -1 : figures.diskFree(), figures == null ? -1 : figures.diskFreeLimit(),
                    self ? System.currentTimeMillis() - startedAtMs : -1));
        }
        return out;
    }
}
