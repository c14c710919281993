package io.warren.node.management;

import io.warren.amqp.ReplyCode;
import io.warren.proto.Refusal;

/**
 * The core's refusal of a command the API ran for its user, as RabbitMQ's management plugin answers the same
 * AMQP error: not found is 404, access refused 401, anything else (inequivalent arguments, a locked
 * exclusive queue, a bad argument) 400 with the core's text as the reason.
 */
public final class ManagementRefusals {
    private ManagementRefusals() {}

    public static ApiError of(Refusal refusal) {
        int code = refusal.getCode();
        if (code == ReplyCode.NOT_FOUND.code()) {
            return ApiError.notFound();
        }
        if (code == ReplyCode.ACCESS_REFUSED.code() || code == ReplyCode.NOT_ALLOWED.code()) {
            return ApiError.notAuthorised(refusal.getText());
        }
        return ApiError.badRequest(refusal.getText());
    }

    /**
     * As RabbitMQ answers a refused publish over HTTP: 400, the AMQP error in the reason
     * ({@code 404 NOT_FOUND - no exchange 'x' in vhost '/'}).
     */
    public static ApiError asBadRequest(Refusal refusal) {
        ReplyCode code = ReplyCode.of(refusal.getCode());
        return ApiError.badRequest(refusal.getCode() + " " + (code == null ? "ERROR" : code.name()) + " - "
                + refusal.getText());
    }
}
