package io.warren.chaos;

import java.util.Collection;
import java.util.Map;
import java.util.StringJoiner;

/** The little JSON the harness writes: objects of strings, numbers, booleans, lists and nested maps. */
public final class Json {
    private Json() {}

    public static String object(Map<String, ?> fields) {
        StringJoiner out = new StringJoiner(",", "{", "}");
        fields.forEach((key, value) -> out.add(string(key) + ":" + value(value)));
        return out.toString();
    }

    public static String value(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        if (value instanceof Map<?, ?> map) {
            StringJoiner out = new StringJoiner(",", "{", "}");
            map.forEach((key, v) -> out.add(string(key.toString()) + ":" + value(v)));
            return out.toString();
        }
        if (value instanceof Collection<?> list) {
            StringJoiner out = new StringJoiner(",", "[", "]");
            list.forEach(v -> out.add(value(v)));
            return out.toString();
        }
        return string(value.toString());
    }

    public static String string(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
