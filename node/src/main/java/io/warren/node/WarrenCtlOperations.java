package io.warren.node;

import io.warren.node.management.ApiError;
import io.warren.node.management.ManagementApi;
import io.warren.proto.Reply;
import io.warren.raft.core.Commands;

/**
 * What warrenctl does as the node itself, without permissions (as rabbitmqctl needs none): purge and
 * delete a queue on a trusted connection, export and import definitions through the management API's own
 * code. Reached only through the admin endpoint, which is loopback-only or asks for client certificates.
 */
final class WarrenCtlOperations {
    private final NodeManagementBackend backend;
    private final ManagementApi api;

    WarrenCtlOperations(NodeManagementBackend untrusted) {
        this.backend = untrusted.trusted();
        this.api = new ManagementApi(backend);
    }

    /** rabbitmqctl purge_queue: nothing to print once done. */
    String purgeQueue(String vhost, String queue) {
        call(vhost, queue, Commands.purge(queue));
        return "";
    }

    /** rabbitmqctl delete_queue [--if-empty] [--if-unused]: how many messages went with it. */
    String deleteQueue(String vhost, String queue, boolean ifUnused, boolean ifEmpty) {
        Reply reply = call(vhost, queue, Commands.deleteQueue(queue, ifUnused, ifEmpty));
        return "Queue was successfully deleted with " + reply.getMessageCount().getMessageCount()
                + " ready messages\n";
    }

    /** rabbitmqctl export_definitions: the whole cluster's, as GET /api/definitions answers. */
    String exportDefinitions() {
        return answer(api.handleAsNode("GET", "/api/definitions", null, null)) + "\n";
    }

    /** rabbitmqctl import_definitions: as POST /api/definitions takes them. */
    String importDefinitions(byte[] json) {
        answer(api.handleAsNode("POST", "/api/definitions", null, json));
        return "Successfully imported definitions\n";
    }

    private Reply call(String vhost, String queue, io.warren.proto.Command.Builder command) {
        try {
            return backend.asUser(ManagementApi.NODE_USER, vhost, session -> session.call(command));
        } catch (ApiError e) {
            throw new AdminServer.AdminError(e.status(), e.status() == 404 ? "no queue '" + queue + "' in vhost '"
                    + vhost + "'" : e.reason());
        }
    }

    private static String answer(ManagementApi.Response response) {
        if (response.status() / 100 == 2) {
            return response.body();
        }
        String body = response.body();
        String reason = body;
        try {
            Object parsed = io.warren.node.management.Json.parse(body);
            if (parsed instanceof java.util.Map<?, ?> map && map.get("reason") != null) {
                reason = String.valueOf(map.get("reason"));
            }
        } catch (RuntimeException e) {
            // not JSON: the body as it is
        }
        throw new AdminServer.AdminError(response.status(), reason);
    }
}
