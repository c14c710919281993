package io.warren.node.management;

import com.google.protobuf.ByteString;
import io.warren.proto.Table;
import io.warren.proto.TableEntry;
import io.warren.proto.Value;
import io.warren.proto.ValueList;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AMQP field tables (queue and binding arguments, message headers) as the management API shows and takes
 * them: numbers as JSON numbers, strings as strings, tables as objects, arrays as lists, as RabbitMQ's
 * management plugin renders them. From JSON, integers become signed 64-bit ({@code l}), other numbers
 * doubles, strings long strings: the types RabbitMQ's own JSON decoding gives.
 */
public final class TableJson {
    private TableJson() {}

    public static Map<String, Object> toJson(Table table) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (TableEntry entry : table.getEntriesList()) {
            out.put(entry.getKey(), value(entry.getValue()));
        }
        return out;
    }

    private static Object value(Value value) {
        return switch (value.getKindCase()) {
            case BOOLEAN -> value.getBoolean();
            case INT8 -> value.getInt8();
            case UINT8 -> value.getUint8();
            case INT16 -> value.getInt16();
            case UINT16 -> value.getUint16();
            case INT32 -> value.getInt32();
            case UINT32 -> value.getUint32();
            case INT64 -> value.getInt64();
            case FLOAT32 -> (double) Float.intBitsToFloat(value.getFloat32());
            case FLOAT64 -> Double.longBitsToDouble(value.getFloat64());
            case DECIMAL -> BigDecimal.valueOf(value.getDecimal().getUnscaled(), value.getDecimal().getScale());
            case LONG_STRING -> value.getLongString().toString(StandardCharsets.UTF_8);
            case BYTE_ARRAY -> value.getByteArray().toString(StandardCharsets.ISO_8859_1);
            case ARRAY -> value.getArray().getValuesList().stream().map(TableJson::value).toList();
            case TIMESTAMP -> value.getTimestamp();
            case TABLE -> toJson(value.getTable());
            case VOID, KIND_NOT_SET -> null;
        };
    }

    /** @throws IllegalArgumentException when {@code json} is not an object */
    public static Table fromJson(Object json) {
        if (!(json instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("arguments must be a JSON object");
        }
        Table.Builder table = Table.newBuilder();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            table.addEntries(TableEntry.newBuilder().setKey(String.valueOf(entry.getKey()))
                    .setValue(toValue(entry.getValue())));
        }
        return table.build();
    }

    private static Value toValue(Object json) {
        Value.Builder value = Value.newBuilder();
        switch (json) {
            case null -> value.setVoid(true);
            case Boolean b -> value.setBoolean(b);
            case Long l -> value.setInt64(l);
            case Integer i -> value.setInt64(i);
            case BigDecimal d -> value.setFloat64(Double.doubleToLongBits(d.doubleValue()));
            case Number n -> value.setFloat64(Double.doubleToLongBits(n.doubleValue()));
            case String s -> value.setLongString(ByteString.copyFromUtf8(s));
            case Map<?, ?> m -> value.setTable(fromJson(m));
            case List<?> list -> {
                List<Value> values = new ArrayList<>();
                for (Object item : list) {
                    values.add(toValue(item));
                }
                value.setArray(ValueList.newBuilder().addAllValues(values));
            }
            default -> value.setLongString(ByteString.copyFromUtf8(json.toString()));
        }
        return value.build();
    }
}
