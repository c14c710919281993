import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Scenario S7 of bench/run.sh: latency at a fixed rate, which PerfTest does not report beyond p99.
 * One producer publishes persistent messages at --rate msg/s with confirms to the queue on one node;
 * one consumer on another node acks each delivery. Both live in this process, so the send time carried in
 * the body and the receive time come from the same clock. Prints one line of key=value pairs: confirm and
 * delivery latency percentiles (ms, after --warmup seconds) and the counts.
 *
 * <p>The send time is the time the message was due by the schedule, not when the client got to send it,
 * so a stall of the broker is counted for every message it held back (no coordinated omission).
 */
public final class LatencyProbe {
    private static final long MAX_UNCONFIRMED = 20_000;

    public static void main(String[] args) throws Exception {
        String publishUri = arg(args, "--publish-uri", "amqp://guest:guest@127.0.0.1:5672");
        String consumeUri = arg(args, "--consume-uri", "amqp://guest:guest@127.0.0.1:5673");
        String queue = arg(args, "--queue", "perf-q");
        int rate = Integer.parseInt(arg(args, "--rate", "2000"));
        int seconds = Integer.parseInt(arg(args, "--duration", "30"));
        int warmup = Integer.parseInt(arg(args, "--warmup", "5"));
        int size = Integer.parseInt(arg(args, "--size", "1000"));

        Histogram confirms = new SynchronizedHistogram(TimeUnit.SECONDS.toNanos(60), 3);
        Histogram deliveries = new SynchronizedHistogram(TimeUnit.SECONDS.toNanos(60), 3);
        ConcurrentSkipListMap<Long, Long> dueBySeq = new ConcurrentSkipListMap<>();
        AtomicLong confirmed = new AtomicLong();
        AtomicLong nacked = new AtomicLong();
        AtomicLong received = new AtomicLong();
        long start = System.nanoTime();
        long recordFrom = start + TimeUnit.SECONDS.toNanos(warmup);
        long end = recordFrom + TimeUnit.SECONDS.toNanos(seconds);

        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(consumeUri);
        try (Connection consumerConnection = factory.newConnection("latency-probe-consumer")) {
            Channel consumer = consumerConnection.createChannel();
            consumer.basicQos(200);
            consumer.basicConsume(queue, false, new DefaultConsumer(consumer) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws java.io.IOException {
                    long now = System.nanoTime();
                    long due = ByteBuffer.wrap(body).getLong();
                    if (due >= recordFrom && due < end) {
                        deliveries.recordValue(Math.min(now - due, deliveries.getHighestTrackableValue()));
                    }
                    received.incrementAndGet();
                    consumer.basicAck(envelope.getDeliveryTag(), false);
                }
            });

            factory.setUri(publishUri);
            try (Connection producerConnection = factory.newConnection("latency-probe-producer")) {
                Channel producer = producerConnection.createChannel();
                producer.confirmSelect();
                producer.addConfirmListener((seq, multiple) -> settle(dueBySeq, seq, multiple, confirms, recordFrom,
                        end, confirmed), (seq, multiple) -> {
                            nacked.addAndGet(settle(dueBySeq, seq, multiple, null, recordFrom, end, confirmed));
                        });
                AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
                byte[] body = new byte[Math.max(size, Long.BYTES)];
                long period = TimeUnit.SECONDS.toNanos(1) / rate;
                long sent = 0;
                for (long due = start; due < end; due += period) {
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    while (dueBySeq.size() > MAX_UNCONFIRMED) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                    ByteBuffer.wrap(body).putLong(due);
                    dueBySeq.put(producer.getNextPublishSeqNo(), due);
                    producer.basicPublish("", queue, persistent, body);
                    sent++;
                }
                double publishedSeconds = (System.nanoTime() - start) / 1e9;
                producer.waitForConfirms(TimeUnit.SECONDS.toMillis(60));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (received.get() < sent && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                System.out.println(String.format(Locale.ROOT,
                        "sent=%d confirmed=%d nacked=%d received=%d rate=%d seconds=%.1f confirm_p50_ms=%.2f"
                                + " confirm_p99_ms=%.2f"
                                + " confirm_p999_ms=%.2f delivery_p50_ms=%.2f delivery_p99_ms=%.2f delivery_p999_ms=%.2f",
                        sent, confirmed.get(), nacked.get(), received.get(), rate, publishedSeconds, ms(confirms, 50),
                        ms(confirms, 99),
                        ms(confirms, 99.9), ms(deliveries, 50), ms(deliveries, 99), ms(deliveries, 99.9)));
            }
        }
    }

    /** Removes the settled sequence numbers; records their confirm latency when a histogram is given. */
    private static long settle(ConcurrentSkipListMap<Long, Long> dueBySeq, long seq, boolean multiple,
            Histogram histogram, long recordFrom, long end, AtomicLong confirmed) {
        long now = System.nanoTime();
        var settled = multiple ? dueBySeq.headMap(seq, true) : dueBySeq.subMap(seq, true, seq, true);
        long count = 0;
        for (var it = settled.entrySet().iterator(); it.hasNext();) {
            long due = it.next().getValue();
            it.remove();
            count++;
            if (histogram != null && due >= recordFrom && due < end) {
                histogram.recordValue(Math.min(now - due, histogram.getHighestTrackableValue()));
            }
        }
        if (histogram != null) {
            confirmed.addAndGet(count);
        }
        return count;
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? -1 : histogram.getValueAtPercentile(percentile) / 1e6;
    }

    private static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
