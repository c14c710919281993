package io.warren.raft.core;

import io.warren.proto.ClearPermissions;
import io.warren.proto.ClearTopicPermissions;
import io.warren.proto.DeleteUser;
import io.warren.proto.DeleteVhost;
import io.warren.proto.PutUser;
import io.warren.proto.PutVhost;
import io.warren.proto.SetPermissions;
import io.warren.proto.SetTopicPermissions;
import java.util.ArrayList;

/**
 * What warrenctl changes: users, vhosts, permissions and topic permissions (rabbitmqctl add_user, add_vhost,
 * set_permissions, set_topic_permissions, ...).
 */
final class AdminCommands {
    private final BrokerState state;
    private final Dispatcher dispatcher;

    AdminCommands(BrokerState state, Dispatcher dispatcher) {
        this.state = state;
        this.dispatcher = dispatcher;
    }

    void putUser(PutUser cmd, ApplyContext ctx) {
        String name = cmd.getName();
        if (name.isEmpty()) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.PRECONDITION_FAILED, "a user needs a name");
        }
        UserRecord existing = state.access.users.get(name);
        UserRecord next = switch (cmd.getChange()) {
            case USER_PUT -> new UserRecord(name, cmd.getPasswordHash(), cmd.getTagsList());
            case USER_ADD -> {
                if (existing != null) {
                    throw AmqpMethod.NONE.refuse(ReplyCodes.PRECONDITION_FAILED, "user '" + name + "' already exists");
                }
                yield new UserRecord(name, cmd.getPasswordHash(), cmd.getTagsList());
            }
            case USER_PASSWORD -> new UserRecord(name, cmd.getPasswordHash(), requireUser(existing, name).tags());
            case USER_TAGS -> new UserRecord(name, requireUser(existing, name).passwordHash(), cmd.getTagsList());
            case UNRECOGNIZED -> throw AmqpMethod.NONE.refuse(ReplyCodes.NOT_IMPLEMENTED, "unknown user change");
        };
        state.access.users.put(name, next);
        ctx.answer(Dispatcher.done());
    }

    private static UserRecord requireUser(UserRecord existing, String name) {
        if (existing == null) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.NOT_FOUND, "no user '" + name + "'");
        }
        return existing;
    }

    void deleteUser(DeleteUser cmd, ApplyContext ctx) {
        if (state.access.users.remove(cmd.getName()) == null) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.NOT_FOUND, "no user '" + cmd.getName() + "'");
        }
        state.access.permissions.values().removeIf(p -> p.user().equals(cmd.getName()));
        state.access.topicPermissions.values().removeIf(p -> p.user().equals(cmd.getName()));
        ctx.answer(Dispatcher.done());
    }

    void putVhost(PutVhost cmd, ApplyContext ctx) {
        if (cmd.getName().isEmpty()) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.PRECONDITION_FAILED, "a vhost needs a name");
        }
        state.vhosts.putIfAbsent(cmd.getName(), VhostState.withStandardExchanges(cmd.getName()));
        ctx.answer(Dispatcher.done());
    }

    /** Deletes a vhost with everything in it; its connections are closed first. */
    void deleteVhost(DeleteVhost cmd, ApplyContext ctx) {
        VhostState vhost = state.vhosts.get(cmd.getName());
        if (vhost == null) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.NOT_FOUND, "no vhost '" + cmd.getName() + "'");
        }
        for (ConnectionState connection : new ArrayList<>(state.connections.values())) {
            if (connection.vhost().equals(vhost.name)) {
                dispatcher.closeConnection(connection, ctx);
            }
        }
        for (QueueState queue : new ArrayList<>(vhost.queues.values())) {
            dispatcher.deleteQueue(vhost, queue, ctx);
        }
        for (DeadLetters.Pending lost : state.deadLetters.removeIf(pending -> pending.vhost.equals(vhost.name),
                state.clockMs, ctx)) {
            state.references.release(lost.key, ctx); // its dead-letter exchange went with the vhost
        }
        state.vhosts.remove(vhost.name);
        state.access.permissions.values().removeIf(p -> p.vhost().equals(vhost.name));
        state.access.topicPermissions.values().removeIf(p -> p.vhost().equals(vhost.name));
        ctx.answer(Dispatcher.done());
    }

    void setPermissions(SetPermissions cmd, ApplyContext ctx) {
        requireUserAndVhost(cmd.getUser(), cmd.getVhost());
        for (String pattern : new String[] {cmd.getConfigure(), cmd.getWrite(), cmd.getRead()}) {
            requireValidPattern(pattern);
        }
        state.access.permissions.put(AccessControl.key(cmd.getUser(), cmd.getVhost()),
                new Permission(cmd.getUser(), cmd.getVhost(), cmd.getConfigure(), cmd.getWrite(), cmd.getRead()));
        ctx.answer(Dispatcher.done());
    }

    void clearPermissions(ClearPermissions cmd, ApplyContext ctx) {
        requireUserAndVhost(cmd.getUser(), cmd.getVhost());
        state.access.permissions.remove(AccessControl.key(cmd.getUser(), cmd.getVhost()));
        ctx.answer(Dispatcher.done());
    }

    void setTopicPermissions(SetTopicPermissions cmd, ApplyContext ctx) {
        requireUserAndVhost(cmd.getUser(), cmd.getVhost());
        if (cmd.getExchange().isEmpty()) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.PRECONDITION_FAILED, "topic permissions need an exchange");
        }
        for (String pattern : new String[] {cmd.getWrite(), cmd.getRead()}) {
            requireValidPattern(AccessControl.expand(pattern, "user", "vhost"));
        }
        TopicPermission permission = TopicPermission.of(cmd);
        state.access.topicPermissions.put(permission.key(), permission);
        ctx.answer(Dispatcher.done());
    }

    void clearTopicPermissions(ClearTopicPermissions cmd, ApplyContext ctx) {
        requireUserAndVhost(cmd.getUser(), cmd.getVhost());
        state.access.topicPermissions.values().removeIf(p -> p.user().equals(cmd.getUser())
                && p.vhost().equals(cmd.getVhost()) && (cmd.getExchange().isEmpty()
                || p.exchange().equals(cmd.getExchange())));
        ctx.answer(Dispatcher.done());
    }

    private void requireUserAndVhost(String user, String vhost) {
        if (!state.access.users.containsKey(user)) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.NOT_FOUND, "no user '" + user + "'");
        }
        if (!state.vhosts.containsKey(vhost)) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.NOT_FOUND, "no vhost '" + vhost + "'");
        }
    }

    private static void requireValidPattern(String pattern) {
        if (!AccessControl.isValidPattern(pattern)) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.PRECONDITION_FAILED, "invalid regular expression '" + pattern + "'");
        }
    }
}
