package io.warren.node.management;

import io.warren.raft.core.MessageStats;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * RabbitMQ's "basic" rates mode: the figures are sampled once per statistics interval, and a rate is the
 * change between the last two samples over the time between them (0 until there are two). Samples are
 * handed in with their time, so this holds no clock of its own.
 */
public final class MessageRates {
    /** RabbitMQ's default collect_statistics_interval. */
    public static final long INTERVAL_MS = 5_000;

    /** What is sampled of the broker or of one queue: message counts and queue depth. */
    public record Figures(MessageStats stats, long messages, long ready, long unacked) {
        public static final Figures ZERO = new Figures(MessageStats.ZERO, 0, 0, 0);

        public Figures plus(Figures o) {
            return new Figures(stats.plus(o.stats), messages + o.messages, ready + o.ready, unacked + o.unacked);
        }
    }

    /** The two last samples of one object and the time between them. */
    public record Window(Figures earlier, Figures later, long elapsedMs) {
        static final Window NONE = new Window(Figures.ZERO, Figures.ZERO, 0);

        /** Per second, 0 without two samples. */
        public double rate(ToLongFunction<Figures> figure) {
            if (elapsedMs <= 0) {
                return 0;
            }
            return (figure.applyAsLong(later) - figure.applyAsLong(earlier)) * 1000.0 / elapsedMs;
        }

        /** A count's rate; never below 0 (counts start again when a node loads a snapshot). */
        public double statsRate(ToLongFunction<MessageStats> figure) {
            return Math.max(0, rate(f -> figure.applyAsLong(f.stats())));
        }
    }

    private record Sample(long atMs, Figures overall, Map<String, Figures> queues) {}

    private Sample earlier;
    private Sample later;

    /** A sample of {@code state} (every vhost's queues, and the broker's counts) taken at {@code atMs}. */
    public void sample(long atMs, io.warren.raft.core.BrokerQueries state) {
        Map<String, Figures> queues = new HashMap<>();
        long ready = 0;
        long unacked = 0;
        for (String vhost : state.vhosts()) {
            for (io.warren.raft.core.BrokerQueries.QueueView view : state.queues(vhost)) {
                long r = view.messagesReady();
                long u = view.messagesUnacknowledged();
                queues.put(key(vhost, view.name()), new Figures(view.messageStats(), r + u, r, u));
                ready += r;
                unacked += u;
            }
        }
        sample(atMs, new Figures(state.messageStats(), ready + unacked, ready, unacked), queues);
    }

    /** A sample taken at {@code atMs}; queues by {@link #key}. */
    public synchronized void sample(long atMs, Figures overall, Map<String, Figures> queues) {
        earlier = later;
        later = new Sample(atMs, overall, new HashMap<>(queues));
    }

    public synchronized Window overall() {
        if (earlier == null) {
            return Window.NONE;
        }
        return new Window(earlier.overall, later.overall, later.atMs - earlier.atMs);
    }

    /** A queue's window; a queue new since the earlier sample counts from zero, one gone has none. */
    public synchronized Window queue(String vhost, String name) {
        if (earlier == null) {
            return Window.NONE;
        }
        Figures now = later.queues.get(key(vhost, name));
        if (now == null) {
            return Window.NONE;
        }
        return new Window(earlier.queues.getOrDefault(key(vhost, name), Figures.ZERO), now,
                later.atMs - earlier.atMs);
    }

    public static String key(String vhost, String queue) {
        return vhost + '\0' + queue;
    }
}
