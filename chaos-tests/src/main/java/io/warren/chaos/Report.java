package io.warren.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The run's HTML page, as Jepsen's rate and latency plots: confirmed publishes and deliveries per
 * second, and confirm latency (median and max per second), with the fault windows shaded and the
 * checker's verdict on top. Plain SVG, no scripts.
 */
public final class Report {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 220;

    private Report() {}

    public static void write(Path file, List<Op> history, Checker.Verdict verdict, Map<String, Object> summary)
            throws IOException {
        long end = history.isEmpty() ? 1 : history.get(history.size() - 1).timeMs();
        int seconds = (int) (end / 1000) + 1;
        double[] confirmed = new double[seconds];
        double[] delivered = new double[seconds];
        TreeMap<Integer, List<Long>> latencies = new TreeMap<>();
        for (Op op : history) {
            int second = (int) (op.timeMs() / 1000);
            if (op.is("ok", "publish")) {
                confirmed[second]++;
                latencies.computeIfAbsent(second, s -> new ArrayList<>()).add(op.latencyMs());
            } else if (op.is("ok", "deliver")) {
                delivered[second]++;
            }
        }
        double[] median = new double[seconds];
        double[] max = new double[seconds];
        latencies.forEach((second, values) -> {
            values.sort(Long::compare);
            median[second] = values.get(values.size() / 2);
            max[second] = values.get(values.size() - 1);
        });
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Warren chaos run</title>")
                .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}</style></head><body>");
        html.append("<h1>Warren chaos run: ").append(verdict.valid() ? "valid" : "INVALID").append("</h1>");
        html.append("<p>").append(escape(Json.value(summary.get("nemeses")))).append("</p>");
        html.append("<table><tr>");
        for (String key : List.of("published", "confirmed", "nacked", "unknown", "delivered", "lost", "unexpected",
                "duplicated", "duplicated_unflagged", "duplicated_after_ack")) {
            html.append("<th>").append(key).append("</th>");
        }
        html.append("</tr><tr>");
        Map<String, Object> v = verdict.toMap();
        for (String key : List.of("published", "confirmed", "nacked", "unknown", "delivered", "lost", "unexpected",
                "duplicated", "duplicated_unflagged", "duplicated_after_ack")) {
            html.append("<td>").append(v.get(key)).append("</td>");
        }
        html.append("</tr></table>");
        html.append("<h2>Throughput (messages per second)</h2>");
        html.append(plot(seconds, verdict.windows(), List.of(confirmed, delivered), List.of("#1f77b4", "#2ca02c"),
                List.of("confirmed", "delivered")));
        html.append("<h2>Confirm latency (ms, median and max per second)</h2>");
        html.append(plot(seconds, verdict.windows(), List.of(median, max), List.of("#ff7f0e", "#d62728"),
                List.of("median", "max")));
        html.append("<h2>Fault windows</h2><table><tr><th>fault</th><th>target</th><th>from s</th><th>to s</th>")
                .append("<th>attempted</th><th>ok</th><th>availability</th><th>first confirm after ms</th></tr>");
        for (Checker.WindowStats w : verdict.windows()) {
            html.append("<tr><td>").append(w.kind()).append("</td><td>").append(w.target()).append("</td><td>")
                    .append(w.startMs() / 1000.0).append("</td><td>").append(w.stopMs() / 1000.0).append("</td><td>")
                    .append(w.attempted()).append("</td><td>").append(w.ok()).append("</td><td>")
                    .append(String.format("%.3f", w.availability())).append("</td><td>").append(w.msToFirstConfirm())
                    .append("</td></tr>");
        }
        html.append("</table><h2>Summary</h2><pre>").append(escape(Json.object(summary))).append("</pre></body></html>");
        Files.writeString(file, html, StandardCharsets.UTF_8);
    }

    private static String plot(int seconds, List<Checker.WindowStats> windows, List<double[]> series,
            List<String> colours, List<String> names) {
        double top = 1;
        for (double[] values : series) {
            for (double value : values) {
                top = Math.max(top, value);
            }
        }
        double xScale = (double) WIDTH / Math.max(1, seconds);
        StringBuilder svg = new StringBuilder("<svg width=\"" + (WIDTH + 60) + "\" height=\"" + (HEIGHT + 30)
                + "\" xmlns=\"http://www.w3.org/2000/svg\"><g transform=\"translate(50,5)\">");
        for (Checker.WindowStats w : windows) {
            svg.append(String.format("<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"%d\" fill=\"#f4cccc\">"
                    + "<title>%s %s</title></rect>", w.startMs() / 1000.0 * xScale,
                    Math.max(1, (w.stopMs() - w.startMs()) / 1000.0 * xScale), HEIGHT, w.kind(), w.target()));
        }
        svg.append("<line x1=\"0\" y1=\"" + HEIGHT + "\" x2=\"" + WIDTH + "\" y2=\"" + HEIGHT + "\" stroke=\"#000\"/>");
        svg.append("<text x=\"-45\" y=\"10\" font-size=\"10\">" + Math.round(top) + "</text>");
        svg.append("<text x=\"" + (WIDTH - 40) + "\" y=\"" + (HEIGHT + 20) + "\" font-size=\"10\">" + seconds
                + " s</text>");
        for (int s = 0; s < series.size(); s++) {
            StringBuilder points = new StringBuilder();
            double[] values = series.get(s);
            for (int i = 0; i < values.length; i++) {
                points.append(String.format("%.1f,%.1f ", i * xScale, HEIGHT - values[i] / top * HEIGHT));
            }
            svg.append("<polyline fill=\"none\" stroke=\"" + colours.get(s) + "\" points=\"" + points + "\"/>");
            svg.append("<text x=\"" + (10 + s * 120) + "\" y=\"" + (HEIGHT + 20) + "\" font-size=\"11\" fill=\""
                    + colours.get(s) + "\">" + names.get(s) + "</text>");
        }
        return svg.append("</g></svg>").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
