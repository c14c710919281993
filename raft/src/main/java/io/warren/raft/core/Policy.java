package io.warren.raft.core;

import io.warren.proto.SetPolicy;
import io.warren.proto.Table;
import java.util.regex.Pattern;

/**
 * A policy or operator policy of a vhost, as rabbitmqctl set_policy sets it: the queues and exchanges whose
 * name its pattern finds (searched for, not anchored, as RabbitMQ's re:run) take its definition's settings.
 *
 * @param applyTo queues, exchanges or all
 */
record Policy(String vhost, String name, Pattern pattern, String applyTo, int priority, Table definition,
        boolean operator) {

    boolean appliesTo(boolean queue, String entity) {
        return (applyTo.equals("all") || applyTo.equals(queue ? "queues" : "exchanges"))
                && pattern.matcher(entity).find();
    }

    /** As set, for snapshots and listings. */
    SetPolicy toProto() {
        return SetPolicy.newBuilder().setVhost(vhost).setName(name).setPattern(pattern.pattern()).setApplyTo(applyTo)
                .setPriority(priority).setDefinition(definition).setOperator(operator).build();
    }
}
