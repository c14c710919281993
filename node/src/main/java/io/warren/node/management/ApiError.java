package io.warren.node.management;

/**
 * A refused management request: the HTTP status and RabbitMQ's body, {@code {"error": ..., "reason": ...}}.
 */
public final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;

    public ApiError(int status, String error, String reason) {
        super(reason);
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public String reason() {
        return getMessage();
    }

    static ApiError notFound() {
        return new ApiError(404, "Object Not Found", "Not Found");
    }

    static ApiError badRequest(String reason) {
        return new ApiError(400, "bad_request", reason);
    }

    static ApiError notAuthorised(String reason) {
        return new ApiError(401, "not_authorised", reason);
    }

    static ApiError methodNotAllowed() {
        return new ApiError(405, "Method Not Allowed", "Method Not Allowed");
    }
}
