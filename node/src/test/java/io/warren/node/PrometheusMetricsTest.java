package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import io.warren.node.management.Json;
import io.warren.node.testing.NodeProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus endpoint read by a real Prometheus text parser (Debian's python3-prometheus-client): both
 * pages parse, RabbitMQ's metric names carry the figures a workload of known size leaves (publishes,
 * confirms, deliveries, acks, a queue's ready and unacked messages, connections), Warren's own counters
 * move (snapshots among them), and a wrong path or method is refused.
 */
class PrometheusMetricsTest {
    private static final HttpClient http = HttpClient.newHttpClient();

    private record Sample(String family, String type, String name, Map<?, ?> labels, double value) {}

    @Test
    void bothPagesParseAndCarryTheFiguresOfAKnownWorkload() throws Exception {
        requireParser();
        try (NodeProcess node = NodeProcess.start("prometheus", "--snapshot-interval-ms", "1000")) {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setPort(node.amqpPort());
            try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
                channel.queueDeclare("prom-q", true, false, false, Map.of("x-queue-type", "quorum"));
                channel.confirmSelect();
                for (int i = 0; i < 5; i++) {
                    channel.basicPublish("", "prom-q", MessageProperties.PERSISTENT_BASIC, new byte[10]);
                }
                channel.waitForConfirmsOrDie(30_000);
                GetResponse first = channel.basicGet("prom-q", false);
                GetResponse second = channel.basicGet("prom-q", false);
                channel.basicAck(first.getEnvelope().getDeliveryTag(), false);
                assertTrue(second != null, "a second message to get");
                List<Sample> aggregated = awaitPage(node, "/metrics", samples ->
                        value(samples, "rabbitmq_queue_messages_unacked", null) == 1
                                && value(samples, "warren_snapshots_taken_total", null) >= 1);
                double lastSnapshot = value(aggregated, "warren_snapshot_last_seconds", null);
                assertTrue(lastSnapshot > 0, "the last snapshot took " + lastSnapshot + " s");
                assertTrue(value(aggregated, "warren_snapshot_seconds_total", null) >= lastSnapshot);
                assertTrue(value(aggregated, "warren_snapshot_apply_paused_seconds_total", null) <= value(aggregated,
                        "warren_snapshot_seconds_total", null), "apply paused for part of it");
                assertTrue(value(aggregated, "warren_snapshot_last_index_bytes", null) > 0);
                assertEquals(3, value(aggregated, "rabbitmq_queue_messages_ready", null));
                assertEquals(4, value(aggregated, "rabbitmq_queue_messages", null));
                assertEquals(1, value(aggregated, "rabbitmq_queues", null));
                assertEquals(1, value(aggregated, "rabbitmq_connections", null));
                assertEquals(1, value(aggregated, "rabbitmq_channels", null));
                assertEquals(5, value(aggregated, "rabbitmq_global_messages_received_total", null));
                assertEquals(5, value(aggregated, "rabbitmq_global_messages_received_confirm_total", null));
                assertEquals(5, value(aggregated, "rabbitmq_global_messages_confirmed_total", null));
                assertEquals(2, value(aggregated, "rabbitmq_global_messages_delivered_get_manual_ack_total", null));
                assertEquals(1, value(aggregated, "rabbitmq_global_messages_acknowledged_total", null));
                assertEquals(30, value(aggregated, "rabbitmq_queue_messages_ready_bytes", null), "3 bodies of 10");
                assertTrue(value(aggregated, "warren_raft_entries_applied_total", null) > 0);
                assertTrue(value(aggregated, "warren_store_fsyncs_total", null) > 0);
                assertTrue(value(aggregated, "rabbitmq_raft_log_commit_index", null) > 0);
                assertEquals(1, value(aggregated, "warren_raft_leader", null));
                assertTrue(aggregated.stream().anyMatch(s -> s.name().equals("rabbitmq_build_info")
                        && "Warren".equals(s.labels().get("product_name"))));
                assertTrue(aggregated.stream().filter(s -> s.name().endsWith("_total"))
                        .allMatch(s -> s.type().equals("counter")), "every _total is a counter");
                List<Sample> perObject = parse(get(node, "/metrics/per-object").body());
                assertEquals(3, value(perObject, "rabbitmq_queue_messages_ready", "prom-q"));
                assertEquals(1, value(perObject, "rabbitmq_queue_messages_unacked", "prom-q"));
            }
        }
    }

    @Test
    void aWrongPathOrMethodIsRefused() throws Exception {
        try (NodeProcess node = NodeProcess.start("prometheus-refusals")) {
            assertEquals(404, get(node, "/metric").statusCode());
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri(node, "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            HttpResponse<String> ok = get(node, "/metrics");
            assertEquals(200, ok.statusCode(), "still serving");
            assertTrue(ok.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        }
    }

    private static double value(List<Sample> samples, String name, String queue) {
        List<Sample> matching = samples.stream().filter(s -> s.name().equals(name))
                .filter(s -> queue == null || queue.equals(s.labels().get("queue"))).toList();
        if (matching.size() != 1) {
            throw new AssertionError("one sample of " + name + (queue == null ? "" : " for " + queue) + ", found "
                    + matching);
        }
        return matching.get(0).value();
    }

    private static List<Sample> awaitPage(NodeProcess node, String path,
            java.util.function.Predicate<List<Sample>> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<Sample> samples;
        do {
            samples = parse(get(node, path).body());
            if (done.test(samples)) {
                return samples;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the page never showed the expected figures: " + samples);
    }

    private static URI uri(NodeProcess node, String path) {
        return URI.create("http://127.0.0.1:" + node.prometheusPort() + path);
    }

    private static HttpResponse<String> get(NodeProcess node, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(node, path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void requireParser() throws IOException, InterruptedException {
        boolean present = new ProcessBuilder("/usr/bin/python3", "-c", "import prometheus_client").start()
                .waitFor() == 0;
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("python3-prometheus-client is missing; deploy/test.sh installs it");
        }
        assumeTrue(present, "python3-prometheus-client is not installed: skipping (deploy/test.sh installs it)");
    }

    /** The samples of a page as the Python parser read them; a parse error fails the test with its message. */
    private static List<Sample> parse(String page) throws IOException, InterruptedException {
        Path script = Files.createTempFile("prometheus-parse-", ".py");
        try (var in = PrometheusMetricsTest.class.getResourceAsStream("/prometheus/parse.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process process = new ProcessBuilder("/usr/bin/python3", script.toString()).start();
        process.getOutputStream().write(page.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("the Prometheus parser refused the page: " + err + "\n" + page);
        }
        Files.deleteIfExists(script);
        List<Sample> samples = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Map<?, ?> s = (Map<?, ?>) Json.parse(line);
            samples.add(new Sample((String) s.get("family"), (String) s.get("type"), (String) s.get("name"),
                    (Map<?, ?>) s.get("labels"), ((Number) s.get("value")).doubleValue()));
        }
        return samples;
    }
}
