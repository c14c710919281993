package io.warren.raft.core;

import java.util.Optional;

/**
 * The exchange types Warren routes by; the names are the ones clients send in exchange.declare. A delayed
 * exchange (the plugin's x-delayed-message) holds a message with an x-delay header for that long, then
 * routes it as its x-delayed-type does.
 */
public enum ExchangeType {
    DIRECT("direct"),
    FANOUT("fanout"),
    TOPIC("topic"),
    HEADERS("headers"),
    DELAYED("x-delayed-message");

    public final String wireName;

    ExchangeType(String wireName) {
        this.wireName = wireName;
    }

    static Optional<ExchangeType> fromWireName(String name) {
        for (ExchangeType type : values()) {
            if (type.wireName.equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
