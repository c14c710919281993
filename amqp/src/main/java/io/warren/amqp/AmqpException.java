package io.warren.amqp;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An operating error with an AMQP reply code: the value every refusal turns into, whether the wire
 * layer found it (a malformed frame) or the broker did (an unknown queue). The connection handler
 * turns it into channel.close or connection.close, depending on {@link #scope()}.
 *
 * <p>The reply text follows RabbitMQ's form, {@code "NOT_FOUND - no queue 'q' in vhost '/'"}, so that
 * clients and their users see the same messages they know.
 */
public final class AmqpException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final int REPLY_TEXT_BYTES_MAX = 255;

    /** Which part of the conversation an error ends. */
    public enum Scope {
        /** The channel is closed with channel.close; the connection goes on. */
        CHANNEL,
        /** The connection is closed with connection.close. */
        CONNECTION
    }

    private final ReplyCode replyCode;
    private final Scope scope;
    private final int classId;
    private final int methodId;

    private AmqpException(ReplyCode replyCode, Scope scope, String detail, int classId, int methodId) {
        super(detail);
        this.replyCode = Objects.requireNonNull(replyCode, "replyCode");
        this.scope = Objects.requireNonNull(scope, "scope");
        this.classId = classId;
        this.methodId = methodId;
    }

    /** An error in the scope the spec gives its code, caused by the method (classId, methodId). */
    public static AmqpException of(ReplyCode replyCode, String detail, int classId, int methodId) {
        Scope scope = replyCode.isConnectionScoped() ? Scope.CONNECTION : Scope.CHANNEL;
        return new AmqpException(replyCode, scope, detail, classId, methodId);
    }

    /** An error in the scope the spec gives its code, not caused by any one method. */
    public static AmqpException of(ReplyCode replyCode, String detail) {
        return of(replyCode, detail, 0, 0);
    }

    /**
     * A connection-scoped error with a code the spec calls soft: RabbitMQ closes the connection with
     * 403 ACCESS_REFUSED on a failed login, for example.
     */
    public static AmqpException connectionError(ReplyCode replyCode, String detail, int classId, int methodId) {
        return new AmqpException(replyCode, Scope.CONNECTION, detail, classId, methodId);
    }

    /** The same error, now naming the method that caused it (when it named none yet). */
    public AmqpException causedBy(int failingClassId, int failingMethodId) {
        if (classId != 0 || methodId != 0) {
            return this;
        }
        return new AmqpException(replyCode, scope, getMessage(), failingClassId, failingMethodId);
    }

    public ReplyCode replyCode() {
        return replyCode;
    }

    public Scope scope() {
        return scope;
    }

    public int classId() {
        return classId;
    }

    public int methodId() {
        return methodId;
    }

    /** The reply text as sent: the code's name, a dash, the detail; cut to fit a short string. */
    public String replyText() {
        String text = replyCode.name() + " - " + getMessage();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= REPLY_TEXT_BYTES_MAX) {
            return text;
        }
        int end = REPLY_TEXT_BYTES_MAX;
        // Never cut inside a multi-byte character: back up over continuation bytes.
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "AmqpException{" + replyCode.code() + " " + replyText() + ", scope=" + scope
                + ", classId=" + classId + ", methodId=" + methodId + "}";
    }
}
