package io.warren.raft.core;

/**
 * A user's write and read patterns for routing keys on one topic exchange of a vhost, as rabbitmqctl
 * set_topic_permissions takes them; {@code {username}} and {@code {vhost}} in a pattern stand for the names.
 */
public record TopicPermission(String user, String vhost, String exchange, String write, String read) {}
