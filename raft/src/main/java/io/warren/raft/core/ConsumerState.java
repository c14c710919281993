package io.warren.raft.core;

import io.warren.proto.Table;

/** One basic.consume subscription. */
final class ConsumerState {
    /** Unique for the life of the broker, so a delivery names the very consumer it went to. */
    final long id;
    final ChannelState channel;
    final String tag;
    final QueueState queue;
    final boolean noAck;
    final boolean exclusive;
    /** basic.qos prefetch (global=false) in force when the consumer started; 0 is unlimited. */
    final int prefetch;
    final Table arguments;
    /** Its x-priority (0 without): the queue serves its highest-priority consumers with credit first. */
    final long priority;
    int unacked;
    /** Whether the consumer's node grants deliveries in windows (Consume.credit > 0). */
    final boolean creditLimited;
    /** Deliveries it may still get before its node grants more; used when {@link #creditLimited}. */
    long credit;

    ConsumerState(long id, ChannelState channel, String tag, QueueState queue, boolean noAck, boolean exclusive,
            int prefetch, Table arguments, boolean creditLimited, long credit) {
        this.creditLimited = creditLimited;
        this.credit = credit;
        this.id = id;
        this.channel = channel;
        this.tag = tag;
        this.queue = queue;
        this.noAck = noAck;
        this.exclusive = exclusive;
        this.prefetch = prefetch;
        this.arguments = arguments;
        this.priority = Arguments.integerOr(arguments, "x-priority", 0);
    }

    /** Whether this consumer may take one more message now (its own and its channel's prefetch). */
    boolean hasCredit() {
        if (creditLimited && credit <= 0) {
            return false;
        }
        if (noAck) {
            return true;
        }
        boolean ownCredit = prefetch == 0 || unacked < prefetch;
        boolean channelCredit = channel.globalPrefetch == 0 || channel.consumerUnacked < channel.globalPrefetch;
        return ownCredit && channelCredit;
    }
}
