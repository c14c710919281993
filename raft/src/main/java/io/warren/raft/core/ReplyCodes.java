package io.warren.raft.core;

/**
 * The AMQP reply codes the core refuses commands with. The core keeps its own copy rather than
 * depend on the wire module: the numbers are the protocol's, the meaning is fixed.
 */
public final class ReplyCodes {
    public static final int NO_ROUTE = 312;
    public static final int ACCESS_REFUSED = 403;
    public static final int NOT_FOUND = 404;
    public static final int RESOURCE_LOCKED = 405;
    public static final int PRECONDITION_FAILED = 406;
    public static final int CHANNEL_ERROR = 504;
    public static final int COMMAND_INVALID = 503;
    public static final int NOT_ALLOWED = 530;
    public static final int NOT_IMPLEMENTED = 540;

    private ReplyCodes() {}

    /** Whether a refusal with this code closes the whole connection rather than one channel. */
    public static boolean closesConnection(int code) {
        return code == 320 || code == 402 || code >= 500;
    }
}
