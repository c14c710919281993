package io.warren.raft.core;

import io.warren.proto.ConsumerRecord;
import io.warren.proto.MessageRecord;
import io.warren.proto.QueueRecord;
import io.warren.proto.SnapshotRecord;
import io.warren.proto.UnackedRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds a core from the record stream {@link SnapshotRecords} wrote. A stream that breaks the format
 * (no header, records out of order, a dangling reference, a wrong footer count) is refused with
 * {@link IllegalStateException}: a corrupt snapshot must stop the node, never load half a broker.
 */
public final class SnapshotLoader {
    private final BrokerState state = BrokerState.empty();
    private final Map<Long, ConsumerState> consumersById = new LinkedHashMap<>();
    private final Map<String, QueueState> deletedQueues = new LinkedHashMap<>();
    private final List<ConsumerRecord> consumerRecords = new ArrayList<>();
    /** Every message's key as it is read (ready, unacked, dead letters), to count the ones several queues hold. */
    private long[] heldKeys = new long[1024];
    private int heldCount;
    private QueueState lastQueue;
    private long count;

    private SnapshotLoader() {}

    /** A core rebuilt from a snapshot, with the keys of every message it holds, ascending, each once. */
    public record Loaded(BrokerCore core, long[] liveMessageKeys) {}

    public static BrokerCore load(Iterator<SnapshotRecord> records) {
        return read(records).core();
    }

    /**
     * Loads and hands over the live keys the loader sorted anyway (to count shared messages), so a start
     * with millions waiting sorts them once and holds one array of them, not several.
     */
    public static Loaded read(Iterator<SnapshotRecord> records) {
        return new SnapshotLoader().run(records);
    }

    private Loaded run(Iterator<SnapshotRecord> records) {
        check(records.hasNext() && records.next() instanceof SnapshotRecord first && header(first),
                "the first record is not a header of format " + SnapshotRecords.FORMAT);
        while (records.hasNext()) {
            SnapshotRecord record = records.next();
            if (record.hasFooter()) {
                check(record.getFooter().getRecordCount() == count, "footer counts "
                        + record.getFooter().getRecordCount() + " records, found " + count);
                check(!records.hasNext(), "records after the footer");
                finishConsumers();
                applyPolicies();
                state.references.restore(sharedKeys());
                long[] live = heldKeys.length == heldCount ? heldKeys : java.util.Arrays.copyOf(heldKeys, heldCount);
                heldKeys = null;
                return new Loaded(BrokerCore.of(state), live);
            }
            count++;
            accept(record);
        }
        throw new IllegalStateException("snapshot invalid: no footer after " + count + " records");
    }

    private boolean header(SnapshotRecord record) {
        count++;
        if (!record.hasHeader() || record.getHeader().getFormat() != SnapshotRecords.FORMAT) {
            return false;
        }
        var header = record.getHeader();
        state.appliedIndex = header.getAppliedIndex();
        state.appliedTerm = header.getAppliedTerm();
        state.nextQueueIncarnation = header.getNextQueueIncarnation();
        state.nextConsumerId = header.getNextConsumerId();
        state.clockMs = header.getClockMs();
        state.deadLetters.nextId = Math.max(1, header.getNextDeadLetterId());
        state.delayed.nextId = Math.max(1, header.getNextDelayedId());
        state.earliestExpiryMs = 0; // unknown until the first tick looks at every queue's head
        // Sized once from the header (an older snapshot says 0 and the array grows): at ten million
        // messages a doubling array would hold old and new copies, 200 MB, on a start-up heap.
        heldKeys = new long[(int) Math.min(Integer.MAX_VALUE - 8, Math.max(1024, header.getHeldMessages()))];
        return true;
    }

    private void accept(SnapshotRecord record) {
        switch (record.getKindCase()) {
            case NODE -> {
                var node = record.getNode();
                NodeRecord nodeRecord = new NodeRecord(node.getNode(), node.getEpoch(), node.getLastSequence(),
                        node.getDown());
                nodeRecord.appliedAbove.addAll(node.getAppliedAboveList());
                nodeRecord.incarnation = node.getIncarnation();
                nodeRecord.memoryAlarm = node.getMemoryAlarm();
                if (node.getConsumerTimeoutMs() > 0) {
                    nodeRecord.consumerTimeoutMs = node.getConsumerTimeoutMs();
                }
                nodeRecord.diskAlarm = node.getDiskAlarm();
                state.nodes.put(node.getNode(), nodeRecord);
            }
            case USER -> {
                var user = record.getUser();
                state.access.users.put(user.getName(),
                        new UserRecord(user.getName(), user.getPasswordHash(), user.getTagsList()));
            }
            case VHOST -> state.vhosts.put(record.getVhost().getName(), new VhostState(record.getVhost().getName()));
            case PERMISSION -> {
                var p = record.getPermission();
                state.access.permissions.put(AccessControl.key(p.getUser(), p.getVhost()),
                        new Permission(p.getUser(), p.getVhost(), p.getConfigure(), p.getWrite(), p.getRead()));
            }
            case TOPIC_PERMISSION -> {
                TopicPermission permission = TopicPermission.of(record.getTopicPermission().getPermission());
                state.access.topicPermissions.put(permission.key(), permission);
            }
            case CONNECTION -> {
                var opened = record.getConnection().getConnection();
                ConnectionKey key = ConnectionKey.of(opened.getConnection());
                ConnectionState connection = new ConnectionState(key, opened);
                connection.failed = record.getConnection().getFailed();
                state.connections.put(key, connection);
            }
            case CHANNEL -> channel(record.getChannel());
            case EXCHANGE -> exchange(record.getExchange());
            case QUEUE -> queue(record.getQueue());
            case MESSAGE -> {
                check(lastQueue != null, "a message before any queue");
                QueueEntry entry = entry(record.getMessage());
                lastQueue.ready.append(entry);
                held(entry.key());
            }
            case MESSAGE_BLOCK -> {
                check(lastQueue != null, "a message block before any queue");
                var block = record.getMessageBlock();
                int count = block.getIdCount();
                check(block.getKeyCount() == count && block.getSizeCount() == count
                        && block.getDeliveryCountCount() == count && block.getPersistentCount() == count
                        && (block.getExpiresAtCount() == 0 || block.getExpiresAtCount() == count)
                        && (block.getPriorityCount() == 0 || block.getPriorityCount() == count),
                        "a message block whose columns differ in length");
                boolean expiries = block.getExpiresAtCount() > 0;
                boolean priorities = block.getPriorityCount() > 0;
                for (int i = 0; i < count; i++) {
                    int level = priorities ? block.getPriority(i) : 0;
                    check(level <= lastQueue.ready.maxPriority(), "a message above its queue's x-max-priority");
                    lastQueue.ready.append(new QueueEntry(block.getId(i), block.getKey(i), block.getSize(i),
                            block.getPersistent(i), block.getDeliveryCount(i),
                            expiries ? block.getExpiresAt(i) : MessageExpiry.NEVER, level));
                    held(block.getKey(i));
                }
            }
            case BINDING -> {
                var b = record.getBinding();
                ExchangeState source = vhost(b.getVhost()).exchanges.get(b.getSource());
                check(source != null, "a binding from unknown exchange '" + b.getSource() + "'");
                source.bindings.add(new Binding(b.getSource(), b.getDestination(), b.getDestinationIsQueue(),
                        b.getRoutingKey(), b.getArguments()));
            }
            case CONSUMER -> consumer(record.getConsumer());
            case UNACKED -> unacked(record.getUnacked());
            case DEAD_LETTER -> deadLetter(record.getDeadLetter());
            case DELAYED -> {
                var d = record.getDelayed();
                check(d.getId() < state.delayed.nextId, "delayed message " + d.getId() + " at or past the next id");
                state.delayed.restore(new DelayedMessages.Delayed(d.getId(), d.getVhost(), d.getExchange(),
                        d.getPublish(), d.getKey(), d.getDueAtMs()));
                held(d.getKey());
            }
            case POLICY -> {
                Policy policy = Policies.validate(record.getPolicy().getPolicy()); // compiles its pattern again
                VhostState vhost = vhost(policy.vhost());
                (policy.operator() ? vhost.operatorPolicies : vhost.policies).put(policy.name(), policy);
            }
            case HEADER, FOOTER, KIND_NOT_SET -> check(false, "unexpected record " + record.getKindCase());
        }
    }

    private void channel(io.warren.proto.ChannelRecord record) {
        ConnectionState connection = state.connections.get(ConnectionKey.of(record.getChannel().getConnection()));
        check(connection != null, "a channel of an unknown connection");
        ChannelState channel = new ChannelState(record.getChannel(), connection);
        channel.consumerPrefetch = record.getConsumerPrefetch();
        channel.globalPrefetch = record.getGlobalPrefetch();
        channel.nextDeliveryTag = record.getNextDeliveryTag();
        channel.failed = record.getFailed();
        if (!record.getReplyConsumerTag().isEmpty()) {
            channel.replyConsumerTag = record.getReplyConsumerTag();
            channel.replyKey = record.getReplyKey();
        }
        if (record.getTxEndedThrough() != 0 || record.getTxStagedCount() > 0 || record.getTxPendingCount() > 0) {
            channel.tx = Transaction.read(record, this::held);
        }
        state.channels.put(channel.key, channel);
    }

    private void exchange(io.warren.proto.ExchangeRecord x) {
        ExchangeType type = ExchangeType.fromWireName(x.getType()).orElse(null);
        check(type != null, "exchange type '" + x.getType() + "'");
        vhost(x.getVhost()).exchanges.put(x.getName(), new ExchangeState(x.getVhost(), x.getName(), type,
                x.getDurable(), x.getAutoDelete(), x.getInternal(), x.getArguments(), x.getHomeNode()));
    }

    private void queue(QueueRecord q) {
        ConnectionKey owner = q.hasExclusiveOwner() ? ConnectionKey.of(q.getExclusiveOwner()) : null;
        QueueState queue = new QueueState(q.getVhost(), q.getName(), q.getIncarnation(), q.getDurable(), owner,
                q.getAutoDelete(), q.getArguments(), q.getHomeNode());
        queue.nextMessageId = q.getNextMessageId();
        queue.hadConsumers = q.getHadConsumers();
        queue.nextConsumerIndex = q.getNextConsumerIndex();
        queue.rejectingPublishes = q.getRejectingPublishes();
        queue.lastUsedMs = q.getLastUsedMs();
        vhost(q.getVhost()).queues.put(q.getName(), queue);
        lastQueue = queue;
    }

    private void consumer(ConsumerRecord c) {
        ChannelState channel = channel(c.getChannel());
        QueueState queue = vhost(c.getVhost()).queues.get(c.getQueue());
        check(queue != null, "a consumer of unknown queue '" + c.getQueue() + "'");
        ConsumerState consumer = new ConsumerState(c.getConsumerId(), channel, c.getConsumerTag(), queue,
                c.getNoAck(), c.getExclusive(), c.getPrefetch(), c.getArguments(), c.getCreditLimited(), c.getCredit());
        consumer.unacked = c.getUnacked();
        channel.consumers.put(consumer.tag, consumer);
        consumersById.put(consumer.id, consumer);
        consumerRecords.add(c);
    }

    /** Which policy applies to each queue and exchange is not written: it follows from the policies. */
    private void applyPolicies() {
        for (VhostState vhost : state.vhosts.values()) {
            vhost.exchanges.values().forEach(exchange -> Policies.apply(vhost, exchange));
            vhost.queues.values().forEach(queue -> Policies.apply(vhost, queue));
        }
    }

    /** Queues list their consumers in round-robin order, which the records carry as positions. */
    private void finishConsumers() {
        consumerRecords.sort(Comparator.comparingInt(ConsumerRecord::getQueuePosition));
        for (ConsumerRecord c : consumerRecords) {
            ConsumerState consumer = consumersById.get(c.getConsumerId());
            consumer.queue.consumers.add(consumer);
            consumer.queue.refreshTopConsumerPriority();
        }
        for (VhostState vhost : state.vhosts.values()) {
            for (QueueState queue : vhost.queues.values()) {
                check(queue.nextConsumerIndex >= 0, "queue '" + queue.name + "' round-robin index out of range");
                if (!queue.consumers.isEmpty() && queue.nextConsumerIndex >= queue.consumers.size()) {
                    // Written before the turn was kept in range when the next consumer left: dispatch took it
                    // modulo the consumers, so the same turn is this.
                    queue.nextConsumerIndex %= queue.consumers.size();
                }
            }
        }
    }

    private void unacked(UnackedRecord u) {
        ChannelState channel = channel(u.getChannel());
        QueueState queue = vhost(u.getVhost()).queues.get(u.getQueue());
        if (queue == null || queue.incarnation != u.getQueueIncarnation()) {
            queue = deletedQueues.computeIfAbsent(u.getVhost() + '\0' + u.getQueue() + '\0' + u.getQueueIncarnation(),
                    k -> deletedQueue(u));
        } else {
            queue.unackedCount++;
        }
        ConsumerState consumer = null;
        if (u.getConsumerId() != 0) {
            consumer = consumersById.computeIfAbsent(u.getConsumerId(), id -> new ConsumerState(id, channel,
                    u.getConsumerTag(), deletedQueue(u), false, false, 0, io.warren.proto.Table.getDefaultInstance(), false, 0));
            channel.consumerUnacked++;
        }
        channel.unacked.put(u.getDeliveryTag(), new ChannelState.Unacked(u.getDeliveryTag(), queue,
                entry(u.getMessage()), consumer, u.getDeliveredAtMs()));
        held(u.getMessage().getKey());
    }

    private void deadLetter(io.warren.proto.DeadLetterRecord d) {
        DeadLetters.Reason reason = DeadLetters.Reason.fromWireName(d.getReason());
        check(reason != null, "dead letter reason '" + d.getReason() + "'");
        check(d.getId() < state.deadLetters.nextId, "dead letter " + d.getId() + " at or past the next id");
        DeadLetters.Pending pending = new DeadLetters.Pending(d.getId(), d.getVhost(), d.getQueue(),
                d.getQueueIncarnation(), d.getKey(), d.getBodySize(), d.getPersistent(), reason, d.getExchange(),
                d.hasRoutingKey() ? d.getRoutingKey() : null, d.getAtLeastOnce(), d.getDiedAtMs());
        pending.retryAtMs = d.getRetryAtMs();
        state.deadLetters.restore(pending);
        held(d.getKey());
    }

    /** A stand-in for a queue deleted while some of its messages were out: settling them changes nothing. */
    private static QueueState deletedQueue(UnackedRecord u) {
        QueueState queue = new QueueState(u.getVhost(), u.getQueue(), u.getQueueIncarnation(), false, null, false,
                io.warren.proto.Table.getDefaultInstance(), "");
        queue.deleted = true;
        return queue;
    }

    private ChannelState channel(io.warren.proto.ChannelRef ref) {
        ChannelState channel = state.channels.get(ChannelKey.of(ref));
        check(channel != null, "a record of an unknown channel");
        return channel;
    }

    private VhostState vhost(String name) {
        VhostState vhost = state.vhosts.get(name);
        check(vhost != null, "a record in unknown vhost '" + name + "'");
        return vhost;
    }

    private static QueueEntry entry(MessageRecord m) {
        return new QueueEntry(m.getId(), m.getKey(), m.getSize(), m.getPersistent(), m.getDeliveryCount(),
                m.hasExpiresAt() ? m.getExpiresAt() : MessageExpiry.NEVER, m.getPriority());
    }

    private void held(long key) {
        if (heldCount == heldKeys.length) {
            heldKeys = java.util.Arrays.copyOf(heldKeys, heldCount * 2);
        }
        heldKeys[heldCount++] = key;
    }

    /**
     * The keys read more than once, with how often: sorted, a run of equal keys is one shared message.
     * Leaves {@code heldKeys[0, heldCount)} ascending with each key once.
     */
    private java.util.TreeMap<Long, Integer> sharedKeys() {
        java.util.Arrays.sort(heldKeys, 0, heldCount);
        java.util.TreeMap<Long, Integer> shared = new java.util.TreeMap<>();
        int distinct = 0;
        for (int i = 0; i < heldCount; ) {
            int j = i + 1;
            while (j < heldCount && heldKeys[j] == heldKeys[i]) {
                j++;
            }
            if (j - i > 1) {
                shared.put(heldKeys[i], j - i);
            }
            heldKeys[distinct++] = heldKeys[i];
            i = j;
        }
        heldCount = distinct;
        return shared;
    }

    private static void check(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalStateException("snapshot invalid: " + problem);
        }
    }
}
