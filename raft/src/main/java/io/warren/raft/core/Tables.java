package io.warren.raft.core;

import io.warren.proto.Table;
import io.warren.proto.TableEntry;
import io.warren.proto.Value;
import java.nio.charset.StandardCharsets;

/** Reading AMQP field tables in their protobuf form. */
final class Tables {
    private Tables() {}

    /** The type classes RabbitMQ compares header values by. */
    enum TypeClass { BOOLEAN, INTEGER, FLOAT, DECIMAL, TEXT, BYTES, ARRAY, TIMESTAMP, TABLE, VOID, NONE }

    /** The value of the last entry named {@code key} (AMQP tables should not repeat keys), or null. */
    static Value get(Table table, String key) {
        Value found = null;
        for (TableEntry entry : table.getEntriesList()) {
            if (entry.getKey().equals(key)) {
                found = entry.getValue();
            }
        }
        return found;
    }

    /** A long-string value as text, or null for any other type. */
    static String text(Value value) {
        return value.getKindCase() == Value.KindCase.LONG_STRING
                ? value.getLongString().toString(StandardCharsets.UTF_8) : null;
    }

    static TypeClass typeClass(Value value) {
        return switch (value.getKindCase()) {
            case BOOLEAN -> TypeClass.BOOLEAN;
            case INT8, UINT8, INT16, UINT16, INT32, UINT32, INT64 -> TypeClass.INTEGER;
            case FLOAT32, FLOAT64 -> TypeClass.FLOAT;
            case DECIMAL -> TypeClass.DECIMAL;
            case LONG_STRING -> TypeClass.TEXT;
            case BYTE_ARRAY -> TypeClass.BYTES;
            case ARRAY -> TypeClass.ARRAY;
            case TIMESTAMP -> TypeClass.TIMESTAMP;
            case TABLE -> TypeClass.TABLE;
            case VOID -> TypeClass.VOID;
            case KIND_NOT_SET -> TypeClass.NONE;
        };
    }

    /** Equality within one type class: integers by value whatever their width, floats by value. */
    static boolean sameValue(Value a, Value b) {
        return switch (typeClass(a)) {
            case INTEGER -> integer(a) == integer(b);
            case FLOAT -> floating(a) == floating(b);
            default -> a.equals(b);
        };
    }

    static long integer(Value value) {
        return switch (value.getKindCase()) {
            case INT8 -> value.getInt8();
            case UINT8 -> value.getUint8();
            case INT16 -> value.getInt16();
            case UINT16 -> value.getUint16();
            case INT32 -> value.getInt32();
            case UINT32 -> value.getUint32();
            case INT64 -> value.getInt64();
            default -> throw new IllegalArgumentException("not an integer: " + value.getKindCase());
        };
    }

    static double floating(Value value) {
        return value.getKindCase() == Value.KindCase.FLOAT32
                ? Float.intBitsToFloat(value.getFloat32()) : Double.longBitsToDouble(value.getFloat64());
    }

    /** RabbitMQ's name for a value's type, as its 406 texts print it ("signedint", "longstr", ...). */
    static String rabbitTypeName(Value value) {
        return switch (value.getKindCase()) {
            case BOOLEAN -> "bool";
            case INT8 -> "byte";
            case UINT8 -> "unsignedbyte";
            case INT16 -> "short";
            case UINT16 -> "unsignedshort";
            case INT32 -> "signedint";
            case UINT32 -> "unsignedint";
            case INT64 -> "long";
            case FLOAT32 -> "float";
            case FLOAT64 -> "double";
            case DECIMAL -> "decimal";
            case LONG_STRING -> "longstr";
            case BYTE_ARRAY -> "binary";
            case ARRAY -> "array";
            case TIMESTAMP -> "timestamp";
            case TABLE -> "table";
            case VOID, KIND_NOT_SET -> "void";
        };
    }

    /** A value as RabbitMQ's 406 texts print it. */
    static String display(Value value) {
        return switch (typeClass(value)) {
            case INTEGER -> Long.toString(integer(value));
            case TEXT -> text(value);
            case BOOLEAN -> Boolean.toString(value.getBoolean());
            default -> value.toString().trim();
        };
    }
}
