package io.warren.raft.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A transactional channel's staged work (tx.select, docs/transactions.md). The node numbers each publish and
 * settle it sends on the channel; each is checked when applied, as RabbitMQ checks it at the method, and
 * staged here under its number. A commit or rollback names the last number it covers and waits until every
 * number up to it is staged (a resent batch may be applied after a later one), then takes them all at once.
 */
final class Transaction {
    /** A publish or settle checked and waiting for the end of its transaction. */
    sealed interface Op permits StagedPublish, StagedSettle {}

    /** A publish, routed when applied to {@code queues} (names), its message held under {@code key}. */
    record StagedPublish(io.warren.proto.Publish publish, long key, List<String> queues) implements Op {}

    /** An ack ({@code ack}), a nack or reject with requeue ({@code requeue}) or without, of these tags. */
    record StagedSettle(List<Long> tags, boolean ack, boolean requeue) implements Op {}

    /** A commit or rollback waiting for its ops, and who waits for its answer. */
    record End(long through, boolean commit, String node, long epoch, long request) {}

    /** Staged ops by number. */
    final TreeMap<Long, Op> staged = new TreeMap<>();
    final ArrayDeque<End> pending = new ArrayDeque<>();
    /** The last number an end took: every op up to it is settled one way or the other. */
    long endedThrough;
    /** Delivery tags a staged settle names: named again, they are unknown, as in RabbitMQ. */
    final TreeSet<Long> settling = new TreeSet<>();

    /** False for an op of a transaction that already ended (the node never sends one; it is dropped). */
    boolean stage(long number, Op op) {
        if (number <= endedThrough || staged.containsKey(number)) {
            return false;
        }
        staged.put(number, op);
        if (op instanceof StagedSettle settle) {
            settling.addAll(settle.tags());
        }
        return true;
    }

    /** The last number any end names so far; a later end may not name less. */
    long lastEndThrough() {
        End last = pending.peekLast();
        return last == null ? endedThrough : last.through();
    }

    /** The first waiting end once every op it covers is staged; null while one is missing, or none waits. */
    End ready() {
        End head = pending.peekFirst();
        if (head == null) {
            return null;
        }
        int staged = this.staged.headMap(head.through(), true).size();
        return staged == head.through() - endedThrough ? head : null;
    }

    /** Ends the first waiting end: its ops, in number order. */
    List<Op> take() {
        End end = pending.removeFirst();
        var covered = staged.headMap(end.through(), true);
        List<Op> ops = new ArrayList<>(covered.values());
        covered.clear();
        endedThrough = end.through();
        for (Op op : ops) {
            if (op instanceof StagedSettle settle) {
                settle.tags().forEach(settling::remove);
            }
        }
        return ops;
    }

    /** A rolled-back or abandoned op: a staged publish lets its message go; a staged settle is forgotten. */
    static void drop(Op op, MessageReferences references, ApplyContext ctx) {
        if (op instanceof StagedPublish publish) {
            references.release(publish.key(), ctx);
        }
    }

    /** A channel ending with its transaction: everything staged is dropped, as by a rollback. */
    void dropAll(MessageReferences references, ApplyContext ctx) {
        staged.values().forEach(op -> drop(op, references, ctx));
        staged.clear();
        pending.clear();
        settling.clear();
    }

    /** The messages its staged publishes hold, each once. */
    void forEachHeldKey(java.util.function.LongConsumer action) {
        for (Op op : staged.values()) {
            if (op instanceof StagedPublish publish) {
                action.accept(publish.key());
            }
        }
    }

    /** Writes this transaction into its channel's snapshot record. */
    void write(io.warren.proto.ChannelRecord.Builder record) {
        record.setTxEndedThrough(endedThrough);
        staged.forEach((number, op) -> {
            var written = io.warren.proto.StagedTxOp.newBuilder().setNumber(number);
            if (op instanceof StagedPublish publish) {
                written.setPublish(io.warren.proto.StagedPublish.newBuilder().setPublish(publish.publish())
                        .setKey(publish.key()).addAllQueues(publish.queues()));
            } else if (op instanceof StagedSettle settle) {
                written.setSettle(io.warren.proto.StagedSettle.newBuilder().addAllTags(settle.tags())
                        .setAck(settle.ack()).setRequeue(settle.requeue()));
            }
            record.addTxStaged(written);
        });
        for (End end : pending) {
            record.addTxPending(io.warren.proto.PendingTxEnd.newBuilder().setThrough(end.through())
                    .setCommit(end.commit()).setNode(end.node()).setEpoch(end.epoch()).setRequest(end.request()));
        }
    }

    /** The transaction a snapshot's channel record holds; {@code held} is told each message it holds. */
    static Transaction read(io.warren.proto.ChannelRecord record, java.util.function.LongConsumer held) {
        Transaction tx = new Transaction();
        tx.endedThrough = record.getTxEndedThrough();
        for (var written : record.getTxStagedList()) {
            if (written.hasPublish()) {
                var publish = written.getPublish();
                tx.stage(written.getNumber(), new StagedPublish(publish.getPublish(), publish.getKey(),
                        List.copyOf(publish.getQueuesList())));
                held.accept(publish.getKey());
            } else {
                var settle = written.getSettle();
                tx.stage(written.getNumber(), new StagedSettle(List.copyOf(settle.getTagsList()), settle.getAck(),
                        settle.getRequeue()));
            }
        }
        for (var end : record.getTxPendingList()) {
            tx.pending.addLast(new End(end.getThrough(), end.getCommit(), end.getNode(), end.getEpoch(),
                    end.getRequest()));
        }
        return tx;
    }
}
