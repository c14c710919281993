package io.warren.node;

import io.warren.amqp.broker.Broker;
import io.warren.amqp.broker.BrokerConnection;
import io.warren.amqp.broker.ClientConnection;
import io.warren.amqp.broker.ConnectionInfo;
import io.warren.raft.ratis.CommandSubmitter;
import java.util.function.BooleanSupplier;

/**
 * The wire layer's door into this node: each accepted connection becomes a {@link NodeConnection}, and every
 * write of what the state decided asks the node's serving lease first ({@link ServingLease}).
 */
final class NodeBroker implements Broker {
    private final EffectDispatcher dispatcher;
    private final CommandSubmitter submitter;
    private final BooleanSupplier servingLease;

    private final MessageCounters counters;

    NodeBroker(EffectDispatcher dispatcher, CommandSubmitter submitter, BooleanSupplier servingLease,
            MessageCounters counters) {
        this.counters = counters;
        this.dispatcher = dispatcher;
        this.submitter = submitter;
        this.servingLease = servingLease;
    }

    @Override
    public boolean holdsServingLease() {
        return servingLease.getAsBoolean();
    }

    @Override
    public BrokerConnection openConnection(ConnectionInfo info, ClientConnection client) {
        NodeConnection connection = new NodeConnection(dispatcher, submitter, info, client, counters);
        dispatcher.add(connection);
        connection.open();
        return connection;
    }
}
