package io.warren.raft.core;

import io.warren.proto.ClearPolicy;
import io.warren.proto.SetPolicy;
import java.util.ArrayList;
import java.util.TreeMap;

/**
 * set_policy, clear_policy and their operator-policy forms: a change applies at once to every queue and
 * exchange of the vhost, existing or declared later, on every node at the same log index. A queue that a new
 * limit puts over it drops (or dead-letters) its oldest at once, as RabbitMQ's do; a new TTL counts for
 * messages enqueued from then on, as in RabbitMQ, where a message's expiry is fixed when it is enqueued.
 */
final class PolicyCommands {
    private final BrokerState state;
    private final Dispatcher dispatcher;

    PolicyCommands(BrokerState state, Dispatcher dispatcher) {
        this.state = state;
        this.dispatcher = dispatcher;
    }

    void setPolicy(SetPolicy cmd, ApplyContext ctx) {
        VhostState vhost = vhost(cmd.getVhost());
        Policy policy = Policies.validate(cmd);
        (cmd.getOperator() ? vhost.operatorPolicies : vhost.policies).put(policy.name(), policy);
        reapply(vhost, ctx);
        ctx.answer(Dispatcher.done());
    }

    void clearPolicy(ClearPolicy cmd, ApplyContext ctx) {
        VhostState vhost = vhost(cmd.getVhost());
        TreeMap<String, Policy> policies = cmd.getOperator() ? vhost.operatorPolicies : vhost.policies;
        if (policies.remove(cmd.getName()) == null) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.NOT_FOUND, "Parameter does not exist"); // rabbitmqctl's text
        }
        reapply(vhost, ctx);
        ctx.answer(Dispatcher.done());
    }

    private VhostState vhost(String name) {
        VhostState vhost = state.vhosts.get(name);
        if (vhost == null) {
            throw AmqpMethod.NONE.refuse(ReplyCodes.NOT_FOUND, "no vhost '" + name + "'");
        }
        return vhost;
    }

    private void reapply(VhostState vhost, ApplyContext ctx) {
        vhost.exchanges.values().forEach(exchange -> Policies.apply(vhost, exchange));
        for (QueueState queue : new ArrayList<>(vhost.queues.values())) {
            Policies.apply(vhost, queue);
            dispatcher.dispatch(queue, ctx); // new limits and expiries take effect now
        }
    }
}
