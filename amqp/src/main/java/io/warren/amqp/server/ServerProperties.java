package io.warren.amqp.server;

import io.warren.amqp.codec.FieldTable;

/** The server-properties table of connection.start, and the capability names clients look for. */
final class ServerProperties {
    static final String PUBLISHER_CONFIRMS = "publisher_confirms";
    static final String EXCHANGE_EXCHANGE_BINDINGS = "exchange_exchange_bindings";
    static final String BASIC_NACK = "basic.nack";
    static final String CONSUMER_CANCEL_NOTIFY = "consumer_cancel_notify";
    static final String CONNECTION_BLOCKED = "connection.blocked";
    static final String AUTHENTICATION_FAILURE_CLOSE = "authentication_failure_close";
    static final String PER_CONSUMER_QOS = "per_consumer_qos";
    static final String DIRECT_REPLY_TO = "direct_reply_to";

    /** Every capability the wire layer supports; a broker announces the subset it implements. */
    static final FieldTable FULL_CAPABILITIES = FieldTable.builder()
            .put(PUBLISHER_CONFIRMS, true)
            .put(EXCHANGE_EXCHANGE_BINDINGS, true)
            .put(BASIC_NACK, true)
            .put(CONSUMER_CANCEL_NOTIFY, true)
            .put(CONNECTION_BLOCKED, true)
            .put(AUTHENTICATION_FAILURE_CLOSE, true)
            .put(PER_CONSUMER_QOS, true)
            .put(DIRECT_REPLY_TO, true)
            .build();

    private ServerProperties() {
    }

    static FieldTable of(AmqpServerConfig config) {
        return FieldTable.builder()
                .put("product", "Warren")
                .put("version", config.productVersion())
                .put("platform", "Java " + Runtime.version().feature())
                .put("cluster_name", config.clusterName())
                .put("information", "Warren, a Raft-replicated AMQP 0-9-1 broker")
                .put("capabilities", config.capabilities())
                .build();
    }
}
