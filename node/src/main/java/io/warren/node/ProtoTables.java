package io.warren.node;

import com.google.protobuf.ByteString;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.codec.FieldValue;
import io.warren.amqp.codec.LongString;
import io.warren.proto.Decimal;
import io.warren.proto.Table;
import io.warren.proto.TableEntry;
import io.warren.proto.Value;
import io.warren.proto.ValueList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** AMQP field tables to their protobuf form and back, losslessly: every type tag has its own case. */
final class ProtoTables {
    private ProtoTables() {}

    static Table toProto(FieldTable table) {
        if (table == null || table.isEmpty()) {
            return Table.getDefaultInstance();
        }
        Table.Builder out = Table.newBuilder();
        for (Map.Entry<String, FieldValue> entry : table.entries().entrySet()) {
            out.addEntries(TableEntry.newBuilder().setKey(entry.getKey()).setValue(toProto(entry.getValue())));
        }
        return out.build();
    }

    static Value toProto(FieldValue value) {
        Value.Builder v = Value.newBuilder();
        switch (value) {
            case FieldValue.Bool b -> v.setBoolean(b.value());
            case FieldValue.Int8 i -> v.setInt8(i.value());
            case FieldValue.UInt8 i -> v.setUint8(i.value());
            case FieldValue.Int16 i -> v.setInt16(i.value());
            case FieldValue.UInt16 i -> v.setUint16(i.value());
            case FieldValue.Int32 i -> v.setInt32(i.value());
            case FieldValue.UInt32 i -> v.setUint32(i.value());
            case FieldValue.Int64 i -> v.setInt64(i.value());
            case FieldValue.Float32 f -> v.setFloat32(Float.floatToRawIntBits(f.value()));
            case FieldValue.Float64 d -> v.setFloat64(Double.doubleToRawLongBits(d.value()));
            case FieldValue.Decimal d -> v.setDecimal(Decimal.newBuilder().setScale(d.scale()).setUnscaled(d.unscaled()));
            case FieldValue.Text t -> v.setLongString(ByteString.copyFrom(t.value().toByteArray()));
            case FieldValue.Bytes b -> v.setByteArray(ByteString.copyFrom(b.value().toByteArray()));
            case FieldValue.Array a -> {
                ValueList.Builder list = ValueList.newBuilder();
                a.values().forEach(item -> list.addValues(toProto(item)));
                v.setArray(list);
            }
            case FieldValue.Timestamp t -> v.setTimestamp(t.secondsSinceEpoch());
            case FieldValue.Table t -> v.setTable(toProto(t.value()));
            case FieldValue.Void ignored -> v.setVoid(true);
        }
        return v.build();
    }

    static FieldTable fromProto(Table table) {
        FieldTable.Builder out = FieldTable.builder();
        for (TableEntry entry : table.getEntriesList()) {
            out.put(entry.getKey(), fromProto(entry.getValue()));
        }
        return out.build();
    }

    static FieldValue fromProto(Value v) {
        return switch (v.getKindCase()) {
            case BOOLEAN -> new FieldValue.Bool(v.getBoolean());
            case INT8 -> new FieldValue.Int8((byte) v.getInt8());
            case UINT8 -> new FieldValue.UInt8(v.getUint8());
            case INT16 -> new FieldValue.Int16((short) v.getInt16());
            case UINT16 -> new FieldValue.UInt16(v.getUint16());
            case INT32 -> new FieldValue.Int32(v.getInt32());
            case UINT32 -> new FieldValue.UInt32(v.getUint32());
            case INT64 -> new FieldValue.Int64(v.getInt64());
            case FLOAT32 -> new FieldValue.Float32(Float.intBitsToFloat(v.getFloat32()));
            case FLOAT64 -> new FieldValue.Float64(Double.longBitsToDouble(v.getFloat64()));
            case DECIMAL -> new FieldValue.Decimal(v.getDecimal().getScale(), v.getDecimal().getUnscaled());
            case LONG_STRING -> new FieldValue.Text(LongString.of(v.getLongString().toByteArray()));
            case BYTE_ARRAY -> new FieldValue.Bytes(LongString.of(v.getByteArray().toByteArray()));
            case ARRAY -> {
                List<FieldValue> values = new ArrayList<>();
                v.getArray().getValuesList().forEach(item -> values.add(fromProto(item)));
                yield new FieldValue.Array(values);
            }
            case TIMESTAMP -> new FieldValue.Timestamp(v.getTimestamp());
            case TABLE -> new FieldValue.Table(fromProto(v.getTable()));
            case VOID, KIND_NOT_SET -> new FieldValue.Void();
        };
    }
}
