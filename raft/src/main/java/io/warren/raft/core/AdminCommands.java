package io.warren.raft.core;

import io.warren.proto.ClearPermissions;
import io.warren.proto.DeleteUser;
import io.warren.proto.DeleteVhost;
import io.warren.proto.PutUser;
import io.warren.proto.PutVhost;
import io.warren.proto.SetPermissions;
import java.util.ArrayList;

/** What warrenctl changes: users, vhosts and permissions (rabbitmqctl add_user, add_vhost, set_permissions, ...). */
final class AdminCommands {
    private final BrokerState state;
    private final Dispatcher dispatcher;

    AdminCommands(BrokerState state, Dispatcher dispatcher) {
        this.state = state;
        this.dispatcher = dispatcher;
    }

    void putUser(PutUser cmd, ApplyContext ctx) {
        if (cmd.getName().isEmpty()) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.PRECONDITION_FAILED, "a user needs a name");
        }
        state.access.users.put(cmd.getName(), new UserRecord(cmd.getName(), cmd.getPasswordHash(), cmd.getTagsList()));
        ctx.answer(Dispatcher.done());
    }

    void deleteUser(DeleteUser cmd, ApplyContext ctx) {
        if (state.access.users.remove(cmd.getName()) == null) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.NOT_FOUND, "no user '" + cmd.getName() + "'");
        }
        state.access.permissions.values().removeIf(p -> p.user().equals(cmd.getName()));
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
        ctx.answer(Dispatcher.done());
    }

    void setPermissions(SetPermissions cmd, ApplyContext ctx) {
        if (!state.access.users.containsKey(cmd.getUser())) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.NOT_FOUND, "no user '" + cmd.getUser() + "'");
        }
        if (!state.vhosts.containsKey(cmd.getVhost())) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.NOT_FOUND, "no vhost '" + cmd.getVhost() + "'");
        }
        for (String pattern : new String[] {cmd.getConfigure(), cmd.getWrite(), cmd.getRead()}) {
            if (!AccessControl.isValidPattern(pattern)) {
                throw AmqpMethod.NONE.refuse(ReplyCodes.PRECONDITION_FAILED, "invalid regular expression '" + pattern + "'");
            }
        }
        state.access.permissions.put(AccessControl.key(cmd.getUser(), cmd.getVhost()),
                new Permission(cmd.getUser(), cmd.getVhost(), cmd.getConfigure(), cmd.getWrite(), cmd.getRead()));
        ctx.answer(Dispatcher.done());
    }

    void clearPermissions(ClearPermissions cmd, ApplyContext ctx) {
        state.access.permissions.remove(AccessControl.key(cmd.getUser(), cmd.getVhost()));
        ctx.answer(Dispatcher.done());
    }
}
