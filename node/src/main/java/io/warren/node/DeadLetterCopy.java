package io.warren.node;

import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.codec.FieldValue;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The copy of a message that dies in a queue and goes to its dead-letter exchange, written as RabbitMQ 3.10
 * writes it (probed with pika, docs/dead-lettering.md): the {@code x-death} entry for (queue, reason) added
 * or counted up and moved to the front, {@code x-first-death-*} set once (3.10 writes no {@code x-last-death-*}),
 * {@code expiration} moved into the entry as {@code original-expiration}, and with a dead-letter routing key
 * the {@code CC} header removed. Also names the queues the copy must not enter: those that would close a
 * cycle of deaths none of which was a rejection. Pure: the leader's node calls it with its clock.
 *
 * @param properties the copy's properties
 * @param routingKey the key it is published with: the dead-letter routing key, or else the original one
 * @param cycleQueues queue names where it would complete a fully automatic cycle, so it is left out of them
 */
record DeadLetterCopy(BasicProperties properties, String routingKey, List<String> cycleQueues) {
    static final String REJECTED = "rejected";

    /**
     * @param exchange and {@code routingKey}: what the message was last published (or dead-lettered) with
     * @param deadLetterRoutingKey the queue's x-dead-letter-routing-key, or null
     */
    static DeadLetterCopy of(BasicProperties original, String exchange, String routingKey, String reason,
            String queue, String deadLetterRoutingKey, long nowSeconds) {
        Map<String, FieldValue> headers = new TreeMap<>(); // RabbitMQ sorts the table it sets a header in
        if (original.headers() != null) {
            headers.putAll(original.headers().entries());
        }
        List<FieldValue> routingKeys = new ArrayList<>();
        routingKeys.add(FieldValue.Text.of(routingKey));
        if (headers.get("CC") instanceof FieldValue.Array cc) {
            routingKeys.addAll(cc.values());
        }
        FieldTable.Builder entry = FieldTable.builder()
                .put("count", new FieldValue.Int64(1))
                .put("reason", reason)
                .put("queue", queue)
                .put("time", new FieldValue.Timestamp(nowSeconds))
                .put("exchange", exchange)
                .put("routing-keys", new FieldValue.Array(routingKeys));
        if (original.expiration() != null) {
            entry.put("original-expiration", original.expiration());
        }
        List<FieldValue> deaths = new ArrayList<>();
        if (headers.get("x-death") instanceof FieldValue.Array earlier) {
            FieldTable counted = null;
            for (FieldValue death : earlier.values()) {
                if (counted == null && death instanceof FieldValue.Table t && is(t.value(), "queue", queue)
                        && is(t.value(), "reason", reason)) {
                    counted = countedUp(t.value());
                } else {
                    deaths.add(death);
                }
            }
            deaths.addFirst(new FieldValue.Table(sorted(counted != null ? counted : entry.build())));
        } else {
            deaths.add(new FieldValue.Table(entry.build()));
            headers.put("x-first-death-reason", FieldValue.Text.of(reason));
            headers.put("x-first-death-queue", FieldValue.Text.of(queue));
            headers.put("x-first-death-exchange", FieldValue.Text.of(exchange));
        }
        headers.put("x-death", new FieldValue.Array(deaths));
        if (deadLetterRoutingKey != null) {
            headers.remove("CC");
        }
        BasicProperties copy = original.withHeaders(FieldTable.of(headers)).withExpiration(null);
        List<String> cycles = reason.equals(REJECTED) ? List.of() : cycleQueues(deaths);
        return new DeadLetterCopy(copy, deadLetterRoutingKey != null ? deadLetterRoutingKey : routingKey, cycles);
    }

    /**
     * RabbitMQ's cycle rule: entering queue Q closes a cycle when Q is in the deaths (newest first) and neither
     * the deaths before Q's nor Q's own is a rejection; anything there that is not a table was put there by a
     * client, so that cycle is not fully automatic.
     */
    private static List<String> cycleQueues(List<FieldValue> deaths) {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (FieldValue death : deaths) {
            if (death instanceof FieldValue.Table t && t.value().get("queue") instanceof FieldValue.Text name) {
                names.add(name.value().asUtf8());
            }
        }
        List<String> cycles = new ArrayList<>();
        for (String name : names) {
            boolean automatic = true;
            for (FieldValue death : deaths) {
                if (!(death instanceof FieldValue.Table t) || is(t.value(), "reason", REJECTED)) {
                    automatic = false;
                    break;
                }
                if (is(t.value(), "queue", name)) {
                    break;
                }
            }
            if (automatic) {
                cycles.add(name);
            }
        }
        return cycles;
    }

    private static boolean is(FieldTable table, String field, String text) {
        return table.get(field) instanceof FieldValue.Text value && value.value().asUtf8().equals(text);
    }

    /** The entry with its count one higher; its time, exchange and routing keys stay those of its first death. */
    private static FieldTable countedUp(FieldTable death) {
        FieldTable.Builder counted = FieldTable.builder();
        death.entries().forEach((name, value) -> counted.put(name,
                name.equals("count") ? new FieldValue.Int64(count(value) + 1) : value));
        if (death.get("count") == null) {
            counted.put("count", new FieldValue.Int64(1));
        }
        return counted.build();
    }

    private static long count(FieldValue value) {
        return switch (value) {
            case FieldValue.Int64 v -> v.value();
            case FieldValue.Int32 v -> v.value();
            case FieldValue.Int16 v -> v.value();
            case FieldValue.Int8 v -> v.value();
            default -> 0;
        };
    }

    private static FieldTable sorted(FieldTable table) {
        return FieldTable.of(new TreeMap<>(table.entries()));
    }
}
