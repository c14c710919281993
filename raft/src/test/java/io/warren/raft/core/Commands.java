package io.warren.raft.core;

import com.google.protobuf.ByteString;
import io.warren.proto.Ack;
import io.warren.proto.BindExchange;
import io.warren.proto.BindQueue;
import io.warren.proto.Cancel;
import io.warren.proto.CloseChannel;
import io.warren.proto.Command;
import io.warren.proto.Consume;
import io.warren.proto.DeclareExchange;
import io.warren.proto.DeclareQueue;
import io.warren.proto.DeleteExchange;
import io.warren.proto.DeleteQueue;
import io.warren.proto.Get;
import io.warren.proto.Nack;
import io.warren.proto.Publish;
import io.warren.proto.PurgeQueue;
import io.warren.proto.Qos;
import io.warren.proto.Recover;
import io.warren.proto.Table;
import io.warren.proto.TableEntry;
import io.warren.proto.UnbindQueue;
import io.warren.proto.Value;

/** Command builders for core tests, named after the AMQP methods they stand for. */
final class Commands {
    private Commands() {}

    static Command.Builder declareQueue(String name) {
        return Command.newBuilder().setDeclareQueue(DeclareQueue.newBuilder().setName(name));
    }

    static Command.Builder declareQueue(String name, boolean durable, boolean exclusive, boolean autoDelete) {
        return Command.newBuilder().setDeclareQueue(DeclareQueue.newBuilder().setName(name).setDurable(durable)
                .setExclusive(exclusive).setAutoDelete(autoDelete));
    }

    static Command.Builder declareQueuePassive(String name) {
        return Command.newBuilder().setDeclareQueue(DeclareQueue.newBuilder().setName(name).setPassive(true));
    }

    static Command.Builder declareExchange(String name, String type) {
        return Command.newBuilder().setDeclareExchange(DeclareExchange.newBuilder().setName(name).setType(type));
    }

    static Command.Builder declareExchange(String name, String type, boolean durable, boolean autoDelete) {
        return Command.newBuilder().setDeclareExchange(DeclareExchange.newBuilder().setName(name).setType(type)
                .setDurable(durable).setAutoDelete(autoDelete));
    }

    static Command.Builder deleteExchange(String name, boolean ifUnused) {
        return Command.newBuilder().setDeleteExchange(DeleteExchange.newBuilder().setName(name).setIfUnused(ifUnused));
    }

    static Command.Builder bind(String queue, String exchange, String key) {
        return bind(queue, exchange, key, Table.getDefaultInstance());
    }

    static Command.Builder bind(String queue, String exchange, String key, Table arguments) {
        return Command.newBuilder().setBindQueue(BindQueue.newBuilder().setQueue(queue).setExchange(exchange)
                .setRoutingKey(key).setArguments(arguments));
    }

    static Command.Builder unbind(String queue, String exchange, String key) {
        return Command.newBuilder().setUnbindQueue(UnbindQueue.newBuilder().setQueue(queue).setExchange(exchange)
                .setRoutingKey(key));
    }

    static Command.Builder bindExchange(String destination, String source, String key) {
        return Command.newBuilder().setBindExchange(BindExchange.newBuilder().setDestination(destination)
                .setSource(source).setRoutingKey(key));
    }

    /** A durable queue with declaration arguments (keys and values, as {@link #table} takes them). */
    static Command.Builder declareWith(String name, Object... arguments) {
        return Command.newBuilder().setDeclareQueue(io.warren.proto.DeclareQueue.newBuilder().setName(name)
                .setDurable(true).setArguments(table(arguments)));
    }

    static Command.Builder publish(String exchange, String key, String body, boolean mandatory, long sequence) {
        return publish(exchange, key, body, mandatory, sequence, Table.getDefaultInstance(), true);
    }

    static Command.Builder publish(String exchange, String key, String body, boolean mandatory, long sequence,
            Table headers, boolean persistent) {
        return Command.newBuilder().setPublish(Publish.newBuilder().setExchange(exchange).setRoutingKey(key)
                .setMandatory(mandatory).setConfirmSequence(sequence).setHeaders(headers).setPersistent(persistent)
                .setSize(body.length()).setBodySize(body.length()).setUnknownFields(CoreDriver.bodyField(body)));
    }

    static Command.Builder consume(String queue, String tag, boolean noAck) {
        return Command.newBuilder().setConsume(Consume.newBuilder().setQueue(queue).setConsumerTag(tag).setNoAck(noAck));
    }

    static Command.Builder consume(String queue, String tag, boolean noAck, Table arguments) {
        return Command.newBuilder().setConsume(Consume.newBuilder().setQueue(queue).setConsumerTag(tag).setNoAck(noAck)
                .setArguments(arguments));
    }

    static Command.Builder consumeExclusive(String queue, String tag) {
        return Command.newBuilder().setConsume(Consume.newBuilder().setQueue(queue).setConsumerTag(tag)
                .setExclusive(true));
    }

    static Command.Builder cancel(String tag) {
        return Command.newBuilder().setCancel(Cancel.newBuilder().setConsumerTag(tag));
    }

    static Command.Builder qos(int prefetch, boolean global) {
        return Command.newBuilder().setQos(Qos.newBuilder().setPrefetchCount(prefetch).setGlobal(global));
    }

    static Command.Builder ack(long tag, boolean multiple) {
        return Command.newBuilder().setAck(Ack.newBuilder().setDeliveryTag(tag).setMultiple(multiple));
    }

    static Command.Builder nack(long tag, boolean multiple, boolean requeue) {
        return Command.newBuilder().setNack(Nack.newBuilder().setDeliveryTag(tag).setMultiple(multiple)
                .setRequeue(requeue));
    }

    static Command.Builder reject(long tag, boolean requeue) {
        return Command.newBuilder().setNack(Nack.newBuilder().setDeliveryTag(tag).setRequeue(requeue).setReject(true));
    }

    static Command.Builder recover() {
        return Command.newBuilder().setRecover(Recover.newBuilder().setRequeue(true));
    }

    static Command.Builder get(String queue, boolean noAck) {
        return Command.newBuilder().setGet(Get.newBuilder().setQueue(queue).setNoAck(noAck));
    }

    static Command.Builder purge(String queue) {
        return Command.newBuilder().setPurgeQueue(PurgeQueue.newBuilder().setQueue(queue));
    }

    static Command.Builder deleteQueue(String queue, boolean ifUnused, boolean ifEmpty) {
        return Command.newBuilder().setDeleteQueue(DeleteQueue.newBuilder().setQueue(queue).setIfUnused(ifUnused)
                .setIfEmpty(ifEmpty));
    }

    static Command.Builder declareNodeDown(String node, long epoch) {
        return Command.newBuilder().setDeclareNodeDown(io.warren.proto.DeclareNodeDown.newBuilder().setNode(node)
                .setEpoch(epoch));
    }

    static Command.Builder closeChannel() {
        return Command.newBuilder().setCloseChannel(CloseChannel.getDefaultInstance());
    }

    static Table table(Object... keysAndValues) {
        Table.Builder table = Table.newBuilder();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            table.addEntries(TableEntry.newBuilder().setKey((String) keysAndValues[i]).setValue(value(keysAndValues[i + 1])));
        }
        return table.build();
    }

    static Value value(Object v) {
        if (v == null) {
            return Value.newBuilder().setVoid(true).build();
        }
        if (v instanceof String s) {
            return Value.newBuilder().setLongString(ByteString.copyFromUtf8(s)).build();
        }
        if (v instanceof Integer i) {
            return Value.newBuilder().setInt32(i).build();
        }
        if (v instanceof Long l) {
            return Value.newBuilder().setInt64(l).build();
        }
        if (v instanceof Boolean b) {
            return Value.newBuilder().setBoolean(b).build();
        }
        if (v instanceof java.util.List<?> list) {
            io.warren.proto.ValueList.Builder values = io.warren.proto.ValueList.newBuilder();
            list.forEach(item -> values.addValues(value(item)));
            return Value.newBuilder().setArray(values).build();
        }
        if (v instanceof Double d) {
            return Value.newBuilder().setFloat64(Double.doubleToRawLongBits(d)).build();
        }
        throw new IllegalArgumentException("no AMQP value for " + v);
    }
}
