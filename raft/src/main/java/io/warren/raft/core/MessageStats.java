package io.warren.raft.core;

/**
 * A reading of {@link MessageTotals}: the counts behind RabbitMQ's {@code message_stats} (publish, confirm,
 * return_unroutable, drop_unroutable, deliver, deliver_no_ack, get, get_no_ack, ack, redeliver).
 */
public record MessageStats(long publish, long confirm, long returnUnroutable, long dropUnroutable, long deliver,
        long deliverNoAck, long get, long getNoAck, long ack, long redeliver) {
    public static final MessageStats ZERO = new MessageStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public MessageStats plus(MessageStats o) {
        return new MessageStats(publish + o.publish, confirm + o.confirm, returnUnroutable + o.returnUnroutable,
                dropUnroutable + o.dropUnroutable, deliver + o.deliver, deliverNoAck + o.deliverNoAck, get + o.get,
                getNoAck + o.getNoAck, ack + o.ack, redeliver + o.redeliver);
    }

    /** RabbitMQ's deliver_get: every message handed out, by delivery or by get. */
    public long deliverGet() {
        return deliver + deliverNoAck + get + getNoAck;
    }
}
