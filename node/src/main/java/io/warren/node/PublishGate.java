package io.warren.node;

import java.util.List;

/**
 * Whether this node's publishers may publish, and why not: its own replication backlog (every connection
 * of this node stops being read until it drains), or a resource alarm anywhere in the cluster, which, as
 * in RabbitMQ, blocks a connection when it publishes under the alarm and leaves consume-only ones alone so
 * consumers can still drain the queues that caused it.
 */
final class PublishGate {
    private boolean backlog;
    private List<String> alarms = List.of();

    /** Whether a resource alarm is on anywhere in the cluster. */
    synchronized boolean alarmed() {
        return !alarms.isEmpty();
    }

    /** What a connection should be told now: null when it may go on. */
    synchronized String reasonFor(boolean publishes) {
        if (backlog) {
            return "Warren is replicating a backlog";
        }
        if (publishes && !alarms.isEmpty()) {
            // RabbitMQ's wording: "low on memory", "low on disk", "low on memory & disk".
            boolean memory = alarms.stream().anyMatch(a -> a.endsWith(": memory"));
            boolean disk = alarms.stream().anyMatch(a -> a.endsWith(": disk"));
            return "low on " + (memory && disk ? "memory & disk" : memory ? "memory" : "disk");
        }
        return null;
    }

    /** Returns true when the gate changed. */
    synchronized boolean backlog(boolean blocked) {
        boolean changed = backlog != blocked;
        backlog = blocked;
        return changed;
    }

    synchronized boolean alarms(List<String> active) {
        boolean changed = !alarms.equals(active);
        alarms = List.copyOf(active);
        return changed;
    }
}
