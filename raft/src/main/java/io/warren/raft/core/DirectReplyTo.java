package io.warren.raft.core;

import com.google.protobuf.InvalidProtocolBufferException;
import io.warren.proto.ChannelRef;
import java.util.Base64;

/**
 * RabbitMQ's direct reply-to: a channel consuming (no-ack) from the pseudo-queue {@value #QUEUE} gets a reply
 * address, {@code amq.rabbitmq.reply-to.<channel>.<key>}, put into the reply_to of what it publishes with
 * reply_to {@value #QUEUE}; a message published to the default exchange with that address as its routing key
 * goes straight to that channel's reply consumer, on whichever node it lives, and is in no queue. The channel
 * part names the channel (its ChannelRef, base64url); the key is a secret its node made, so nobody who has not
 * seen an address can send to it.
 */
public final class DirectReplyTo {
    public static final String QUEUE = "amq.rabbitmq.reply-to";
    private static final String PREFIX = QUEUE + ".";

    private DirectReplyTo() {}

    /** The reply address of a channel whose reply consumer has {@code key}. */
    public static String address(ChannelRef channel, String key) {
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(channel.toByteArray()) + "." + key;
    }

    static boolean isAddress(String name) {
        return name.startsWith(PREFIX);
    }

    /** The live channel whose reply consumer {@code address} reaches, or null (gone, or no such address). */
    static ChannelState find(BrokerState state, String address) {
        if (!isAddress(address)) {
            return null;
        }
        String rest = address.substring(PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot < 0) {
            return null;
        }
        ChannelRef ref;
        try {
            ref = ChannelRef.parseFrom(Base64.getUrlDecoder().decode(rest.substring(0, dot)));
        } catch (IllegalArgumentException | InvalidProtocolBufferException e) {
            return null; // not an address Warren made
        }
        ChannelState channel = state.channels.get(ChannelKey.of(ref));
        return channel != null && channel.replyConsumerTag != null && !channel.failed
                && channel.replyKey.equals(rest.substring(dot + 1)) ? channel : null;
    }
}
