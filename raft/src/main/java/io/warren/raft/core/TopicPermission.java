package io.warren.raft.core;

import io.warren.proto.SetTopicPermissions;

/**
 * A user's write and read patterns for routing keys on one topic exchange of a vhost, as rabbitmqctl
 * set_topic_permissions takes them; {@code {username}} and {@code {vhost}} in a pattern stand for the names.
 */
public record TopicPermission(String user, String vhost, String exchange, String write, String read) {
    /** As the command sets it (and a snapshot keeps it). */
    static TopicPermission of(SetTopicPermissions p) {
        return new TopicPermission(p.getUser(), p.getVhost(), p.getExchange(), p.getWrite(), p.getRead());
    }

    SetTopicPermissions toProto() {
        return SetTopicPermissions.newBuilder().setUser(user).setVhost(vhost).setExchange(exchange).setWrite(write)
                .setRead(read).build();
    }

    String key() {
        return AccessControl.topicKey(user, vhost, exchange);
    }
}
