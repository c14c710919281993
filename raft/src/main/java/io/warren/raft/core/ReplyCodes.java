package io.warren.raft.core;

import io.warren.amqp.ReplyCode;

/**
 * The AMQP reply codes the core refuses commands with, as plain numbers (refusals carry them in protobuf). The
 * numbers and their scope are the wire module's {@link ReplyCode}, where they are defined once.
 */
public final class ReplyCodes {
    public static final int NO_ROUTE = ReplyCode.NO_ROUTE.code();
    public static final int CONNECTION_FORCED = ReplyCode.CONNECTION_FORCED.code();
    public static final int ACCESS_REFUSED = ReplyCode.ACCESS_REFUSED.code();
    public static final int NOT_FOUND = ReplyCode.NOT_FOUND.code();
    public static final int RESOURCE_LOCKED = ReplyCode.RESOURCE_LOCKED.code();
    public static final int PRECONDITION_FAILED = ReplyCode.PRECONDITION_FAILED.code();
    public static final int CHANNEL_ERROR = ReplyCode.CHANNEL_ERROR.code();
    public static final int COMMAND_INVALID = ReplyCode.COMMAND_INVALID.code();
    public static final int NOT_ALLOWED = ReplyCode.NOT_ALLOWED.code();
    public static final int NOT_IMPLEMENTED = ReplyCode.NOT_IMPLEMENTED.code();

    private ReplyCodes() {}

    /** Whether a refusal with this code closes the whole connection rather than one channel (a hard error). */
    public static boolean closesConnection(int code) {
        ReplyCode known = ReplyCode.of(code);
        return known != null ? known.isConnectionScoped() : code >= 500;
    }
}
