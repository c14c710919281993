package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;

import io.warren.proto.Reply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random but valid AMQP traffic against a {@link CoreDriver}, with a small reference model of what each
 * queue holds (ready plus unacknowledged). Operations are weighted: publish to a direct or a fanout
 * exchange, get with or without ack, consume and cancel with prefetch, ack, nack, reject, recover,
 * channel close, purge, and a node restart (new epoch). The model is checked after every operation.
 * Two queues have length limits: q1 is a quorum reject-publish queue, q2 drops its oldest (drop-head);
 * q1 also has a delivery limit, so a message that comes back to it more than once is dropped.
 * Time passes too: the clock moves and the leader ticks; q3 has a message TTL (and a single active
 * consumer), and messages published
 * straight to q0 or q3 may carry an expiration. The model cannot say at which command the core looks at a
 * head, so it checks bounds: a message the core no longer holds must have expired or been settled, none
 * is delivered expired, and after a tick no head is expired. q0's rejected and expired messages and q2's dropped
 * ones are dead-lettered into dlq; now and then the driver answers the dead-letter effects as the leader would,
 * and each must then be in dlq, once. A policy set and cleared now and then caps q4 (drop-head). Publishes carry
 * a random priority property (or none); q5 has x-max-priority and drops its head past a length, and every
 * message it gives out, to a get or a consumer, must be its highest-level oldest ready one. A second channel
 * is transactional: what it publishes is in no queue until a commit puts all of it in at once, and a rollback
 * or a node restart drops it.
 */
final class RandomWorkload {
    static final List<String> QUEUES = List.of("q0", "q1", "q2", "q3", "q4", "q5");
    /** q5's x-max-priority: a message of a higher priority property is kept at this level. */
    private static final int Q5_MAX_PRIORITY = 2;
    /** q5 drops its next message out (drop-head) past this many ready. */
    private static final int Q5_LIMIT = 4;
    /** q5's level of each message published to it. */
    private final Map<String, Integer> q5Levels = new HashMap<>();
    /** q4 has no arguments; a policy now and then caps it at this many ready messages (drop-head). */
    private static final int Q4_POLICY_LIMIT = 2;
    private boolean q4Capped;
    /**
     * Where q0's rejected and expired messages and q2's dropped ones go (dead-lettering): the model holds them as
     * pending until the driver answers the dead-letter effects as the leader would, then in DLQ.
     */
    static final String DLQ = "dlq";
    private final List<String> deadLettered = new ArrayList<>();
    /** The queues whose messages may expire (no limits: what a limit drops would blur what expired). */
    private static final List<String> EXPIRING = List.of("q0", "q3");
    private static final int Q3_TTL = 40;
    /** Per queue and body: when it expires, for the messages that do. */
    private final Map<String, Long> expiresAt = new HashMap<>();
    /** q1 is a quorum reject-publish queue of at most this many ready messages. */
    private static final int Q1_LIMIT = 4;
    /** q2 drops its oldest ready messages past this many (drop-head). */
    private static final int Q2_LIMIT = 3;
    /** q1 drops a message that came back more often than this. */
    private static final int Q1_DELIVERY_LIMIT = 1;
    /** How often each of q1's messages came back (nack or reject with requeue, recover, channel close). */
    private final Map<String, Integer> q1Returns = new HashMap<>();
    /** q1 past its limit and not yet back at its soft limit (80 %): it refuses publishes. */
    private boolean q1Refusing;
    private final Random random;
    private final CoreDriver driver;
    /** Per queue: the bodies it holds, ready or unacked. */
    final Map<String, List<String>> model = new HashMap<>();
    private final Map<Long, String[]> outstanding = new HashMap<>();
    private CoreDriver.Channel channel;
    private int seen;
    private int published;
    private int consumersStarted;
    private final List<String> consumerTags = new ArrayList<>();
    /** The transactional channel (made at its first publish), its ops numbered so far, and what it staged. */
    private CoreDriver.Channel txChannel;
    private long txOps;
    private final List<String[]> txStaged = new ArrayList<>();
    /** When each message entered its queues, in order: a committed one enters at the commit, not its publish. */
    private final Map<String, Integer> enqueueOrder = new HashMap<>();

    RandomWorkload(long seed, CoreDriver driver) {
        this.random = new Random(seed);
        this.driver = driver;
        for (String q : QUEUES) {
            model.put(q, new ArrayList<>());
        }
        model.put(DLQ, new ArrayList<>());
        channel = driver.connect().channel();
        channel.ok(declareQueue(DLQ, true, false, false));
        channel.ok(declareQueue("q0", true, false, false).setDeclareQueue(io.warren.proto.DeclareQueue.newBuilder()
                .setName("q0").setDurable(true).setArguments(table("x-dead-letter-exchange", "",
                        "x-dead-letter-routing-key", DLQ))));
        channel.ok(declareQueue("q1", true, false, false).setDeclareQueue(io.warren.proto.DeclareQueue.newBuilder()
                .setName("q1").setDurable(true).setArguments(table("x-queue-type", "quorum", "x-max-length", Q1_LIMIT,
                        "x-overflow", "reject-publish", "x-delivery-limit", Q1_DELIVERY_LIMIT))));
        channel.ok(declareQueue("q2", true, false, false).setDeclareQueue(io.warren.proto.DeclareQueue.newBuilder()
                .setName("q2").setDurable(true).setArguments(table("x-max-length", Q2_LIMIT,
                        "x-dead-letter-exchange", "dlx"))));
        channel.ok(declareQueue("q3", true, false, false).setDeclareQueue(io.warren.proto.DeclareQueue.newBuilder()
                .setName("q3").setDurable(true).setArguments(table("x-message-ttl", Q3_TTL, "x-single-active-consumer", true))));
        channel.ok(declareQueue("q4", true, false, false));
        channel.ok(declareWith("q5", "x-max-priority", Q5_MAX_PRIORITY, "x-max-length", Q5_LIMIT));
        channel.ok(declareExchange("x", "direct", true, false));
        channel.ok(declareExchange("f", "fanout", true, false));
        channel.ok(declareExchange("dlx", "fanout", true, false));
        channel.ok(bind(DLQ, "dlx", ""));
        channel.ok(bind("q0", "x", "a"));
        channel.ok(bind("q1", "x", "b"));
        for (String q : QUEUES) {
            channel.ok(bind(q, "f", ""));
        }
    }

    void step() {
        int roll = random.nextInt(100);
        if (roll < 31) {
            publish();
        } else if (roll < 33) {
            publishInTransaction();
        } else if (roll < 35) {
            endTransaction(random.nextInt(3) > 0);
        } else if (roll < 50) {
            get();
        } else if (roll < 60) {
            settleOne();
        } else if (roll < 68) {
            consume();
        } else if (roll < 73) {
            cancel();
        } else if (roll < 78) {
            channel.ok(recover());
            returnAll();
        } else if (roll < 83) {
            closeChannel();
        } else if (roll < 86) {
            String q = pick(QUEUES);
            Reply purged = channel.ok(purge(q));
            int ready = purged.getMessageCount().getMessageCount();
            // Purge drops ready messages only; the model cannot tell which, so it re-syncs by count below.
            dropReady(q, ready);
        } else if (roll < 88) {
            restartNode();
        } else if (roll < 91) {
            channel.ok(qos(random.nextInt(3), random.nextBoolean()));
        } else if (roll < 93) {
            togglePolicy();
        } else if (roll < 95) {
            driver.clockMs += 1 + random.nextInt(40);
        } else if (roll < 97) {
            forwardDeadLetters();
        } else {
            driver.tick();
            absorbDeliveries();
            forgetExpired();
            for (String q : EXPIRING) {
                long head = driver.core.state().vhosts.get("/").queues.get(q).ready.headExpiresAt();
                check(!MessageExpiry.expired(head, driver.clockMs), "after a tick, " + q + "'s head has expired");
            }
        }
        absorbDeliveries();
        forgetExpired();
        applyLimits();
    }

    /** Messages the core dropped from q0 and q3 leave the model, each checked to have expired. */
    private void forgetExpired() {
        for (String q : EXPIRING) {
            List<String> held = new ArrayList<>();
            QueueState queue = driver.core.state().vhosts.get("/").queues.get(q);
            queue.ready.forEach(entry -> held.add(driver.body(entry.key())));
            for (ChannelState c : driver.core.state().channels.values()) {
                c.unacked.values().stream().filter(u -> u.queue() == queue)
                        .forEach(u -> held.add(driver.body(u.entry().key())));
            }
            for (String body : new ArrayList<>(model.get(q))) {
                if (!held.contains(body)) {
                    check(expired(q, body), q + " dropped " + body + ", which had not expired");
                    model.get(q).remove(body);
                    died(q, body);
                }
            }
        }
    }

    private boolean expired(String q, String body) {
        Long at = expiresAt.get(q + "/" + body);
        return at != null && MessageExpiry.expired(at, driver.clockMs);
    }

    /** Publishes straight to q0 or q3 (the default exchange), with an expiration half of the time. */
    private void publishExpiring() {
        String body = "m" + (published++);
        String q = pick(EXPIRING);
        var command = CommandFixtures.publish("", q, body, false, 0);
        long messageTtl = -1;
        if (random.nextBoolean()) {
            messageTtl = random.nextInt(60);
            command.getPublishBuilder().setExpiration(Long.toString(messageTtl));
        }
        channel.send(command);
        model.get(q).add(body);
        enqueueOrder.put(body, enqueueOrder.size());
        long at = MessageExpiry.expiresAt(driver.clockMs, q.equals("q3") ? Q3_TTL : -1, messageTtl);
        if (at != MessageExpiry.NEVER) {
            expiresAt.put(q + "/" + body, at);
        }
    }

    private void publish() {
        if (random.nextInt(3) == 0) {
            publishExpiring();
            return;
        }
        String body = "m" + (published++);
        if (random.nextBoolean()) {
            String key = pick(List.of("a", "b", "c"));
            channel.send(withPriority(CommandFixtures.publish("x", key, body, false, 0), body));
            enqueueOrder.put(body, enqueueOrder.size());
            if (key.equals("a")) {
                model.get("q0").add(body);
            } else if (key.equals("b") && !q1Refusing) {
                model.get("q1").add(body);
            }
        } else {
            channel.send(withPriority(CommandFixtures.publish("f", "", body, false, 0), body));
            enqueueOrder.put(body, enqueueOrder.size());
            for (String q : QUEUES) {
                if (!q.equals("q1") || !q1Refusing) {
                    model.get(q).add(body);
                }
            }
            expiresAt.put("q3/" + body, driver.clockMs + Q3_TTL);
        }
    }

    /** A priority property from 0 to 4, or none, on a publish; q5 keeps what is above its maximum at it. */
    private io.warren.proto.Command.Builder withPriority(io.warren.proto.Command.Builder command, String body) {
        int priority = random.nextInt(6) - 1;
        if (priority >= 0) {
            command.getPublishBuilder().setPriority(priority);
        }
        q5Levels.put(body, Math.min(Math.max(priority, 0), Q5_MAX_PRIORITY));
        return command;
    }

    /** q5 gives out its highest-level oldest ready message: anything else is out of turn. */
    private void checkNextOfQ5(String body) {
        List<String> ready = ready("q5");
        check(!ready.isEmpty() && ready.get(0).equals(body), "q5 gave out " + body + " but its next is " + ready);
    }

    /** A publish on the transactional channel, to the direct or the fanout exchange: staged, in no queue yet. */
    private void publishInTransaction() {
        if (txChannel == null) {
            txChannel = driver.connect().channel();
            txOps = 0;
        }
        String body = "m" + (published++);
        String key = random.nextBoolean() ? pick(List.of("a", "b", "c")) : null;
        var command = withPriority(CommandFixtures.publish(key == null ? "f" : "x", key == null ? "" : key, body, false, 0),
                body);
        command.getPublishBuilder().setTxOp(++txOps);
        txChannel.send(command);
        txStaged.add(new String[] {key == null ? "" : key, body});
    }

    /** A commit puts every staged message where it was routed, all in one entry; a rollback drops them. */
    private void endTransaction(boolean commit) {
        if (txChannel == null) {
            return;
        }
        var end = io.warren.proto.Command.newBuilder();
        if (commit) {
            end.setTxCommit(io.warren.proto.TxCommit.newBuilder().setThrough(txOps));
        } else {
            end.setTxRollback(io.warren.proto.TxRollback.newBuilder().setThrough(txOps));
        }
        check(txChannel.ok(end).hasDone(), "the transaction's end is answered at once");
        if (commit) {
            boolean q1Took = !q1Refusing; // the limit is applied once the commit's messages are all in
            for (String[] staged : txStaged) {
                String key = staged[0];
                String body = staged[1];
                enqueueOrder.put(body, enqueueOrder.size());
                if (key.isEmpty()) {
                    for (String q : QUEUES) {
                        if (!q.equals("q1") || q1Took) {
                            model.get(q).add(body);
                        }
                    }
                    expiresAt.put("q3/" + body, driver.clockMs + Q3_TTL);
                } else if (key.equals("a")) {
                    model.get("q0").add(body);
                } else if (key.equals("b") && q1Took) {
                    model.get("q1").add(body);
                }
            }
        }
        txStaged.clear();
    }

    /** The ready messages the model holds for a queue (all but the deliveries out), in delivery order. */
    private List<String> ready(String q) {
        List<String> ready = new ArrayList<>(model.get(q));
        for (String[] delivery : outstanding.values()) {
            if (delivery[0].equals(q)) {
                ready.remove(delivery[1]);
            }
        }
        java.util.Comparator<String> byId = java.util.Comparator.comparingInt(enqueueOrder::get);
        ready.sort(q.equals("q5") ? java.util.Comparator.<String>comparingInt(body -> -q5Levels.get(body)).thenComparing(byId)
                : byId);
        return ready;
    }

    /** The queues' length limits after a step, as the core applies them after each command (QueueLimits). */
    private void applyLimits() {
        List<String> q2 = ready("q2");
        for (int i = 0; i < q2.size() - Q2_LIMIT; i++) {
            model.get("q2").remove(q2.get(i));
            died("q2", q2.get(i));
        }
        List<String> q5 = ready("q5");
        for (int i = 0; i < q5.size() - Q5_LIMIT; i++) {
            model.get("q5").remove(q5.get(i)); // the next out goes first, as RabbitMQ 3.10 drops it
        }
        if (q4Capped) {
            List<String> q4 = ready("q4");
            for (int i = 0; i < q4.size() - Q4_POLICY_LIMIT; i++) {
                model.get("q4").remove(q4.get(i));
            }
        }
        int q1 = ready("q1").size();
        if (q1 > Q1_LIMIT) {
            q1Refusing = true;
        } else if (q1 <= (int) (Q1_LIMIT * 0.8)) {
            q1Refusing = false;
        }
    }

    private void get() {
        String q = pick(QUEUES);
        boolean noAck = random.nextBoolean();
        Reply reply = channel.ok(Commands.get(q, noAck));
        if (reply.hasGotMessage()) {
            String body = driver.body(reply.getGotMessage().getMessageKey());
            check(model.get(q).contains(body), "got " + body + " that " + q + " does not hold");
            check(!expired(q, body), "got " + body + " from " + q + " after it expired");
            if (q.equals("q5")) {
                checkNextOfQ5(body);
            }
            if (noAck) {
                model.get(q).remove(body);
            } else {
                outstanding.put(reply.getGotMessage().getDeliveryTag(), new String[] {q, body});
            }
        }
    }

    private void settleOne() {
        if (outstanding.isEmpty()) {
            return;
        }
        List<Long> tags = new ArrayList<>(outstanding.keySet());
        tags.sort(Long::compare);
        long tag = tags.get(random.nextInt(tags.size()));
        String[] delivery = outstanding.remove(tag);
        switch (random.nextInt(3)) {
            case 0 -> {
                channel.send(ack(tag, false));
                model.get(delivery[0]).remove(delivery[1]);
            }
            case 1 -> {
                channel.send(nack(tag, false, true));
                returned(delivery);
            }
            default -> {
                channel.send(reject(tag, false));
                model.get(delivery[0]).remove(delivery[1]);
                died(delivery[0], delivery[1]);
            }
        }
    }

    /** Sets or clears the policy that caps q4: applied at once, to what q4 holds already. */
    private void togglePolicy() {
        List<String> q5 = ready("q5");
        for (int i = 0; i < q5.size() - Q5_LIMIT; i++) {
            model.get("q5").remove(q5.get(i)); // the next out goes first, as RabbitMQ 3.10 drops it
        }
        if (q4Capped) {
            check(driver.call("n1", io.warren.proto.Command.newBuilder().setClearPolicy(io.warren.proto.ClearPolicy
                    .newBuilder().setVhost("/").setName("cap"))).hasDone(), "clear_policy refused");
        } else {
            check(driver.call("n1", io.warren.proto.Command.newBuilder().setSetPolicy(io.warren.proto.SetPolicy
                    .newBuilder().setVhost("/").setName("cap").setPattern("^q4$").setApplyTo("queues")
                    .setDefinition(table("max-length", Q4_POLICY_LIMIT)))).hasDone(), "set_policy refused");
        }
        q4Capped = !q4Capped;
    }

    /** A message left q0 or q2 other than by ack, purge or delete: it is a dead letter now. */
    private void died(String q, String body) {
        if (q.equals("q0") || q.equals("q2")) {
            deadLettered.add(body);
        }
    }

    /** The leader answers the dead-letter effects: every pending one is in the DLQ after, none before. */
    private void forwardDeadLetters() {
        check(driver.core.state().deadLetters.size() == deadLettered.size(), "the core has "
                + driver.core.state().deadLetters.size() + " dead letters pending, the model " + deadLettered);
        driver.forwardDeadLetters();
        model.get(DLQ).addAll(deadLettered);
        deadLettered.clear();
        Reply got = channel.ok(Commands.get(DLQ, true));
        if (got.hasGotMessage()) {
            String body = driver.body(got.getGotMessage().getMessageKey());
            check(model.get(DLQ).remove(body), "got " + body + " from the DLQ, which the model did not send there");
        }
    }

    private void consume() {
        String tag = "c" + (consumersStarted++);
        boolean noAck = random.nextInt(4) == 0;
        // Some consumers have an x-priority: the queue serves the highest with credit first.
        int priority = random.nextInt(3);
        channel.ok(priority == 0 ? Commands.consume(pick(QUEUES), tag, noAck)
                : Commands.consume(pick(QUEUES), tag, noAck, table("x-priority", priority * 5)));
        consumerTags.add(tag);
    }

    private void cancel() {
        if (!consumerTags.isEmpty()) {
            channel.ok(Commands.cancel(consumerTags.remove(random.nextInt(consumerTags.size()))));
        }
    }

    private void closeChannel() {
        channel.ok(Commands.closeChannel());
        returnAll();
        consumerTags.clear();
        channel = driver.connect().channel();
    }

    private void restartNode() {
        driver.register("n1");
        txChannel = null; // its connection ended with the epoch: what it staged is dropped
        txStaged.clear();
        returnAll();
        consumerTags.clear();
        seen = driver.effects.size();
        channel = driver.connect().channel();
    }

    /** Every delivery out comes back: recover, a closed channel, a restarted node. */
    private void returnAll() {
        outstanding.values().forEach(this::returned);
        outstanding.clear();
    }

    /** A delivery back in its queue; in q1, past the delivery limit, it is dropped instead. */
    private void returned(String[] delivery) {
        if (delivery[0].equals("q1") && q1Returns.merge(delivery[1], 1, Integer::sum) > Q1_DELIVERY_LIMIT) {
            model.get("q1").remove(delivery[1]);
        }
    }

    /** Deliveries to consumers: no-ack ones leave the model now, the others wait for a settle. */
    private void absorbDeliveries() {
        for (; seen < driver.effects.size(); seen++) {
            if (driver.effects.get(seen) instanceof Effect.Deliver d && d.channel().equals(channel.ref)) {
                var consumer = driver.core.state().channels.get(ChannelKey.of(d.channel())).consumers.get(d.consumerTag());
                String q = consumer.queue.name;
                String body = driver.body(d.messageKey());
                check(model.get(q).contains(body), "delivered " + body + " that " + q + " does not hold");
                check(!expired(q, body), "delivered " + body + " from " + q + " after it expired");
                if (q.equals("q5")) {
                    checkNextOfQ5(body);
                }
                if (consumer.noAck) {
                    model.get(q).remove(body);
                } else {
                    outstanding.put(d.deliveryTag(), new String[] {q, body});
                }
            }
        }
    }

    private void dropReady(String q, int count) {
        List<String> held = new ArrayList<>();
        for (String[] delivery : outstanding.values()) {
            if (delivery[0].equals(q)) {
                held.add(delivery[1]);
            }
        }
        List<String> ready = new ArrayList<>(model.get(q));
        for (String body : held) {
            ready.remove(body);
        }
        check(ready.size() == count, "purge of " + q + " removed " + count + ", model had " + ready.size() + " ready");
        model.get(q).clear();
        model.get(q).addAll(held);
    }

    /** Checks the invariant: each queue holds exactly what the model says, counted as ready plus unacked. */
    void checkInvariants() {
        driver.checkNoStoredMessageLeaks();
        for (var view : driver.core.queries().queues("/")) {
            int held = view.messagesReady() + view.messagesUnacknowledged();
            check(held == model.get(view.name()).size(), view.name() + " holds " + held + ", model says "
                    + model.get(view.name()).size());
        }
    }

    private <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

    private static void check(boolean condition, String problem) {
        if (!condition) {
            throw new AssertionError(problem);
        }
    }
}
