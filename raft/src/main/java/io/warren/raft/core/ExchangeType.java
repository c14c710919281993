package io.warren.raft.core;

import java.util.Optional;

/** The exchange types Warren routes by; the names are the ones clients send in exchange.declare. */
public enum ExchangeType {
    DIRECT("direct"),
    FANOUT("fanout"),
    TOPIC("topic"),
    HEADERS("headers");

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
