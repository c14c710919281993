package io.warren.node;

import com.sun.net.httpserver.HttpExchange;
import io.warren.node.management.ManagementApi;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries the management API over the admin server's HTTP: reads the request (refusing a body above
 * {@link ManagementApi#BODY_BYTES_MAX} with 413 before reading it whole), hands it to the API, writes the
 * JSON answer. Requests are not logged (a PUT of a user carries its password); failures are, by path.
 */
final class ManagementHttp {
    private static final Logger log = LoggerFactory.getLogger(ManagementHttp.class);

    private ManagementHttp() {}

    static void handle(HttpExchange exchange, ManagementApi api) throws IOException {
        ManagementApi.Response response;
        try {
            byte[] body = readBody(exchange);
            if (body == null) {
                response = new ManagementApi.Response(413, "{\"error\":\"payload_too_large\",\"reason\":\"a body of at"
                        + " most " + ManagementApi.BODY_BYTES_MAX + " bytes\"}", Map.of());
            } else {
                response = api.handle(new ManagementApi.Request(exchange.getRequestMethod(),
                        exchange.getRequestURI().getRawPath(), exchange.getRequestURI().getRawQuery(),
                        exchange.getRequestHeaders().getFirst("Authorization"), body,
                        exchange.getRemoteAddress().getAddress().isLoopbackAddress(),
                        exchange.getRequestHeaders().getFirst("X-Reason"),
                        "XMLHttpRequest".equals(exchange.getRequestHeaders().getFirst("X-Requested-With"))));
            }
        } catch (RuntimeException | Error e) {
            log.warn("event=management_failed method={} path={} error={}", exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(), e.toString());
            response = new ManagementApi.Response(500, "{\"error\":\"internal_server_error\",\"reason\":\"see the node"
                    + " log\"}", Map.of());
        }
        write(exchange, response);
    }

    /** The body, or null when it is larger than the API takes. */
    private static byte[] readBody(HttpExchange exchange) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > ManagementApi.BODY_BYTES_MAX) {
                    return null;
                }
            } catch (NumberFormatException e) {
                return null;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (InputStream in = exchange.getRequestBody()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                if (out.size() > ManagementApi.BODY_BYTES_MAX) {
                    return null;
                }
            }
        }
        return out.toByteArray();
    }

    private static void write(HttpExchange exchange, ManagementApi.Response response) throws IOException {
        response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
        }
        exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
