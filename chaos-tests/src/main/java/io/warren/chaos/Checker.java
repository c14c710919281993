package io.warren.chaos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Jepsen's total-queue check over a finished history (after the final drain): every confirmed publish
 * must have been delivered (lost = 0), nothing may be delivered that was never published
 * (unexpected = 0); duplicates are counted (at-least-once allows them), but a duplicate must carry the
 * redelivered flag (unflagged duplicates = 0: a consumer must be told it may have seen the message; a node
 * that hands out what the cluster already gave another consumer fails this); duplicates delivered after the
 * message was acked are counted too. Publishes with unknown outcome are split by whether they arrived. Also availability in each fault window (ok / attempted publishes)
 * and the time to the first confirm after each fault began. Pure: the same history gives the same verdict.
 */
public final class Checker {
    private Checker() {}

    /** A nemesis window: from its start to its stop (or the end of the run). */
    public record Window(String kind, String target, long startMs, long stopMs) {}

    public record WindowStats(String kind, String target, long startMs, long stopMs, int attempted, int ok,
            long msToFirstConfirm) {
        double availability() {
            return attempted == 0 ? 1.0 : (double) ok / attempted;
        }
    }

    public record Verdict(boolean valid, int published, int confirmed, int nacked, int unknown,
            int unknownDelivered, int delivered, int deliveries, int lost, int unexpected, int duplicated,
            int duplicatedUnflagged, int duplicatedAfterAck, List<String> lostSample, List<String> unexpectedSample,
            List<String> unflaggedSample, List<WindowStats> windows) {

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("valid", valid);
            m.put("published", published);
            m.put("confirmed", confirmed);
            m.put("nacked", nacked);
            m.put("unknown", unknown);
            m.put("unknown_delivered", unknownDelivered);
            m.put("unknown_not_delivered", unknown - unknownDelivered);
            m.put("delivered", delivered);
            m.put("deliveries", deliveries);
            m.put("lost", lost);
            m.put("unexpected", unexpected);
            m.put("duplicated", duplicated);
            m.put("duplicated_unflagged", duplicatedUnflagged);
            m.put("duplicated_after_ack", duplicatedAfterAck);
            m.put("lost_sample", lostSample);
            m.put("unexpected_sample", unexpectedSample);
            m.put("unflagged_sample", unflaggedSample);
            List<Map<String, Object>> w = new ArrayList<>();
            for (WindowStats s : windows) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("kind", s.kind());
                e.put("target", s.target());
                e.put("start_ms", s.startMs());
                e.put("stop_ms", s.stopMs());
                e.put("attempted", s.attempted());
                e.put("ok", s.ok());
                e.put("availability", Math.round(s.availability() * 1000) / 1000.0);
                e.put("ms_to_first_confirm", s.msToFirstConfirm());
                w.add(e);
            }
            m.put("fault_windows", w);
            return m;
        }
    }

    public static Verdict check(List<Op> history) {
        Set<String> invoked = new HashSet<>();
        Set<String> confirmed = new HashSet<>();
        Set<String> nacked = new HashSet<>();
        Map<String, Long> invokedAt = new HashMap<>();
        Map<String, Integer> deliveries = new HashMap<>();
        Set<String> acked = new HashSet<>();
        List<String> unflagged = new ArrayList<>();
        int afterAck = 0;
        for (Op op : history) {
            if (op.is("invoke", "publish")) {
                invoked.add(op.id());
                invokedAt.put(op.id(), op.timeMs());
            } else if (op.is("ok", "publish")) {
                confirmed.add(op.id());
            } else if (op.is("fail", "publish")) {
                nacked.add(op.id());
            } else if (op.is("ok", "deliver")) {
                boolean again = deliveries.merge(op.id(), 1, Integer::sum) > 1;
                if (again && !op.redelivered()) {
                    unflagged.add(op.id() + "@" + op.timeMs() + "ms:" + op.process() + "/" + op.node());
                }
                if (again && acked.contains(op.id())) {
                    afterAck++;
                }
            } else if (op.is("ok", "ack")) {
                acked.add(op.id());
            }
        }
        Set<String> unknown = new HashSet<>(invoked);
        unknown.removeAll(confirmed);
        unknown.removeAll(nacked);
        List<String> lost = confirmed.stream().filter(id -> !deliveries.containsKey(id)).sorted().toList();
        List<String> unexpected = deliveries.keySet().stream().filter(id -> !invoked.contains(id)).sorted().toList();
        int duplicated = deliveries.values().stream().mapToInt(n -> n - 1).sum();
        int unknownDelivered = (int) unknown.stream().filter(deliveries::containsKey).count();
        int totalDeliveries = deliveries.values().stream().mapToInt(Integer::intValue).sum();
        List<WindowStats> windows = windows(history).stream().map(w -> stats(w, history, invokedAt)).toList();
        return new Verdict(lost.isEmpty() && unexpected.isEmpty() && unflagged.isEmpty(), invoked.size(),
                confirmed.size(), nacked.size(), unknown.size(), unknownDelivered, deliveries.size(), totalDeliveries,
                lost.size(), unexpected.size(), duplicated, unflagged.size(), afterAck,
                lost.stream().limit(20).toList(), unexpected.stream().limit(20).toList(),
                unflagged.stream().limit(20).toList(), windows);
    }

    static List<Window> windows(List<Op> history) {
        List<Window> windows = new ArrayList<>();
        Map<String, Op> open = new LinkedHashMap<>();
        long end = history.isEmpty() ? 0 : history.get(history.size() - 1).timeMs();
        for (Op op : history) {
            if (!op.type().equals("nemesis")) {
                continue;
            }
            String key = op.id() + "@" + op.node();
            if (op.f().equals("start")) {
                open.put(key, op);
            } else {
                Op started = open.remove(key);
                if (started != null) {
                    windows.add(new Window(op.id(), op.node(), started.timeMs(), op.timeMs()));
                }
            }
        }
        open.values().forEach(op -> windows.add(new Window(op.id(), op.node(), op.timeMs(), end)));
        windows.sort((a, b) -> Long.compare(a.startMs(), b.startMs()));
        return windows;
    }

    private static WindowStats stats(Window w, List<Op> history, Map<String, Long> invokedAt) {
        int attempted = 0;
        int ok = 0;
        long firstConfirm = -1;
        for (Op op : history) {
            if (op.is("invoke", "publish") && op.timeMs() >= w.startMs() && op.timeMs() < w.stopMs()) {
                attempted++;
            }
            if (op.is("ok", "publish")) {
                Long at = invokedAt.get(op.id());
                if (at != null && at >= w.startMs() && at < w.stopMs()) {
                    ok++;
                }
                if (firstConfirm < 0 && op.timeMs() >= w.startMs()) {
                    firstConfirm = op.timeMs() - w.startMs();
                }
            }
        }
        return new WindowStats(w.kind(), w.target(), w.startMs(), w.stopMs(), attempted, ok, firstConfirm);
    }
}
