package io.warren.node;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.broker.BrokerChannel;
import io.warren.amqp.broker.BrokerConnection;
import io.warren.amqp.broker.ClientChannel;
import io.warren.amqp.broker.ClientConnection;
import io.warren.amqp.broker.ConnectionInfo;
import io.warren.proto.Command;
import io.warren.proto.ConnectionRef;
import io.warren.raft.core.Commands;
import io.warren.raft.ratis.CommandSubmitter;

/**
 * One client connection on this node, named in the log by (node, epoch, local id). Its OpenConnection
 * goes into the log before any of its channels' commands, which the submitter keeps in order.
 */
final class NodeConnection implements BrokerConnection {
    private final EffectDispatcher dispatcher;
    private final CommandSubmitter submitter;
    private final ConnectionInfo info;
    private final ClientConnection client;
    private final ConnectionRef ref;

    private final MessageCounters counters;

    NodeConnection(EffectDispatcher dispatcher, CommandSubmitter submitter, ConnectionInfo info,
            ClientConnection client, MessageCounters counters) {
        this.counters = counters;
        this.dispatcher = dispatcher;
        this.submitter = submitter;
        this.info = info;
        this.client = client;
        this.ref = ConnectionRef.newBuilder().setNode(dispatcher.node()).setEpoch(dispatcher.epoch())
                .setId(dispatcher.nextLocalId()).build();
    }

    long id() {
        return ref.getId();
    }

    ConnectionRef ref() {
        return ref;
    }

    /** Registers the connection in the log; a refusal (the vhost went away meanwhile) closes it with 530. */
    void open() {
        var clientName = info.clientProperties() == null ? null : info.clientProperties().get("connection_name");
        Command.Builder command = Commands.openConnection(ref, info.user(), info.virtualHost(), info.name(),
                clientName instanceof io.warren.amqp.codec.FieldValue.Text text ? text.value().asUtf8() : "");
        dispatcher.expectReply(command).whenComplete((reply, error) -> {
            if (reply != null && reply.hasRefusal()) {
                client.close(AmqpException.of(ReplyCode.NOT_ALLOWED, reply.getRefusal().getText()));
            }
        });
        submitter.submit(command.build());
        applyGate(dispatcher.gate());
    }

    @Override
    public BrokerChannel openChannel(int channelNumber, ClientChannel clientChannel) {
        NodeChannel channel = new NodeChannel(this, dispatcher, submitter, channelNumber, clientChannel,
                counters);
        dispatcher.add(channel);
        return channel;
    }

    @Override
    public void closed() {
        dispatcher.remove(this);
        Command.Builder command = Commands.closeConnection(ref);
        dispatcher.expectReply(command);
        submitter.submit(command.build());
    }

    @Override
    public void writabilityChanged(boolean writable) {
        for (NodeChannel channel : dispatcher.channelsOf(this)) {
            channel.writabilityChanged(writable);
        }
    }

    void forceClose(AmqpException error) {
        client.close(error);
    }

    /**
     * Set when the connection publishes while an alarm is on, cleared when the alarms clear: as in
     * RabbitMQ, an alarm blocks a connection at its first publish under the alarm, so consume-only
     * connections, and publishers that stay quiet, are never stopped.
     */
    private volatile boolean publishedUnderAlarm;

    /** A channel of this connection published: under an alarm, the connection is blocked now. */
    void published(PublishGate gate) {
        if (!publishedUnderAlarm && gate.alarmed()) {
            publishedUnderAlarm = true;
            applyGate(gate);
        }
    }

    /** The reason this connection was last told it is blocked; null while it is not. */
    private String blockedFor;

    synchronized void applyGate(PublishGate gate) {
        if (!gate.alarmed()) {
            publishedUnderAlarm = false;
        }
        String reason = gate.reasonFor(publishedUnderAlarm);
        if (reason != null && !reason.equals(blockedFor)) {
            client.block(reason);
        } else if (reason == null && blockedFor != null) {
            client.unblock();
        }
        blockedFor = reason;
    }
}
