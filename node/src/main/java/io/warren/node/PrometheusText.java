package io.warren.node;

import java.util.Locale;
import java.util.Map;

/**
 * Prometheus' text exposition format (version 0.0.4): a {@code # HELP} and {@code # TYPE} line per metric
 * family, then its samples, label values escaped. Families are written whole, one after the other.
 */
final class PrometheusText {
    private final StringBuilder out = new StringBuilder();
    private String family;

    /** Starts a family: {@code type} is counter or gauge; a counter's name ends in {@code _total}. */
    PrometheusText family(String name, String type, String help) {
        family = name;
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                .append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** A sample of the current family without labels. */
    PrometheusText sample(double value) {
        return sample(Map.of(), value);
    }

    /** A sample of the current family with labels (in the map's order). */
    PrometheusText sample(Map<String, String> labels, double value) {
        out.append(family);
        if (!labels.isEmpty()) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, String> label : labels.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                out.append(label.getKey()).append("=\"").append(escape(label.getValue())).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(number(value)).append('\n');
        return this;
    }

    /** A family of one sample. */
    PrometheusText single(String name, String type, String help, double value) {
        return family(name, type, help).sample(value);
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        return String.format(Locale.ROOT, "%.9g", value);
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
