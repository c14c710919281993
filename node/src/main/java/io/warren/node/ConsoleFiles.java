package io.warren.node;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The web console's files, served by the admin server: the page at {@code /}, its script and style under
 * {@code /console/}. They are static and need no login; the page logs in to the management API with the
 * user's credentials, and every figure it shows comes from there. Only the named files are served (no
 * path is looked up), with headers that keep the page from being framed or fed scripts from elsewhere.
 */
final class ConsoleFiles {
    private static final String BASE = "/io/warren/node/console/";
    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");
    private static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; frame-ancestors 'none'; form-action 'self'";

    private final Map<String, byte[]> files;

    private ConsoleFiles(Map<String, byte[]> files) {
        this.files = files;
    }

    /** Reads the files from the classpath once; a build without them is a broken build. */
    static ConsoleFiles load() {
        Map<String, byte[]> files = new java.util.HashMap<>();
        for (String name : TYPES.keySet()) {
            try (InputStream in = ConsoleFiles.class.getResourceAsStream(BASE + name)) {
                if (in == null) {
                    throw new IllegalStateException("the console's " + name + " is not on the classpath");
                }
                files.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new ConsoleFiles(Map.copyOf(files));
    }

    /** Serves {@code name} (index.html, console.js, console.css), or 404 / 405. */
    void serve(HttpExchange exchange, String name) throws IOException {
        byte[] body = files.get(name);
        String method = exchange.getRequestMethod();
        int status = body == null ? 404 : method.equals("GET") || method.equals("HEAD") ? 200 : 405;
        if (status != 200) {
            body = (status == 404 ? "not found\n" : "method not allowed\n").getBytes(StandardCharsets.UTF_8);
        }
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", status == 200 ? TYPES.get(name) : "text/plain; charset=utf-8");
        headers.set("Cache-Control", "no-cache");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Content-Security-Policy", POLICY);
        if (status == 405) {
            headers.set("Allow", "GET, HEAD");
        }
        boolean head = method.equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!head) {
                out.write(body);
            }
        }
    }
}
