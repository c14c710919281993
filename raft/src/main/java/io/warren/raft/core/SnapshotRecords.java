package io.warren.raft.core;

import io.warren.proto.ChannelRecord;
import io.warren.proto.ConnectionRecord;
import io.warren.proto.ConsumerRecord;
import io.warren.proto.ExchangeRecord;
import io.warren.proto.MessageRecord;
import io.warren.proto.NodeRecord;
import io.warren.proto.PermissionRecord;
import io.warren.proto.TopicPermissionRecord;
import io.warren.proto.QueueRecord;
import io.warren.proto.SnapshotFooter;
import io.warren.proto.SnapshotHeader;
import io.warren.proto.SnapshotRecord;
import io.warren.proto.UnackedRecord;
import io.warren.proto.UserRecord;
import io.warren.proto.VhostRecord;
import java.util.function.Consumer;

/**
 * Turns the whole state into the record stream of snapshot.proto, in its fixed order. The core only
 * produces records; the adapter writes them to disk. Two states built by the same log give the same
 * records, hence the same snapshot bytes (checked by the determinism test).
 *
 * <p>{@link #freeze} takes a consistent view on the apply thread in time that grows with the metadata,
 * not with the backlog: every record but the ready messages is built there, and each queue's ready
 * messages are captured as a view of blocks that applying later entries never overwrites. The view is
 * written out on another thread while entries go on being applied.
 */
public final class SnapshotRecords {
    public static final int FORMAT = 3;
    private static final int BLOCK_MESSAGES = 4096;

    private SnapshotRecords() {}

    public static void write(BrokerCore core, Consumer<SnapshotRecord> sink) {
        freeze(core).write(sink);
    }

    /**
     * Ready, unacked, staged (transactions), dead-letter and delayed message references: the keys a loader reads,
     * counted to size one array.
     */
    static long heldMessages(BrokerState state) {
        long[] held = {0};
        for (VhostState vhost : state.vhosts.values()) {
            for (QueueState queue : vhost.queues.values()) {
                held[0] += queue.ready.size();
            }
        }
        for (ChannelState channel : state.channels.values()) {
            held[0] += channel.unacked.size();
            if (channel.tx != null) {
                channel.tx.forEachHeldKey(key -> held[0]++);
            }
        }
        return held[0] + state.deadLetters.size() + state.delayed.size();
    }

    /** The state as it is now, to be written later, from any thread, once. */
    public static Frozen freeze(BrokerCore core) {
        Frozen out = new Frozen();
        BrokerState state = core.state();
        out.accept(SnapshotRecord.newBuilder().setHeader(SnapshotHeader.newBuilder().setFormat(FORMAT)
                .setAppliedIndex(state.appliedIndex).setAppliedTerm(state.appliedTerm)
                .setNextQueueIncarnation(state.nextQueueIncarnation).setNextConsumerId(state.nextConsumerId)
                .setClockMs(state.clockMs).setNextDeadLetterId(state.deadLetters.nextId)
                .setNextDelayedId(state.delayed.nextId)
                .setHeldMessages(heldMessages(state))).build());
        for (var node : state.nodes.values()) {
            out.accept(SnapshotRecord.newBuilder().setNode(NodeRecord.newBuilder().setNode(node.node)
                    .setEpoch(node.epoch).setLastSequence(node.lastSequence).setDown(node.down)
                    .addAllAppliedAbove(node.appliedAbove).setIncarnation(node.incarnation)
                    .setMemoryAlarm(node.memoryAlarm).setDiskAlarm(node.diskAlarm)
                    .setConsumerTimeoutMs(node.consumerTimeoutMs)).build());
        }
        for (var user : state.access.users.values()) {
            out.accept(SnapshotRecord.newBuilder().setUser(UserRecord.newBuilder().setName(user.name())
                    .setPasswordHash(user.passwordHash()).addAllTags(user.tags())).build());
        }
        for (String vhost : state.vhosts.keySet()) {
            out.accept(SnapshotRecord.newBuilder().setVhost(VhostRecord.newBuilder().setName(vhost)).build());
        }
        for (var p : state.access.permissions.values()) {
            out.accept(SnapshotRecord.newBuilder().setPermission(PermissionRecord.newBuilder().setUser(p.user())
                    .setVhost(p.vhost()).setConfigure(p.configure()).setWrite(p.write()).setRead(p.read())).build());
        }
        for (var p : state.access.topicPermissions.values()) {
            out.accept(SnapshotRecord.newBuilder().setTopicPermission(TopicPermissionRecord.newBuilder()
                    .setPermission(p.toProto())).build());
        }
        for (VhostState vhost : state.vhosts.values()) {
            for (var policies : java.util.List.of(vhost.policies, vhost.operatorPolicies)) {
                for (Policy policy : policies.values()) {
                    out.accept(SnapshotRecord.newBuilder().setPolicy(io.warren.proto.PolicyRecord.newBuilder()
                            .setPolicy(policy.toProto())).build());
                }
            }
        }
        for (var connection : state.connections.values()) {
            out.accept(SnapshotRecord.newBuilder().setConnection(ConnectionRecord.newBuilder()
                    .setConnection(connection.opened).setFailed(connection.failed)).build());
        }
        for (var channel : state.channels.values()) {
            var record = ChannelRecord.newBuilder().setChannel(channel.ref)
                    .setConsumerPrefetch(channel.consumerPrefetch).setGlobalPrefetch(channel.globalPrefetch)
                    .setNextDeliveryTag(channel.nextDeliveryTag).setFailed(channel.failed)
                    .setReplyConsumerTag(channel.replyConsumerTag == null ? "" : channel.replyConsumerTag)
                    .setReplyKey(channel.replyKey == null ? "" : channel.replyKey);
            if (channel.tx != null) {
                channel.tx.write(record);
            }
            out.accept(SnapshotRecord.newBuilder().setChannel(record).build());
        }
        writeVhosts(state, out);
        writeConsumersAndUnacked(state, out);
        for (DeadLetters.Pending p : state.deadLetters.all()) {
            var record = io.warren.proto.DeadLetterRecord.newBuilder().setId(p.id).setVhost(p.vhost)
                    .setQueue(p.queue).setQueueIncarnation(p.incarnation).setKey(p.key).setBodySize(p.bodySize)
                    .setPersistent(p.persistent).setReason(p.reason.wireName).setExchange(p.exchange)
                    .setAtLeastOnce(p.atLeastOnce).setDiedAtMs(p.diedAtMs).setRetryAtMs(p.retryAtMs);
            if (p.routingKey != null) {
                record.setRoutingKey(p.routingKey);
            }
            out.accept(SnapshotRecord.newBuilder().setDeadLetter(record).build());
        }
        for (DelayedMessages.Delayed d : state.delayed.all()) {
            out.accept(SnapshotRecord.newBuilder().setDelayed(io.warren.proto.DelayedRecord.newBuilder()
                    .setId(d.id()).setVhost(d.vhost()).setExchange(d.exchange()).setPublish(d.publish())
                    .setKey(d.key()).setDueAtMs(d.dueAtMs())).build());
        }
        return out;
    }

    private static void writeVhosts(BrokerState state, Frozen out) {
        for (VhostState vhost : state.vhosts.values()) {
            for (ExchangeState x : vhost.exchanges.values()) {
                out.accept(SnapshotRecord.newBuilder().setExchange(ExchangeRecord.newBuilder().setVhost(vhost.name)
                        .setName(x.name).setType(x.type.wireName).setDurable(x.durable).setAutoDelete(x.autoDelete)
                        .setInternal(x.internal).setArguments(x.arguments).setHomeNode(x.homeNode)).build());
            }
            for (QueueState q : vhost.queues.values()) {
                QueueRecord.Builder record = QueueRecord.newBuilder().setVhost(vhost.name).setName(q.name)
                        .setIncarnation(q.incarnation).setDurable(q.durable).setAutoDelete(q.autoDelete)
                        .setArguments(q.arguments).setHomeNode(q.homeNode).setNextMessageId(q.nextMessageId)
                        .setHadConsumers(q.hadConsumers).setNextConsumerIndex(q.nextConsumerIndex)
                        .setRejectingPublishes(q.rejectingPublishes).setLastUsedMs(q.lastUsedMs);
                if (q.exclusiveOwner != null) {
                    record.setExclusiveOwner(q.exclusiveOwner.toRef());
                }
                out.accept(SnapshotRecord.newBuilder().setQueue(record).build());
                out.parts.add(q.ready.freeze());
            }
            for (ExchangeState x : vhost.exchanges.values()) {
                for (Binding b : x.bindings) {
                    out.accept(SnapshotRecord.newBuilder().setBinding(io.warren.proto.BindingRecord.newBuilder()
                            .setVhost(vhost.name).setSource(b.source()).setDestination(b.destination())
                            .setDestinationIsQueue(b.destinationIsQueue()).setRoutingKey(b.routingKey())
                            .setArguments(b.arguments())).build());
                }
            }
        }
    }

    private static void writeConsumersAndUnacked(BrokerState state, Frozen out) {
        for (ChannelState channel : state.channels.values()) {
            for (ConsumerState c : channel.consumers.values()) {
                out.accept(SnapshotRecord.newBuilder().setConsumer(ConsumerRecord.newBuilder()
                        .setChannel(channel.ref).setConsumerTag(c.tag).setVhost(c.queue.vhost).setQueue(c.queue.name)
                        .setNoAck(c.noAck).setExclusive(c.exclusive).setPrefetch(c.prefetch).setUnacked(c.unacked)
                        .setArguments(c.arguments).setConsumerId(c.id)
                        .setQueuePosition(c.queue.consumers.indexOf(c)).setCreditLimited(c.creditLimited)
                        .setCredit((int) Math.max(0, c.credit))).build());
            }
        }
        for (ChannelState channel : state.channels.values()) {
            for (ChannelState.Unacked u : channel.unacked.values()) {
                UnackedRecord.Builder record = UnackedRecord.newBuilder().setChannel(channel.ref)
                        .setDeliveryTag(u.deliveryTag()).setVhost(u.queue().vhost).setQueue(u.queue().name)
                        .setQueueIncarnation(u.queue().incarnation).setMessage(message(u.entry()))
                        .setDeliveredAtMs(u.deliveredAtMs());
                if (u.consumer() != null) {
                    record.setConsumerTag(u.consumer().tag).setConsumerId(u.consumer().id);
                }
                out.accept(SnapshotRecord.newBuilder().setUnacked(record).build());
            }
        }
    }

    static MessageRecord message(QueueEntry entry) {
        var record = MessageRecord.newBuilder().setId(entry.id()).setDeliveryCount(entry.deliveryCount())
                .setKey(entry.key()).setSize(entry.size()).setPersistent(entry.persistent())
                .setPriority(entry.priority());
        if (entry.expires()) {
            record.setExpiresAt(entry.expiresAt());
        }
        return record.build();
    }

    /**
     * A queue's ready messages as MessageBlocks of up to {@value #BLOCK_MESSAGES}; a block's expiry column is
     * written only when one of its messages has a TTL, its priority column only when one is above level 0.
     */
    private static void writeBlocks(ReadyMessages.Frozen ready, Consumer<SnapshotRecord> out) {
        io.warren.proto.MessageBlock.Builder[] block = {io.warren.proto.MessageBlock.newBuilder()};
        ready.forEach(entry -> {
            var b = block[0];
            b.addId(entry.id()).addKey(entry.key()).addSize(entry.size())
                    .addDeliveryCount(entry.deliveryCount()).addPersistent(entry.persistent());
            if (entry.expires() || b.getExpiresAtCount() > 0) {
                while (b.getExpiresAtCount() < b.getIdCount() - 1) {
                    b.addExpiresAt(MessageExpiry.NEVER); // the column starts at the block's first TTL
                }
                b.addExpiresAt(entry.expiresAt());
            }
            if (entry.priority() != 0 || b.getPriorityCount() > 0) {
                while (b.getPriorityCount() < b.getIdCount() - 1) {
                    b.addPriority(0); // the column starts at the block's first message above level 0
                }
                b.addPriority(entry.priority());
            }
            if (b.getIdCount() == BLOCK_MESSAGES) {
                out.accept(SnapshotRecord.newBuilder().setMessageBlock(b).build());
                block[0] = io.warren.proto.MessageBlock.newBuilder();
            }
        });
        if (block[0].getIdCount() > 0) {
            out.accept(SnapshotRecord.newBuilder().setMessageBlock(block[0]).build());
        }
    }

    /** A state captured by {@link #freeze}: records built, and views of ready messages to expand. */
    public static final class Frozen {
        private final java.util.List<Object> parts = new java.util.ArrayList<>();
        private boolean written;

        void accept(SnapshotRecord record) {
            parts.add(record);
        }

        /** Writes the records, footer last; once. */
        public synchronized void write(Consumer<SnapshotRecord> sink) {
            if (written) {
                throw new IllegalStateException("a frozen snapshot is written once");
            }
            written = true;
            long[] count = {0};
            Consumer<SnapshotRecord> counting = record -> {
                count[0]++;
                sink.accept(record);
            };
            for (Object part : parts) {
                if (part instanceof SnapshotRecord record) {
                    counting.accept(record);
                } else {
                    writeBlocks((ReadyMessages.Frozen) part, counting);
                }
            }
            sink.accept(SnapshotRecord.newBuilder().setFooter(SnapshotFooter.newBuilder().setRecordCount(count[0]))
                    .build());
            parts.clear();
        }
    }
}
