package io.warren.node;

import io.warren.amqp.broker.Broker;
import io.warren.amqp.broker.BrokerConnection;
import io.warren.amqp.broker.ClientConnection;
import io.warren.amqp.broker.ConnectionInfo;
import io.warren.raft.ratis.CommandSubmitter;

/** The wire layer's door into this node: each accepted connection becomes a {@link NodeConnection}. */
final class NodeBroker implements Broker {
    private final EffectDispatcher dispatcher;
    private final CommandSubmitter submitter;

    NodeBroker(EffectDispatcher dispatcher, CommandSubmitter submitter) {
        this.dispatcher = dispatcher;
        this.submitter = submitter;
    }

    @Override
    public BrokerConnection openConnection(ConnectionInfo info, ClientConnection client) {
        NodeConnection connection = new NodeConnection(dispatcher, submitter, info, client);
        dispatcher.add(connection);
        connection.open();
        return connection;
    }
}
