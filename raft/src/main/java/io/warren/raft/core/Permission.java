package io.warren.raft.core;

/** A user's configure / write / read regular expressions in one vhost, as rabbitmqctl set_permissions takes. */
public record Permission(String user, String vhost, String configure, String write, String read) {}
