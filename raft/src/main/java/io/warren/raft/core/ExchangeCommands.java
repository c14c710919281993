package io.warren.raft.core;

import io.warren.proto.BindExchange;
import io.warren.proto.DeclareExchange;
import io.warren.proto.DeleteExchange;
import io.warren.proto.Table;
import io.warren.proto.UnbindExchange;
import io.warren.proto.Value;
import io.warren.raft.core.AccessControl.Access;

/** exchange.declare, exchange.delete, exchange.bind and exchange.unbind, with RabbitMQ's refusals. */
final class ExchangeCommands {
    private final BrokerState state;
    private final Dispatcher dispatcher;

    ExchangeCommands(BrokerState state, Dispatcher dispatcher) {
        this.state = state;
        this.dispatcher = dispatcher;
    }

    void declare(Session session, DeclareExchange cmd, ApplyContext ctx) {
        AmqpMethod method = AmqpMethod.EXCHANGE_DECLARE;
        String name = cmd.getName();
        if (cmd.getPassive()) {
            session.exchange(name, method);
            ctx.answer(Dispatcher.done());
            return;
        }
        // RabbitMQ's order (probed on 3.10): the type first (503, which closes the connection, also for an
        // amq.* name), then the default exchange (403); an amq.* exchange that exists is compared like any
        // other (declare-ok when it matches), and only one that would be created is refused (403).
        ExchangeType type = ExchangeType.fromWireName(cmd.getType()).orElseThrow(() -> method.refuse(
                ReplyCodes.COMMAND_INVALID, "unknown exchange type '" + cmd.getType() + "'"));
        if (name.isEmpty()) {
            throw method.refuse(ReplyCodes.ACCESS_REFUSED, "operation not permitted on the default exchange");
        }
        if (type == ExchangeType.DELAYED) {
            DelayedMessages.checkType(cmd.getArguments(), method); // the plugin checks it on every declare
        }
        Arguments.refuseUnsupported(cmd.getArguments(), Arguments.EXCHANGE_UNSUPPORTED, "exchange", method);
        Value alternate = Tables.get(cmd.getArguments(), "alternate-exchange");
        if (alternate != null && Tables.typeClass(alternate) != Tables.TypeClass.TEXT) {
            throw method.refuse(ReplyCodes.PRECONDITION_FAILED, "invalid type '" + Tables.rabbitTypeName(alternate)
                    + "' for arg 'alternate-exchange' in exchange '" + name + "' in " + session.vhost().describe());
        }
        state.access.check(session, session.vhost().name, Access.CONFIGURE, "exchange", name, method);
        ExchangeState existing = session.vhost().exchanges.get(name);
        if (existing == null && name.startsWith("amq.")) {
            throw method.refuse(ReplyCodes.ACCESS_REFUSED,
                    "exchange name '" + name + "' contains reserved prefix 'amq.*'");
        }
        if (existing != null) {
            String what = "exchange '" + name + "' in " + session.vhost().describe();
            Arguments.requireSame("type", type.wireName, existing.type.wireName, what, method);
            Arguments.requireSame("durable", cmd.getDurable(), existing.durable, what, method);
            Arguments.requireSame("auto_delete", cmd.getAutoDelete(), existing.autoDelete, what, method);
            Arguments.requireSame("internal", cmd.getInternal(), existing.internal, what, method);
            Arguments.requireSameArguments(Arguments.EXCHANGE_COMPARED, cmd.getArguments(), existing.arguments, what,
                    method);
        } else {
            ExchangeState exchange = new ExchangeState(session.vhost().name, name, type, cmd.getDurable(),
                    cmd.getAutoDelete(), cmd.getInternal(), cmd.getArguments(), ctx.node);
            Policies.apply(session.vhost(), exchange);
            session.vhost().exchanges.put(name, exchange);
        }
        ctx.answer(Dispatcher.done());
    }

    void delete(Session session, DeleteExchange cmd, ApplyContext ctx) {
        AmqpMethod method = AmqpMethod.EXCHANGE_DELETE;
        String name = cmd.getName();
        if (name.isEmpty()) {
            throw method.refuse(ReplyCodes.ACCESS_REFUSED, "operation not permitted on the default exchange");
        }
        if (name.startsWith("amq.")) {
            throw method.refuse(ReplyCodes.ACCESS_REFUSED, "deletion of system exchange '" + name + "' in "
                    + session.vhost().describe() + " not allowed");
        }
        state.access.check(session, session.vhost().name, Access.CONFIGURE, "exchange", name, method);
        ExchangeState exchange = session.vhost().exchanges.get(name);
        if (exchange != null) {
            if (cmd.getIfUnused() && !exchange.bindings.isEmpty()) {
                throw method.refuse(ReplyCodes.PRECONDITION_FAILED,
                        "exchange '" + name + "' in " + session.vhost().describe() + " in use");
            }
            dispatcher.deleteExchange(session.vhost(), exchange, ctx);
        }
        ctx.answer(Dispatcher.done());
    }

    void bind(Session session, BindExchange cmd, ApplyContext ctx) {
        AmqpMethod method = AmqpMethod.EXCHANGE_BIND;
        ExchangeState source = checkEndpoints(session, cmd.getDestination(), cmd.getSource(), cmd.getRoutingKey(),
                method);
        Binding binding = new Binding(cmd.getSource(), cmd.getDestination(), false, cmd.getRoutingKey(),
                cmd.getArguments());
        addBinding(source, binding, method);
        ctx.answer(Dispatcher.done());
    }

    void unbind(Session session, UnbindExchange cmd, ApplyContext ctx) {
        AmqpMethod method = AmqpMethod.EXCHANGE_UNBIND;
        ExchangeState source = checkEndpoints(session, cmd.getDestination(), cmd.getSource(), cmd.getRoutingKey(),
                method);
        Binding binding = new Binding(cmd.getSource(), cmd.getDestination(), false, cmd.getRoutingKey(),
                cmd.getArguments());
        dispatcher.removeBinding(session.vhost(), source, binding, ctx);
        ctx.answer(Dispatcher.done());
    }

    /** Checks both ends of an exchange-to-exchange binding as RabbitMQ does; returns the source. */
    private ExchangeState checkEndpoints(Session session, String destination, String source, String routingKey,
            AmqpMethod method) {
        if (destination.isEmpty() || source.isEmpty()) {
            throw method.refuse(ReplyCodes.ACCESS_REFUSED, "operation not permitted on the default exchange");
        }
        String vhost = session.vhost().name;
        state.access.check(session, vhost, Access.WRITE, "exchange", destination, method);
        state.access.check(session, vhost, Access.READ, "exchange", source, method);
        checkTopicRead(state.access, session, source, routingKey, method);
        session.exchange(destination, method);
        return session.exchange(source, method);
    }

    /**
     * A binding (or unbinding) on a topic exchange: its key must pass the user's topic read permission. As
     * RabbitMQ's channel, after the resource checks and before either end must exist.
     */
    static void checkTopicRead(AccessControl access, Session session, String source, String routingKey,
            AmqpMethod method) {
        ExchangeState exchange = session.vhost().exchanges.get(source);
        if (exchange != null && exchange.type == ExchangeType.TOPIC) {
            access.checkTopic(session, session.vhost().name, source, routingKey, Access.READ, method);
        }
    }

    /** Adds a binding unless the same one exists; a headers binding must have a valid x-match. */
    static void addBinding(ExchangeState source, Binding binding, AmqpMethod method) {
        if (source.type == ExchangeType.HEADERS && HeadersMatcher.matchMode(binding.arguments()).isEmpty()) {
            Table arguments = binding.arguments();
            throw method.refuse(ReplyCodes.PRECONDITION_FAILED, "Invalid x-match field value "
                    + Tables.display(Tables.get(arguments, "x-match"))
                    + "; expected all, any, all-with-x, or any-with-x");
        }
        if (!source.bindings.contains(binding)) {
            source.bindings.add(binding);
        }
    }
}
