package io.warren.chaos;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of the history, as Jepsen records them: a client operation's invocation and its outcome
 * (ok, fail, or info when the outcome is unknown), a delivery, or a nemesis window opening or closing.
 *
 * @param timeMs milliseconds since the run started
 * @param type invoke, ok, fail, info, or nemesis
 * @param f publish or deliver for clients; start or stop for the nemesis
 * @param process which client (p1, c2, drain) or "nemesis"
 * @param node the node the client was connected to, or the nemesis' target
 * @param id the message id, or the nemesis kind
 * @param latencyMs for an ok publish, the time from invoke to confirm; else 0
 * @param redelivered for a delivery, whether the broker flagged it as possibly seen before
 */
public record Op(long timeMs, String type, String f, String process, String node, String id, long latencyMs,
        boolean redelivered) {

    public Op(long timeMs, String type, String f, String process, String node, String id, long latencyMs) {
        this(timeMs, type, f, process, node, id, latencyMs, false);
    }

    public String toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("time", timeMs);
        fields.put("type", type);
        fields.put("f", f);
        fields.put("process", process);
        fields.put("node", node);
        fields.put("id", id);
        if (latencyMs != 0) {
            fields.put("latency", latencyMs);
        }
        if (redelivered) {
            fields.put("redelivered", true);
        }
        return Json.object(fields);
    }

    public boolean is(String type, String f) {
        return this.type.equals(type) && this.f.equals(f);
    }
}
