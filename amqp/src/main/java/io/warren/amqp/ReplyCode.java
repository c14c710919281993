package io.warren.amqp;

/**
 * The AMQP 0-9-1 reply codes, with the scope the spec gives each: a soft error closes the channel, a
 * hard error closes the connection. The single source of these numbers in Warren.
 */
public enum ReplyCode {
    REPLY_SUCCESS(200, false),
    CONTENT_TOO_LARGE(311, false),
    NO_ROUTE(312, false),
    NO_CONSUMERS(313, false),
    CONNECTION_FORCED(320, true),
    INVALID_PATH(402, true),
    ACCESS_REFUSED(403, false),
    NOT_FOUND(404, false),
    RESOURCE_LOCKED(405, false),
    PRECONDITION_FAILED(406, false),
    FRAME_ERROR(501, true),
    SYNTAX_ERROR(502, true),
    COMMAND_INVALID(503, true),
    CHANNEL_ERROR(504, true),
    UNEXPECTED_FRAME(505, true),
    RESOURCE_ERROR(506, true),
    NOT_ALLOWED(530, true),
    NOT_IMPLEMENTED(540, true),
    INTERNAL_ERROR(541, true);

    private final int code;
    private final boolean connectionScoped;

    ReplyCode(int code, boolean connectionScoped) {
        this.code = code;
        this.connectionScoped = connectionScoped;
    }

    /** The numeric code sent in connection.close and channel.close. */
    public int code() {
        return code;
    }

    /** True for the spec's hard errors, which close the whole connection. */
    public boolean isConnectionScoped() {
        return connectionScoped;
    }

    /** The reply code for {@code code}, or null when the spec has none with that number. */
    public static ReplyCode of(int code) {
        for (ReplyCode replyCode : values()) {
            if (replyCode.code == code) {
                return replyCode;
            }
        }
        return null;
    }
}
