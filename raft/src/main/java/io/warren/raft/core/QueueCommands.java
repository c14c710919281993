package io.warren.raft.core;

import io.warren.proto.BindQueue;
import io.warren.proto.DeclareQueue;
import io.warren.proto.DeleteQueue;
import io.warren.proto.MessageCount;
import io.warren.proto.PurgeQueue;
import io.warren.proto.QueueDeclared;
import io.warren.proto.Reply;
import io.warren.proto.Table;
import io.warren.proto.UnbindQueue;
import io.warren.raft.core.AccessControl.Access;
import java.util.List;

/** queue.declare, queue.bind, queue.unbind, queue.purge and queue.delete, with RabbitMQ's refusals. */
final class QueueCommands {
    private final BrokerState state;
    private final Dispatcher dispatcher;

    QueueCommands(BrokerState state, Dispatcher dispatcher) {
        this.state = state;
        this.dispatcher = dispatcher;
    }

    void declare(Session session, DeclareQueue cmd, ApplyContext ctx) {
        AmqpMethod method = AmqpMethod.QUEUE_DECLARE;
        VhostState vhost = session.vhost();
        if (cmd.getPassive() && (cmd.getName().equals(DirectReplyTo.QUEUE)
                || DirectReplyTo.find(state, cmd.getName()) != null)) {
            // RabbitMQ answers for the pseudo-queue, and for a live reply address, 0 messages and 1 consumer
            ctx.answer(Reply.newBuilder().setQueueDeclared(QueueDeclared.newBuilder().setQueue(cmd.getName())
                    .setMessageCount(0).setConsumerCount(1)).build());
            return;
        }
        if (cmd.getPassive()) {
            QueueState queue = session.queue(cmd.getName(), method);
            session.checkExclusive(queue, method);
            if (!queue.quorum) {
                queue.lastUsedMs = state.clockMs; // a classic queue takes a passive declare as a use, a quorum one does not
                dispatcher.noteExpiries(queue);
            }
            ctx.answer(declared(queue));
            return;
        }
        String name = cmd.getName().isEmpty() ? freshQueueName(vhost, ctx) : cmd.getName();
        if (!cmd.getName().isEmpty() && name.startsWith("amq.")) {
            throw method.refuse(ReplyCodes.ACCESS_REFUSED,
                    "queue name '" + name + "' contains reserved prefix 'amq.*'");
        }
        Arguments.checkQueueType(cmd.getArguments(), method);
        String what = QueueState.describe(vhost.name, name);
        state.access.check(session, vhost.name, Access.CONFIGURE, "queue", name, method);
        QueueState existing = vhost.queues.get(name);
        if (existing != null) {
            // RabbitMQ compares a redeclaration with the queue as it is before it checks the arguments
            session.checkExclusive(existing, method);
            Arguments.requireSame("durable", cmd.getDurable(), existing.durable, what, method);
            Arguments.requireSame("auto_delete", cmd.getAutoDelete(), existing.autoDelete, what, method);
            Arguments.requireSame("exclusive", cmd.getExclusive(), existing.exclusiveOwner != null, what, method);
            Arguments.requireSameArguments(cmd.getArguments(), existing.arguments, what, method);
            existing.lastUsedMs = state.clockMs; // a redeclare uses the queue (x-expires)
            dispatcher.noteExpiries(existing);
            ctx.answer(declared(existing));
            return;
        }
        checkDeadLetterExchange(session, cmd.getArguments(), name, what, method);
        checkNewQueueArguments(cmd.getArguments(), what, method);
        QueueState queue = new QueueState(vhost.name, name, state.nextQueueIncarnation++, cmd.getDurable(),
                cmd.getExclusive() ? session.connection().key : null, cmd.getAutoDelete(), cmd.getArguments(),
                ctx.node);
        queue.lastUsedMs = state.clockMs;
        Policies.apply(vhost, queue);
        vhost.queues.put(name, queue);
        dispatcher.noteExpiries(queue);
        ctx.answer(declared(queue));
    }

    /**
     * RabbitMQ 3.10's checks of a new queue's arguments: those its type does not take (x-delivery-limit is a
     * quorum queue's, and takes any value: a negative one acts as 0, one that is not an integer is ignored;
     * x-max-priority and x-queue-mode are a classic queue's), then those Warren does not offer yet, then in
     * RabbitMQ's order x-queue-mode ("lazy" or "default": every Warren queue keeps its bodies on disk, which
     * is what lazy asks), x-expires (a positive number of ms), x-message-ttl, the length limits.
     */
    private static void checkNewQueueArguments(Table arguments, String what, AmqpMethod method) {
        boolean quorum = QueueLimits.isQuorum(arguments);
        for (String key : quorum ? QUORUM_ONLY_NOT : CLASSIC_ONLY_NOT) {
            if (Tables.get(arguments, key) != null) {
                throw method.refuse(ReplyCodes.PRECONDITION_FAILED, "invalid arg '" + key + "' for " + what
                        + " of queue type " + (quorum ? "rabbit_quorum_queue" : "rabbit_classic_queue"));
            }
        }
        Arguments.refuseUnsupported(arguments, Arguments.QUEUE_UNSUPPORTED, "queue", method);
        io.warren.proto.Value mode = Arguments.requireType(arguments, "x-queue-mode", Tables.TypeClass.TEXT, what,
                method);
        if (mode != null && !List.of("default", "lazy").contains(Tables.text(mode))) {
            throw Arguments.invalid("x-queue-mode", what, "\"unsupported queue mode '" + Tables.text(mode) + "'\"",
                    method);
        }
        Arguments.checkInteger(arguments, "x-expires", what, method, false, MessageExpiry.TTL_MAX);
        Arguments.checkInteger(arguments, "x-message-ttl", what, method, true, MessageExpiry.TTL_MAX);
        io.warren.proto.Value routingKey = Arguments.requireType(arguments, "x-dead-letter-routing-key",
                Tables.TypeClass.TEXT, what, method);
        if (routingKey != null && Tables.get(arguments, "x-dead-letter-exchange") == null) {
            throw Arguments.invalid("x-dead-letter-routing-key", what, "routing_key_but_no_dlx_defined", method);
        }
        for (String key : List.of("x-dead-letter-exchange", "x-dead-letter-routing-key")) {
            io.warren.proto.Value name = Tables.get(arguments, key);
            if (name != null && name.getLongString().size() > Arguments.SHORT_STRING_MAX) {
                // Warren's own: an exchange name or routing key is an AMQP short string, so none is longer
                throw Arguments.invalid(key, what, "longer than " + Arguments.SHORT_STRING_MAX + " bytes", method);
            }
        }
        QueueLimits.check(arguments, what, method);
        Arguments.checkMaxPriority(arguments, what, method);
        Arguments.requireType(arguments, "x-single-active-consumer", Tables.TypeClass.BOOLEAN, what, method);
        io.warren.proto.Value strategy = Arguments.requireType(arguments, "x-dead-letter-strategy",
                Tables.TypeClass.TEXT, what, method);
        if (strategy != null && !List.of("at-most-once", "at-least-once").contains(Tables.text(strategy))) {
            throw Arguments.invalid("x-dead-letter-strategy", what, "invalid_dlx_strategy", method);
        }
    }

    /**
     * RabbitMQ's channel checks a new queue's x-dead-letter-exchange before the queue's own argument checks: a
     * name (of any exchange, declared or not), and the declaring user may read the queue and write to it.
     */
    private void checkDeadLetterExchange(Session session, Table arguments, String name, String what,
            AmqpMethod method) {
        io.warren.proto.Value exchange = Tables.get(arguments, "x-dead-letter-exchange");
        if (exchange == null) {
            return;
        }
        if (Tables.typeClass(exchange) != Tables.TypeClass.TEXT) {
            throw method.refuse(ReplyCodes.PRECONDITION_FAILED, "invalid type '" + Tables.rabbitTypeName(exchange)
                    + "' for arg 'x-dead-letter-exchange' in " + what);
        }
        String vhost = session.vhost().name;
        state.access.check(session, vhost, Access.READ, "queue", name, method);
        state.access.check(session, vhost, Access.WRITE, "exchange", Tables.text(exchange), method);
    }

    /** Arguments a queue type refuses (RabbitMQ 3.10, probed), checked first: the type's own check comes first there. */
    private static final List<String> QUORUM_ONLY_NOT = List.of("x-max-priority", "x-queue-mode");
    private static final List<String> CLASSIC_ONLY_NOT = List.of("x-delivery-limit", "x-dead-letter-strategy");

    private static String freshQueueName(VhostState vhost, ApplyContext ctx) {
        for (int attempt = 0; ; attempt++) {
            String name = ctx.freshName("amq.gen-", attempt);
            if (!vhost.queues.containsKey(name)) {
                return name;
            }
        }
    }

    static Reply declared(QueueState queue) {
        return Reply.newBuilder().setQueueDeclared(QueueDeclared.newBuilder().setQueue(queue.name)
                .setMessageCount(queue.ready.size()).setConsumerCount(queue.consumers.size())).build();
    }

    void bind(Session session, BindQueue cmd, ApplyContext ctx) {
        AmqpMethod method = AmqpMethod.QUEUE_BIND;
        ExchangeState source = checkEndpoints(session, cmd.getQueue(), cmd.getExchange(), cmd.getRoutingKey(), method);
        ExchangeCommands.addBinding(source, new Binding(cmd.getExchange(), cmd.getQueue(), true,
                cmd.getRoutingKey(), cmd.getArguments()), method);
        ctx.answer(Dispatcher.done());
    }

    void unbind(Session session, UnbindQueue cmd, ApplyContext ctx) {
        AmqpMethod method = AmqpMethod.QUEUE_UNBIND;
        ExchangeState source = checkEndpoints(session, cmd.getQueue(), cmd.getExchange(), cmd.getRoutingKey(), method);
        Binding binding = new Binding(cmd.getExchange(), cmd.getQueue(), true, cmd.getRoutingKey(),
                cmd.getArguments());
        dispatcher.removeBinding(session.vhost(), source, binding, ctx);
        ctx.answer(Dispatcher.done());
    }

    private ExchangeState checkEndpoints(Session session, String queueName, String exchangeName, String routingKey,
            AmqpMethod method) {
        if (exchangeName.isEmpty()) {
            throw method.refuse(ReplyCodes.ACCESS_REFUSED, "operation not permitted on the default exchange");
        }
        String vhost = session.vhost().name;
        state.access.check(session, vhost, Access.WRITE, "queue", queueName, method);
        state.access.check(session, vhost, Access.READ, "exchange", exchangeName, method);
        ExchangeCommands.checkTopicRead(state.access, session, exchangeName, routingKey, method);
        QueueState queue = session.queue(queueName, method);
        ExchangeState exchange = session.exchange(exchangeName, method);
        session.checkExclusive(queue, method);
        return exchange;
    }

    void purge(Session session, PurgeQueue cmd, ApplyContext ctx) {
        AmqpMethod method = AmqpMethod.QUEUE_PURGE;
        state.access.check(session, session.vhost().name, Access.READ, "queue", cmd.getQueue(), method);
        QueueState queue = session.queue(cmd.getQueue(), method);
        session.checkExclusive(queue, method);
        int purged = queue.ready.size();
        dispatcher.dropReady(queue, ctx);
        ctx.answer(count(purged));
    }

    void delete(Session session, DeleteQueue cmd, ApplyContext ctx) {
        AmqpMethod method = AmqpMethod.QUEUE_DELETE;
        VhostState vhost = session.vhost();
        state.access.check(session, vhost.name, Access.CONFIGURE, "queue", cmd.getQueue(), method);
        QueueState queue = vhost.queues.get(cmd.getQueue());
        if (queue == null) {
            ctx.answer(count(0));
            return;
        }
        session.checkExclusive(queue, method);
        if (cmd.getIfUnused() && !queue.consumers.isEmpty()) {
            throw method.refuse(ReplyCodes.PRECONDITION_FAILED, queue.describe() + " in use");
        }
        if (cmd.getIfEmpty() && !queue.ready.isEmpty()) {
            throw method.refuse(ReplyCodes.PRECONDITION_FAILED, queue.describe() + " not empty");
        }
        ctx.answer(count(dispatcher.deleteQueue(vhost, queue, ctx)));
    }

    static Reply count(int messages) {
        return Reply.newBuilder().setMessageCount(MessageCount.newBuilder().setMessageCount(messages)).build();
    }
}
