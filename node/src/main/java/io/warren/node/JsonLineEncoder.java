package io.warren.node;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import io.warren.node.management.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code log.format = json}: one JSON object per line with the time, level, node id, thread and logger,
 * the event's name and each of its {@code key=value} fields as members (Warren's messages are
 * {@code event=name key=value ...}; a value in double quotes may hold spaces), the whole message, and an
 * exception's class, message and first frames when there is one.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
            .withZone(ZoneId.systemDefault());
    private static final int FRAMES_MAX = 8;
    private final String node = System.getProperty("warren.node.id", "unknown");

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", TIME.format(Instant.ofEpochMilli(event.getTimeStamp())));
        line.put("level", event.getLevel().toString());
        line.put("node", node);
        line.put("thread", event.getThreadName());
        line.put("logger", event.getLoggerName());
        String message = event.getFormattedMessage();
        fields(message == null ? "" : message, line);
        line.put("message", message);
        IThrowableProxy error = event.getThrowableProxy();
        if (error != null) {
            line.put("exception", error.getClassName() + ": " + error.getMessage());
            StackTraceElementProxy[] frames = error.getStackTraceElementProxyArray();
            line.put("frames", java.util.Arrays.stream(frames).limit(FRAMES_MAX)
                    .map(StackTraceElementProxy::getSTEAsString).toList());
        }
        return (Json.write(line) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The message's {@code key=value} tokens, in order, as members; {@code event} comes first when the message
     * starts with it. Keys the line already has (time, level, node...) are not overwritten.
     */
    static void fields(String message, Map<String, Object> into) {
        int at = 0;
        int n = message.length();
        while (at < n) {
            while (at < n && message.charAt(at) == ' ') {
                at++;
            }
            int keyStart = at;
            while (at < n && message.charAt(at) != '=' && message.charAt(at) != ' ') {
                at++;
            }
            if (at >= n || message.charAt(at) != '=' || at == keyStart) {
                while (at < n && message.charAt(at) != ' ') {
                    at++;
                }
                continue;
            }
            String key = message.substring(keyStart, at);
            at++;
            String value;
            if (at < n && message.charAt(at) == '"') {
                int close = message.indexOf('"', at + 1);
                int end = close < 0 ? n : close;
                value = message.substring(at + 1, end);
                at = close < 0 ? n : close + 1;
            } else {
                int valueStart = at;
                while (at < n && message.charAt(at) != ' ') {
                    at++;
                }
                value = message.substring(valueStart, at);
            }
            into.putIfAbsent(key, value);
        }
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }
}
