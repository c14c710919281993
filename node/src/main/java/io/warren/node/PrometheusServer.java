package io.warren.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prometheus' scrape endpoint, as RabbitMQ's rabbitmq_prometheus serves it: {@code /metrics} (aggregated)
 * and {@code /metrics/per-object} (a sample per queue) on {@code prometheus.port}, without login (as
 * RabbitMQ's). One thread: scrapes are rare.
 */
final class PrometheusServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PrometheusServer.class);
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private PrometheusServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    static PrometheusServer start(String host, int port, NodeMetrics metrics) throws ConfigException {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
            ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
                Thread thread = new Thread(r, "warren-prometheus");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(executor);
            server.createContext("/", exchange -> handle(exchange, metrics));
            server.start();
            return new PrometheusServer(server, executor);
        } catch (IOException e) {
            throw new ConfigException("prometheus port " + host + ":" + port + " cannot be bound: " + e.getMessage(), e);
        }
    }

    private static void handle(HttpExchange exchange, NodeMetrics metrics) throws IOException {
        String path = exchange.getRequestURI().getPath();
        int status;
        String body;
        String type = CONTENT_TYPE;
        if (!path.equals("/metrics") && !path.equals("/metrics/per-object")) {
            status = 404;
            body = "not found: the metrics are at /metrics and /metrics/per-object\n";
            type = "text/plain; charset=utf-8";
        } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
            status = 405;
            body = "only GET\n";
            type = "text/plain; charset=utf-8";
        } else {
            try {
                body = metrics.render(path.equals("/metrics/per-object"));
                status = 200;
            } catch (RuntimeException e) {
                log.warn("event=metrics_failed path={} error={}", path, e.toString());
                status = 500;
                body = "internal error; see the node log\n";
                type = "text/plain; charset=utf-8";
            }
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!head) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
