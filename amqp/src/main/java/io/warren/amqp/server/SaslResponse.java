package io.warren.amqp.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.codec.FieldValue;
import io.warren.amqp.codec.LongString;
import io.warren.amqp.codec.MethodArgumentsReader;
import io.warren.amqp.method.ConnectionMethod;
import java.nio.charset.StandardCharsets;

/**
 * The user name and password in a connection.start-ok response, for the two password mechanisms Warren
 * offers: PLAIN ({@code [authzid] NUL user NUL password}, RFC 4616) and AMQPLAIN (a field table with LOGIN
 * and PASSWORD, sent without its length prefix). The third, EXTERNAL, takes the name from the client's TLS
 * certificate and ignores the response; it is offered on every TLS connection and refused at login when the
 * client presented no certificate, as RabbitMQ's rabbitmq_auth_mechanism_ssl does (its reason: "no peer
 * certificate" is a clearer error than a mechanism the client cannot find). Pure.
 */
record SaslResponse(String username, String password) {
    static final String MECHANISMS = "PLAIN AMQPLAIN";
    static final String EXTERNAL = "EXTERNAL";

    /** The mechanisms for connection.start: EXTERNAL too on a TLS connection. */
    static String mechanisms(boolean tls) {
        return tls ? MECHANISMS + " " + EXTERNAL : MECHANISMS;
    }

    /**
     * @throws AmqpException 503 COMMAND_INVALID for a mechanism not offered (as RabbitMQ), 403
     *     ACCESS_REFUSED (connection scope) for a malformed response
     */
    static SaslResponse parse(String mechanism, LongString response) {
        return switch (mechanism) {
            case "PLAIN" -> parsePlain(response);
            case "AMQPLAIN" -> parseAmqplain(response);
            default -> throw AmqpException.of(ReplyCode.COMMAND_INVALID,
                    "unknown authentication mechanism '" + mechanism + "'", ConnectionMethod.CLASS_ID,
                    ConnectionMethod.StartOk.METHOD_ID);
        };
    }

    private static SaslResponse parsePlain(LongString response) {
        String text = new String(response.toByteArray(), StandardCharsets.UTF_8);
        int first = text.indexOf('\0');
        int second = first < 0 ? -1 : text.indexOf('\0', first + 1);
        if (first < 0 || second < 0 || text.indexOf('\0', second + 1) >= 0) {
            throw refused("PLAIN response is not [authzid] NUL user NUL password");
        }
        return new SaslResponse(text.substring(first + 1, second), text.substring(second + 1));
    }

    private static SaslResponse parseAmqplain(LongString response) {
        byte[] bytes = response.toByteArray();
        ByteBuf table = Unpooled.buffer(bytes.length + 4).writeInt(bytes.length).writeBytes(bytes);
        FieldTable fields;
        try {
            fields = new MethodArgumentsReader(table).readTable();
        } catch (AmqpException e) {
            throw refused("AMQPLAIN response is not a field table: " + e.getMessage());
        }
        String login = text(fields.get("LOGIN"));
        String password = text(fields.get("PASSWORD"));
        if (login == null || password == null) {
            throw refused("AMQPLAIN response lacks LOGIN or PASSWORD");
        }
        return new SaslResponse(login, password);
    }

    private static String text(FieldValue value) {
        return value instanceof FieldValue.Text text ? text.value().asUtf8() : null;
    }

    private static AmqpException refused(String detail) {
        return AmqpException.connectionError(ReplyCode.ACCESS_REFUSED, detail, ConnectionMethod.CLASS_ID,
                ConnectionMethod.StartOk.METHOD_ID);
    }

    @Override
    public String toString() {
        return "SaslResponse{username=" + username + ", password=<hidden>}";
    }
}
