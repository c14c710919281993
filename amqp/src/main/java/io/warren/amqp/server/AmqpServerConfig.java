package io.warren.amqp.server;

import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.frame.Frame;
import java.util.Objects;

/**
 * The limits and identity of the AMQP front end. Every limit is checked here with its name, value and
 * expectation, and enforced by the connection handler.
 *
 * @param channelMax the channel_max proposed in connection.tune (RabbitMQ: 2047); channels 1..channelMax
 * @param frameMax the frame_max proposed in connection.tune, overhead included (RabbitMQ: 131072)
 * @param heartbeatSeconds the heartbeat proposed in connection.tune; 0 proposes none (RabbitMQ: 60)
 * @param messageSizeMax the largest message body accepted (RabbitMQ's max_message_size, 128 MiB in 3.10)
 * @param handshakeTimeoutMs a connection that has not opened after this long is closed (RabbitMQ: 10 s)
 * @param closeTimeoutMs how long to wait for connection.close-ok after sending connection.close
 * @param pendingRepliesMax per connection, the replies awaited from the broker before reading pauses
 * @param capabilities the capabilities table announced in connection.start: only what the broker has
 */
public record AmqpServerConfig(
        int channelMax,
        long frameMax,
        int heartbeatSeconds,
        long messageSizeMax,
        long handshakeTimeoutMs,
        long closeTimeoutMs,
        int pendingRepliesMax,
        String productVersion,
        String clusterName,
        FieldTable capabilities) {

    public static final int CHANNEL_MAX_DEFAULT = 2047;
    public static final long FRAME_MAX_DEFAULT = 131_072;
    public static final int HEARTBEAT_SECONDS_DEFAULT = 60;
    public static final long MESSAGE_SIZE_MAX_DEFAULT = 128L * 1024 * 1024;

    public AmqpServerConfig {
        if (channelMax < 1 || channelMax > 0xFFFF) {
            throw new IllegalArgumentException("channelMax: " + channelMax + " (expected: 1..65535)");
        }
        if (frameMax < Frame.FRAME_MIN_SIZE || frameMax > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("frameMax: " + frameMax + " (expected: 4096..4294967295)");
        }
        if (heartbeatSeconds < 0 || heartbeatSeconds > 0xFFFF) {
            throw new IllegalArgumentException("heartbeatSeconds: " + heartbeatSeconds + " (expected: 0..65535)");
        }
        if (messageSizeMax < 0) {
            throw new IllegalArgumentException("messageSizeMax: " + messageSizeMax + " (expected: >= 0)");
        }
        if (handshakeTimeoutMs <= 0) {
            throw new IllegalArgumentException("handshakeTimeoutMs: " + handshakeTimeoutMs + " (expected: > 0)");
        }
        if (closeTimeoutMs <= 0) {
            throw new IllegalArgumentException("closeTimeoutMs: " + closeTimeoutMs + " (expected: > 0)");
        }
        if (pendingRepliesMax < 1) {
            throw new IllegalArgumentException("pendingRepliesMax: " + pendingRepliesMax + " (expected: >= 1)");
        }
        Objects.requireNonNull(productVersion, "productVersion");
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(capabilities, "capabilities");
    }

    /** RabbitMQ's defaults, announcing every capability the wire layer supports. */
    public static AmqpServerConfig defaults() {
        return new AmqpServerConfig(CHANNEL_MAX_DEFAULT, FRAME_MAX_DEFAULT, HEARTBEAT_SECONDS_DEFAULT,
                MESSAGE_SIZE_MAX_DEFAULT, 10_000, 3_000, 1024, "0.1.0", "warren", ServerProperties.FULL_CAPABILITIES);
    }

    public AmqpServerConfig withChannelMax(int value) {
        return new AmqpServerConfig(value, frameMax, heartbeatSeconds, messageSizeMax, handshakeTimeoutMs,
                closeTimeoutMs, pendingRepliesMax, productVersion, clusterName, capabilities);
    }

    public AmqpServerConfig withFrameMax(long value) {
        return new AmqpServerConfig(channelMax, value, heartbeatSeconds, messageSizeMax, handshakeTimeoutMs,
                closeTimeoutMs, pendingRepliesMax, productVersion, clusterName, capabilities);
    }

    public AmqpServerConfig withHeartbeatSeconds(int value) {
        return new AmqpServerConfig(channelMax, frameMax, value, messageSizeMax, handshakeTimeoutMs,
                closeTimeoutMs, pendingRepliesMax, productVersion, clusterName, capabilities);
    }

    public AmqpServerConfig withMessageSizeMax(long value) {
        return new AmqpServerConfig(channelMax, frameMax, heartbeatSeconds, value, handshakeTimeoutMs,
                closeTimeoutMs, pendingRepliesMax, productVersion, clusterName, capabilities);
    }

    public AmqpServerConfig withHandshakeTimeoutMs(long value) {
        return new AmqpServerConfig(channelMax, frameMax, heartbeatSeconds, messageSizeMax, value,
                closeTimeoutMs, pendingRepliesMax, productVersion, clusterName, capabilities);
    }

    public AmqpServerConfig withCapabilities(FieldTable value) {
        return new AmqpServerConfig(channelMax, frameMax, heartbeatSeconds, messageSizeMax, handshakeTimeoutMs,
                closeTimeoutMs, pendingRepliesMax, productVersion, clusterName, value);
    }

    public AmqpServerConfig withPendingRepliesMax(int value) {
        return new AmqpServerConfig(channelMax, frameMax, heartbeatSeconds, messageSizeMax, handshakeTimeoutMs,
                closeTimeoutMs, value, productVersion, clusterName, capabilities);
    }
}
