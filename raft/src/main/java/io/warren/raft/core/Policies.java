package io.warren.raft.core;

import io.warren.proto.SetPolicy;
import io.warren.proto.Table;
import io.warren.proto.TableEntry;
import io.warren.proto.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * RabbitMQ 3.10's policy rules, probed with rabbitmqctl and pika: what a definition may hold (with its
 * validation texts), which policy applies to a queue or exchange, and how a policy, an operator policy and a
 * queue's own arguments combine into the settings it runs with.
 *
 * <p>Precedence: of the policies whose pattern finds the name, the highest priority applies (RabbitMQ leaves a
 * tie undefined; Warren takes the first name in order), one policy and one operator policy at most. Numeric
 * settings (message-ttl, expires, max-length, max-length-bytes, delivery-limit) take the smallest of the
 * argument, the policy's and the operator policy's. The dead-letter settings take the argument over the
 * policy; overflow too on a classic queue, while a quorum queue takes the policy's overflow over its argument
 * (RabbitMQ's quorum queues do, probed). An exchange's alternate-exchange argument wins over a policy's.
 */
final class Policies {
    private Policies() {}

    /** The settings a policy may hold, with the name of what its value must be, for RabbitMQ's texts. */
    private static final Map<String, String> QUEUE_SETTINGS = new TreeMap<>(Map.of(
            "message-ttl", "message TTL", "expires", "queue expiry", "max-length", "maximum length",
            "max-length-bytes", "maximum length in bytes", "overflow", "overflow value",
            "dead-letter-exchange", "dead letter exchange name", "dead-letter-routing-key", "dead letter routing key",
            "delivery-limit", "delivery limit", "dead-letter-strategy", "dead letter strategy",
            "queue-mode", "queue mode")); // sorted: iterated when the effective arguments are built
    private static final Set<String> EXCHANGE_SETTINGS = Set.of("alternate-exchange");
    /** What an operator policy may hold (RabbitMQ 3.10's list, less the in-memory limits Warren has no use for). */
    private static final Set<String> OPERATOR_SETTINGS = Set.of("message-ttl", "expires", "max-length",
            "max-length-bytes", "delivery-limit");
    /** Settings RabbitMQ knows that Warren does not take: refused by name rather than silently ignored. */
    private static final Set<String> NOT_TAKEN = Set.of("ha-mode", "ha-params", "ha-sync-mode",
            "ha-sync-batch-size", "ha-promote-on-shutdown", "ha-promote-on-failure", "queue-master-locator",
            "queue-leader-locator", "max-in-memory-length", "max-in-memory-bytes", "max-age",
            "stream-max-segment-size-bytes", "federation-upstream", "federation-upstream-set");
    private static final List<String> NUMERIC = List.of("message-ttl", "expires", "max-length", "max-length-bytes",
            "delivery-limit");
    private static final List<String> ARGUMENT_WINS = List.of("dead-letter-exchange", "dead-letter-routing-key",
            "dead-letter-strategy");

    /** Checks a set_policy command as RabbitMQ does, in its order: pattern, apply-to, definition. */
    static Policy validate(SetPolicy cmd) {
        if (cmd.getName().isEmpty()) {
            throw invalid("a policy needs a name");
        }
        Pattern pattern;
        try {
            pattern = Pattern.compile(cmd.getPattern());
        } catch (PatternSyntaxException e) {
            throw invalid("pattern should be regular expression but is invalid: " + e.getDescription());
        }
        String applyTo = cmd.getApplyTo().isEmpty() ? "all" : cmd.getApplyTo();
        if (!List.of("queues", "exchanges", "all").contains(applyTo)) {
            throw invalid("apply-to '" + applyTo + "' unrecognised; should be 'queues', 'exchanges' or 'all'");
        }
        Table definition = cmd.getDefinition();
        if (definition.getEntriesCount() == 0) {
            throw invalid("no policy provided");
        }
        List<String> notTaken = new ArrayList<>();
        List<String> unrecognised = new ArrayList<>();
        for (TableEntry entry : sorted(definition).getEntriesList()) {
            String key = entry.getKey();
            boolean known = cmd.getOperator() ? OPERATOR_SETTINGS.contains(key)
                    : QUEUE_SETTINGS.containsKey(key) || EXCHANGE_SETTINGS.contains(key);
            if (!known && NOT_TAKEN.contains(key) && !cmd.getOperator()) {
                notTaken.add(key);
            } else if (!known) {
                unrecognised.add("{<<\"" + key + "\">>," + erlang(entry.getValue()) + "}");
            }
        }
        if (!unrecognised.isEmpty()) {
            throw invalid("[" + String.join(",", unrecognised) + "] are not recognised policy settings");
        }
        if (!notTaken.isEmpty()) {
            throw invalid(String.join(", ", notTaken) + ": not taken by Warren (every Warren queue is replicated"
                    + " by Raft, and in-memory, stream and federation settings are not offered)");
        }
        for (TableEntry entry : sorted(definition).getEntriesList()) {
            checkValue(entry.getKey(), entry.getValue());
        }
        return new Policy(cmd.getVhost(), cmd.getName(), pattern, applyTo, cmd.getPriority(), sorted(definition),
                cmd.getOperator());
    }

    private static void checkValue(String key, Value value) {
        boolean valid = switch (key) {
            case "message-ttl" -> isInteger(value, 0, MessageExpiry.TTL_MAX);
            case "expires" -> isInteger(value, 1, MessageExpiry.TTL_MAX);
            case "max-length", "max-length-bytes", "delivery-limit" -> isInteger(value, 0, Long.MAX_VALUE);
            case "overflow" -> isOneOf(value, "drop-head", "reject-publish", "reject-publish-dlx");
            case "dead-letter-strategy" -> isOneOf(value, "at-most-once", "at-least-once");
            case "queue-mode" -> isOneOf(value, "default", "lazy");
            // names and keys are AMQP short strings
            default -> Tables.text(value) != null && value.getLongString().size() <= Arguments.SHORT_STRING_MAX;
        };
        if (!valid) {
            throw invalid(erlang(value) + " is not a valid " + (EXCHANGE_SETTINGS.contains(key)
                    ? "alternate exchange name" : QUEUE_SETTINGS.get(key)));
        }
    }

    private static boolean isInteger(Value value, long min, long max) {
        return Tables.typeClass(value) == Tables.TypeClass.INTEGER && Tables.integer(value) >= min
                && Tables.integer(value) <= max;
    }

    private static boolean isOneOf(Value value, String... allowed) {
        return Tables.text(value) != null && List.of(allowed).contains(Tables.text(value));
    }

    /** A value as Erlang prints it, which is how RabbitMQ's validation texts show it. */
    private static String erlang(Value value) {
        return switch (value.getKindCase()) {
            case LONG_STRING -> "<<\"" + Tables.text(value) + "\">>";
            case FLOAT64 -> Double.toString(Double.longBitsToDouble(value.getFloat64()));
            case VOID -> "null";
            default -> Tables.display(value);
        };
    }

    private static Refused invalid(String detail) {
        return AmqpMethod.NONE.refuse(ReplyCodes.PRECONDITION_FAILED, "Validation failed: " + detail);
    }

    private static Table sorted(Table table) {
        TreeMap<String, Value> byKey = new TreeMap<>();
        table.getEntriesList().forEach(entry -> byKey.put(entry.getKey(), entry.getValue()));
        Table.Builder out = Table.newBuilder();
        byKey.forEach((key, value) -> out.addEntries(TableEntry.newBuilder().setKey(key).setValue(value)));
        return out.build();
    }

    /** The policy of {@code policies} that applies to a queue or exchange named {@code entity}, or null. */
    static Policy best(Map<String, Policy> policies, boolean queue, String entity) {
        Policy best = null;
        for (Policy policy : policies.values()) { // by name, so the first name wins a tie
            if (policy.appliesTo(queue, entity) && (best == null || policy.priority() > best.priority())) {
                best = policy;
            }
        }
        return best;
    }

    /**
     * A queue's arguments amended by its policy and operator policy (either may be null), with the precedence
     * in the class comment: what {@link QueueState#configure} reads its settings from.
     */
    static Table effectiveArguments(Table arguments, boolean quorum, Policy policy, Policy operator) {
        if (policy == null && operator == null) {
            return arguments;
        }
        TreeMap<String, Value> settings = new TreeMap<>();
        for (String key : QUEUE_SETTINGS.keySet()) {
            Value argument = Tables.get(arguments, "x-" + key);
            Value fromPolicy = policy == null ? null : Tables.get(policy.definition(), key);
            Value fromOperator = operator == null ? null : Tables.get(operator.definition(), key);
            Value chosen;
            if (NUMERIC.contains(key)) {
                chosen = smallest(smallest(argument, fromPolicy), fromOperator);
            } else if (ARGUMENT_WINS.contains(key) || key.equals("overflow") && !quorum) {
                chosen = argument != null ? argument : fromPolicy;
            } else {
                chosen = fromPolicy != null ? fromPolicy : argument; // a quorum queue's overflow, and queue-mode
            }
            if (chosen != null) {
                settings.put("x-" + key, chosen);
            }
        }
        Table.Builder out = Table.newBuilder();
        for (TableEntry entry : arguments.getEntriesList()) {
            if (!settings.containsKey(entry.getKey())) {
                out.addEntries(entry);
            }
        }
        settings.forEach((key, value) -> out.addEntries(TableEntry.newBuilder().setKey(key).setValue(value)));
        return out.build();
    }

    /**
     * What the policy and operator policy of a queue together define (the management API's
     * effective_policy_definition): an operator policy's numeric setting counts where it is smaller.
     */
    static Table effectiveDefinition(Policy policy, Policy operator) {
        TreeMap<String, Value> merged = new TreeMap<>();
        if (policy != null) {
            policy.definition().getEntriesList().forEach(entry -> merged.put(entry.getKey(), entry.getValue()));
        }
        if (operator != null) {
            operator.definition().getEntriesList().forEach(entry -> merged.merge(entry.getKey(), entry.getValue(),
                    Policies::smallest));
        }
        Table.Builder out = Table.newBuilder();
        merged.forEach((key, value) -> out.addEntries(TableEntry.newBuilder().setKey(key).setValue(value)));
        return out.build();
    }

    /** The smaller integer of two settings, either possibly absent; an argument that is not one loses. */
    private static Value smallest(Value a, Value b) {
        if (a == null || Tables.typeClass(a) != Tables.TypeClass.INTEGER) {
            return b != null ? b : a;
        }
        if (b == null || Tables.typeClass(b) != Tables.TypeClass.INTEGER) {
            return a;
        }
        return Tables.integer(b) < Tables.integer(a) ? b : a;
    }

    /** Applies the vhost's policies to one queue, as declared or after a policy changed. */
    static void apply(VhostState vhost, QueueState queue) {
        Policy policy = best(vhost.policies, true, queue.name);
        Policy operator = best(vhost.operatorPolicies, true, queue.name);
        queue.configure(effectiveArguments(queue.arguments, queue.quorum, policy, operator),
                policy == null ? null : policy.name(), operator == null ? null : operator.name());
    }

    /** Applies the vhost's policies to one exchange. */
    static void apply(VhostState vhost, ExchangeState exchange) {
        Policy policy = best(vhost.policies, false, exchange.name);
        exchange.policy = policy == null ? null : policy.name();
        Value alternate = policy == null ? null : Tables.get(policy.definition(), "alternate-exchange");
        exchange.policyAlternateExchange = alternate == null ? null : Tables.text(alternate);
    }
}
