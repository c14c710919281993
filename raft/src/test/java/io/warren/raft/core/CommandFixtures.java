package io.warren.raft.core;

import com.google.protobuf.ByteString;
import io.warren.proto.Command;
import io.warren.proto.Publish;
import io.warren.proto.Table;
import io.warren.proto.TableEntry;
import io.warren.proto.Value;

/**
 * What the core's tests add to {@link Commands}: publishes that carry their body as the test driver stores it,
 * and AMQP tables written as Java values.
 */
final class CommandFixtures {
    private CommandFixtures() {}

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
