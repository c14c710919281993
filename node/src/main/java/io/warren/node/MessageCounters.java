package io.warren.node;

import java.util.concurrent.atomic.LongAdder;

/**
 * What this node's clients did, counted as RabbitMQ counts its global message totals (Prometheus'
 * {@code rabbitmq_global_messages_*_total}, the management API's {@code message_stats}): publishes received
 * (and of them in confirm mode), confirmed, returned unroutable, delivered (consume and get, manual and
 * automatic ack), redelivered, acknowledged, and gets that found the queue empty. Counted on the event loops
 * and the apply thread; read by the metrics endpoint and the rate sampler.
 */
final class MessageCounters {
    final LongAdder received = new LongAdder();
    final LongAdder receivedConfirm = new LongAdder();
    final LongAdder confirmed = new LongAdder();
    final LongAdder unroutableReturned = new LongAdder();
    final LongAdder deliveredConsumeManualAck = new LongAdder();
    final LongAdder deliveredConsumeAutoAck = new LongAdder();
    final LongAdder deliveredGetManualAck = new LongAdder();
    final LongAdder deliveredGetAutoAck = new LongAdder();
    final LongAdder redelivered = new LongAdder();
    final LongAdder acknowledged = new LongAdder();
    final LongAdder getEmpty = new LongAdder();

    /** Every delivery: consumed and got, either ack mode. */
    long delivered() {
        return deliveredConsumeManualAck.sum() + deliveredConsumeAutoAck.sum() + deliveredGetManualAck.sum()
                + deliveredGetAutoAck.sum();
    }
}
