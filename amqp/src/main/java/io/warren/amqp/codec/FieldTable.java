package io.warren.amqp.codec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An AMQP field table: names (short strings) to {@link FieldValue}s, in the order they came on the
 * wire. Immutable. A name that occurs twice on the wire keeps its last value, as RabbitMQ's clients
 * do when they build a map.
 */
public final class FieldTable {
    public static final FieldTable EMPTY = new FieldTable(Map.of());

    private final Map<String, FieldValue> entries;

    private FieldTable(Map<String, FieldValue> entries) {
        this.entries = entries;
    }

    /** A table holding {@code entries} in their iteration order. */
    public static FieldTable of(Map<String, FieldValue> entries) {
        if (entries.isEmpty()) {
            return EMPTY;
        }
        LinkedHashMap<String, FieldValue> copy = new LinkedHashMap<>();
        entries.forEach((name, value) -> {
            Arguments.shortString("field name", Objects.requireNonNull(name, "name"));
            copy.put(name, Objects.requireNonNull(value, "value"));
        });
        return new FieldTable(Collections.unmodifiableMap(copy));
    }

    /** A builder that keeps insertion order. */
    public static Builder builder() {
        return new Builder();
    }

    public Map<String, FieldValue> entries() {
        return entries;
    }

    public FieldValue get(String name) {
        return entries.get(name);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int size() {
        return entries.size();
    }

    /** The value of {@code name} when it is a boolean, else {@code fallback}. */
    public boolean getBoolean(String name, boolean fallback) {
        return entries.get(name) instanceof FieldValue.Bool bool ? bool.value() : fallback;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FieldTable that && entries.equals(that.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }

    /** Builds a table in insertion order. Not thread-safe. */
    public static final class Builder {
        private final LinkedHashMap<String, FieldValue> entries = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder put(String name, FieldValue value) {
            entries.put(name, value);
            return this;
        }

        public Builder put(String name, String text) {
            return put(name, FieldValue.Text.of(text));
        }

        public Builder put(String name, boolean value) {
            return put(name, new FieldValue.Bool(value));
        }

        public Builder put(String name, FieldTable table) {
            return put(name, new FieldValue.Table(table));
        }

        public FieldTable build() {
            return FieldTable.of(entries);
        }
    }
}
