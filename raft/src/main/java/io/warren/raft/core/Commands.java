package io.warren.raft.core;

import com.google.protobuf.ByteString;
import io.warren.proto.Ack;
import io.warren.proto.BindExchange;
import io.warren.proto.BindQueue;
import io.warren.proto.Cancel;
import io.warren.proto.ClearPermissions;
import io.warren.proto.ClearTopicPermissions;
import io.warren.proto.ClearPolicy;
import io.warren.proto.CloseChannel;
import io.warren.proto.CloseConnection;
import io.warren.proto.Command;
import io.warren.proto.ConnectionRef;
import io.warren.proto.Consume;
import io.warren.proto.Credit;
import io.warren.proto.DeadLetter;
import io.warren.proto.DeclareExchange;
import io.warren.proto.DeclareNodeDown;
import io.warren.proto.DeclareQueue;
import io.warren.proto.DeleteExchange;
import io.warren.proto.DeleteQueue;
import io.warren.proto.DeleteUser;
import io.warren.proto.DeleteVhost;
import io.warren.proto.Get;
import io.warren.proto.Nack;
import io.warren.proto.OpenConnection;
import io.warren.proto.Publish;
import io.warren.proto.PurgeQueue;
import io.warren.proto.PutUser;
import io.warren.proto.PutVhost;
import io.warren.proto.UserChange;
import io.warren.proto.Qos;
import io.warren.proto.Recover;
import io.warren.proto.RegisterNode;
import io.warren.proto.SetAlarms;
import io.warren.proto.SetPermissions;
import io.warren.proto.SetTopicPermissions;
import io.warren.proto.SetPolicy;
import io.warren.proto.Table;
import io.warren.proto.Tick;
import io.warren.proto.TxCommit;
import io.warren.proto.TxRollback;
import io.warren.proto.UnbindExchange;
import io.warren.proto.UnbindQueue;

/**
 * The one place replicated commands are built, named after the AMQP methods and admin operations they stand
 * for. The node's channels, connections, admin API and liveness and the core's tests all build them here, so a
 * field added to a command is set in one place. Each returns a builder: the caller adds what only it knows (the
 * channel, a request id) and builds.
 */
public final class Commands {
    private Commands() {}

    // ---- exchanges, queues, bindings ----

    public static Command.Builder declareExchange(String name, String type, boolean passive, boolean durable,
            boolean autoDelete, boolean internal, Table arguments) {
        return Command.newBuilder().setDeclareExchange(DeclareExchange.newBuilder().setName(name).setType(type)
                .setPassive(passive).setDurable(durable).setAutoDelete(autoDelete).setInternal(internal)
                .setArguments(arguments));
    }

    public static Command.Builder declareExchange(String name, String type) {
        return declareExchange(name, type, false, false, false, false, Table.getDefaultInstance());
    }

    public static Command.Builder declareExchange(String name, String type, boolean durable, boolean autoDelete) {
        return declareExchange(name, type, false, durable, autoDelete, false, Table.getDefaultInstance());
    }

    public static Command.Builder deleteExchange(String name, boolean ifUnused) {
        return Command.newBuilder().setDeleteExchange(DeleteExchange.newBuilder().setName(name).setIfUnused(ifUnused));
    }

    public static Command.Builder bindExchange(String destination, String source, String key, Table arguments) {
        return Command.newBuilder().setBindExchange(BindExchange.newBuilder().setDestination(destination)
                .setSource(source).setRoutingKey(key).setArguments(arguments));
    }

    public static Command.Builder bindExchange(String destination, String source, String key) {
        return bindExchange(destination, source, key, Table.getDefaultInstance());
    }

    public static Command.Builder unbindExchange(String destination, String source, String key, Table arguments) {
        return Command.newBuilder().setUnbindExchange(UnbindExchange.newBuilder().setDestination(destination)
                .setSource(source).setRoutingKey(key).setArguments(arguments));
    }

    public static Command.Builder declareQueue(String name, boolean passive, boolean durable, boolean exclusive,
            boolean autoDelete, Table arguments) {
        return Command.newBuilder().setDeclareQueue(DeclareQueue.newBuilder().setName(name).setPassive(passive)
                .setDurable(durable).setExclusive(exclusive).setAutoDelete(autoDelete).setArguments(arguments));
    }

    public static Command.Builder declareQueue(String name) {
        return declareQueue(name, false, false, false, false, Table.getDefaultInstance());
    }

    public static Command.Builder declareQueue(String name, boolean durable, boolean exclusive, boolean autoDelete) {
        return declareQueue(name, false, durable, exclusive, autoDelete, Table.getDefaultInstance());
    }

    public static Command.Builder declareQueuePassive(String name) {
        return declareQueue(name, true, false, false, false, Table.getDefaultInstance());
    }

    public static Command.Builder bind(String queue, String exchange, String key, Table arguments) {
        return Command.newBuilder().setBindQueue(BindQueue.newBuilder().setQueue(queue).setExchange(exchange)
                .setRoutingKey(key).setArguments(arguments));
    }

    public static Command.Builder bind(String queue, String exchange, String key) {
        return bind(queue, exchange, key, Table.getDefaultInstance());
    }

    public static Command.Builder unbind(String queue, String exchange, String key, Table arguments) {
        return Command.newBuilder().setUnbindQueue(UnbindQueue.newBuilder().setQueue(queue).setExchange(exchange)
                .setRoutingKey(key).setArguments(arguments));
    }

    public static Command.Builder unbind(String queue, String exchange, String key) {
        return unbind(queue, exchange, key, Table.getDefaultInstance());
    }

    public static Command.Builder purge(String queue) {
        return Command.newBuilder().setPurgeQueue(PurgeQueue.newBuilder().setQueue(queue));
    }

    public static Command.Builder deleteQueue(String queue, boolean ifUnused, boolean ifEmpty) {
        return Command.newBuilder().setDeleteQueue(DeleteQueue.newBuilder().setQueue(queue).setIfUnused(ifUnused)
                .setIfEmpty(ifEmpty));
    }

    // ---- consumers and deliveries ----

    public static Command.Builder qos(int prefetch, boolean global) {
        return Command.newBuilder().setQos(Qos.newBuilder().setPrefetchCount(prefetch).setGlobal(global));
    }

    /** A consumer; {@code credit} 0 means none is granted up front (the core then delivers without a window). */
    public static Command.Builder consume(String queue, String tag, boolean noAck, boolean exclusive,
            Table arguments, int credit) {
        return Command.newBuilder().setConsume(Consume.newBuilder().setQueue(queue).setConsumerTag(tag)
                .setNoAck(noAck).setExclusive(exclusive).setArguments(arguments).setCredit(credit));
    }

    /** The direct reply-to consumer: {@code replyKey} is the node's secret for the channel's reply address. */
    public static Command.Builder consumeReplies(String queue, String tag, boolean noAck, boolean exclusive,
            Table arguments, String replyKey) {
        return Command.newBuilder().setConsume(Consume.newBuilder().setQueue(queue).setConsumerTag(tag)
                .setNoAck(noAck).setExclusive(exclusive).setArguments(arguments).setReplyKey(replyKey));
    }

    public static Command.Builder consume(String queue, String tag, boolean noAck) {
        return consume(queue, tag, noAck, false, Table.getDefaultInstance(), 0);
    }

    public static Command.Builder consume(String queue, String tag, boolean noAck, Table arguments) {
        return consume(queue, tag, noAck, false, arguments, 0);
    }

    public static Command.Builder consumeExclusive(String queue, String tag) {
        return consume(queue, tag, false, true, Table.getDefaultInstance(), 0);
    }

    public static Command.Builder cancel(String tag) {
        return Command.newBuilder().setCancel(Cancel.newBuilder().setConsumerTag(tag));
    }

    public static Command.Builder credit(String tag, int credit) {
        return Command.newBuilder().setCredit(Credit.newBuilder().setConsumerTag(tag).setCredit(credit));
    }

    public static Command.Builder get(String queue, boolean noAck) {
        return Command.newBuilder().setGet(Get.newBuilder().setQueue(queue).setNoAck(noAck));
    }

    /** {@code txOp}: the settle's number in the channel's transaction, or 0 outside one. */
    public static Command.Builder ack(long tag, boolean multiple, long txOp) {
        return Command.newBuilder().setAck(Ack.newBuilder().setDeliveryTag(tag).setMultiple(multiple).setTxOp(txOp));
    }

    public static Command.Builder ack(long tag, boolean multiple) {
        return ack(tag, multiple, 0);
    }

    public static Command.Builder nack(long tag, boolean multiple, boolean requeue, long txOp) {
        return Command.newBuilder().setNack(Nack.newBuilder().setDeliveryTag(tag).setMultiple(multiple)
                .setRequeue(requeue).setTxOp(txOp));
    }

    public static Command.Builder nack(long tag, boolean multiple, boolean requeue) {
        return nack(tag, multiple, requeue, 0);
    }

    /** basic.reject: a nack of one delivery, marked as a reject. */
    public static Command.Builder reject(long tag, boolean requeue, long txOp) {
        return Command.newBuilder().setNack(Nack.newBuilder().setDeliveryTag(tag).setRequeue(requeue).setReject(true)
                .setTxOp(txOp));
    }

    public static Command.Builder reject(long tag, boolean requeue) {
        return reject(tag, requeue, 0);
    }

    public static Command.Builder recover(boolean requeue) {
        return Command.newBuilder().setRecover(Recover.newBuilder().setRequeue(requeue));
    }

    public static Command.Builder recover() {
        return recover(true);
    }

    // ---- publishing ----

    /** A publish whose fields the caller filled (its optional properties vary); the message goes beside it. */
    public static Command.Builder publish(Publish.Builder publish) {
        return Command.newBuilder().setPublish(publish);
    }

    /** A dead-letter copy the leader asked for, published by the node that holds the message. */
    public static Command.Builder deadLetter(DeadLetter.Builder copy) {
        return Command.newBuilder().setDeadLetter(copy);
    }

    // ---- channels, transactions, connections ----

    public static Command.Builder closeChannel() {
        return Command.newBuilder().setCloseChannel(CloseChannel.getDefaultInstance());
    }

    /** Commits a channel's transaction through the op numbered {@code through}. */
    public static Command.Builder txCommit(long through) {
        return Command.newBuilder().setTxCommit(TxCommit.newBuilder().setThrough(through));
    }

    public static Command.Builder txRollback(long through) {
        return Command.newBuilder().setTxRollback(TxRollback.newBuilder().setThrough(through));
    }

    public static Command.Builder openConnection(ConnectionRef connection, String user, String vhost, String name) {
        return Command.newBuilder().setOpenConnection(OpenConnection.newBuilder().setConnection(connection)
                .setUser(user).setVhost(vhost).setName(name));
    }

    /** The same, with the name the client gave itself (its connection_name property). */
    public static Command.Builder openConnection(ConnectionRef connection, String user, String vhost, String name,
            String clientName) {
        Command.Builder command = openConnection(connection, user, vhost, name);
        command.getOpenConnectionBuilder().setClientName(clientName);
        return command;
    }

    public static Command.Builder closeConnection(ConnectionRef connection) {
        return Command.newBuilder().setCloseConnection(CloseConnection.newBuilder().setConnection(connection));
    }

    /** An operator's close: the connection's node closes the client with 320 and {@code reason}. */
    public static Command.Builder forceCloseConnection(ConnectionRef connection, String reason) {
        return Command.newBuilder().setCloseConnection(CloseConnection.newBuilder().setConnection(connection)
                .setForcedReason(reason));
    }

    // ---- nodes ----

    /** A node process's registration, told apart from earlier ones by its random incarnation. */
    public static Command.Builder registerNode(String node, ByteString incarnation, long consumerTimeoutMs) {
        return Command.newBuilder().setRegisterNode(RegisterNode.newBuilder().setNode(node).setIncarnation(incarnation)
                .setConsumerTimeoutMs(consumerTimeoutMs));
    }

    public static Command.Builder declareNodeDown(String node, long epoch) {
        return Command.newBuilder().setDeclareNodeDown(DeclareNodeDown.newBuilder().setNode(node).setEpoch(epoch));
    }

    public static Command.Builder setAlarms(String node, boolean memory, boolean disk) {
        return Command.newBuilder().setSetAlarms(SetAlarms.newBuilder().setNode(node).setMemory(memory).setDisk(disk));
    }

    /** The leader's clock, for message and queue expiry when nothing else is applied. */
    public static Command.Builder tick() {
        return Command.newBuilder().setTick(Tick.getDefaultInstance());
    }

    // ---- users, virtual hosts, permissions, policies ----

    /** rabbitmqctl add_user: refused for an existing user. */
    public static Command.Builder addUser(String name, ByteString passwordHash) {
        return Command.newBuilder().setPutUser(PutUser.newBuilder().setName(name).setPasswordHash(passwordHash)
                .setChange(UserChange.USER_ADD));
    }

    /** rabbitmqctl change_password: an existing user's; its tags stay. */
    public static Command.Builder changePassword(String name, ByteString passwordHash) {
        return Command.newBuilder().setPutUser(PutUser.newBuilder().setName(name).setPasswordHash(passwordHash)
                .setChange(UserChange.USER_PASSWORD));
    }

    /** rabbitmqctl set_user_tags: an existing user's; its password stays. */
    public static Command.Builder setUserTags(String name, Iterable<String> tags) {
        return Command.newBuilder().setPutUser(PutUser.newBuilder().setName(name).addAllTags(tags)
                .setChange(UserChange.USER_TAGS));
    }

    public static Command.Builder deleteUser(String name) {
        return Command.newBuilder().setDeleteUser(DeleteUser.newBuilder().setName(name));
    }

    public static Command.Builder putVhost(String name) {
        return Command.newBuilder().setPutVhost(PutVhost.newBuilder().setName(name));
    }

    public static Command.Builder deleteVhost(String name) {
        return Command.newBuilder().setDeleteVhost(DeleteVhost.newBuilder().setName(name));
    }

    public static Command.Builder setPermissions(String user, String vhost, String configure, String write,
            String read) {
        return Command.newBuilder().setSetPermissions(SetPermissions.newBuilder().setUser(user).setVhost(vhost)
                .setConfigure(configure).setWrite(write).setRead(read));
    }

    public static Command.Builder clearPermissions(String user, String vhost) {
        return Command.newBuilder().setClearPermissions(ClearPermissions.newBuilder().setUser(user).setVhost(vhost));
    }

    public static Command.Builder setTopicPermissions(String user, String vhost, String exchange, String write,
            String read) {
        return Command.newBuilder().setSetTopicPermissions(SetTopicPermissions.newBuilder().setUser(user)
                .setVhost(vhost).setExchange(exchange).setWrite(write).setRead(read));
    }

    /** An empty {@code exchange} clears the user's topic permissions on every exchange of the vhost. */
    public static Command.Builder clearTopicPermissions(String user, String vhost, String exchange) {
        return Command.newBuilder().setClearTopicPermissions(ClearTopicPermissions.newBuilder().setUser(user)
                .setVhost(vhost).setExchange(exchange));
    }

    /** A user policy, or with {@code operator} an operator policy. */
    public static Command.Builder setPolicy(String vhost, String name, String pattern, String applyTo, int priority,
            Table definition, boolean operator) {
        return Command.newBuilder().setSetPolicy(SetPolicy.newBuilder().setVhost(vhost).setName(name)
                .setPattern(pattern).setApplyTo(applyTo).setPriority(priority).setDefinition(definition)
                .setOperator(operator));
    }

    public static Command.Builder clearPolicy(String vhost, String name, boolean operator) {
        return Command.newBuilder().setClearPolicy(ClearPolicy.newBuilder().setVhost(vhost).setName(name)
                .setOperator(operator));
    }
}
