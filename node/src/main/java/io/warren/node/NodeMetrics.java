package io.warren.node;

import io.warren.raft.core.BrokerQueries;
import io.warren.raft.ratis.CommandSubmitter;
import io.warren.raft.ratis.GroupView;
import io.warren.raft.ratis.RaftNode;
import io.warren.raft.ratis.WarrenStateMachine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * This node's figures in Prometheus' text format, named as RabbitMQ's rabbitmq_prometheus names them where
 * RabbitMQ has the figure (so its Grafana dashboards read Warren), and {@code warren_*} for the publish
 * path's own (Raft entries, commands per entry, apply, commit and fsync time, the submitter's queue).
 * Connections, channels, consumers and message counters are this node's clients'; queue figures come
 * from the Raft leader only, as RabbitMQ's come from each quorum queue's leader, so summing over the nodes
 * counts each queue once. {@code perObject} adds a sample per queue, labelled by vhost and queue.
 */
final class NodeMetrics {
    private final String node;
    private final WarrenStateMachine stateMachine;
    private final CommandSubmitter submitter;
    private final RaftNode raft;
    private final ResourceMonitor resources;
    private final MessageCounters counters;

    NodeMetrics(String node, WarrenStateMachine stateMachine, CommandSubmitter submitter, RaftNode raft,
            ResourceMonitor resources, MessageCounters counters) {
        this.node = node;
        this.stateMachine = stateMachine;
        this.submitter = submitter;
        this.raft = raft;
        this.resources = resources;
        this.counters = counters;
    }

    String render(boolean perObject) {
        PrometheusText text = new PrometheusText();
        text.family("rabbitmq_build_info", "untyped", "RabbitMQ-compatible version info")
                .sample(Map.of("rabbitmq_version", io.warren.node.management.ManagementApi.RABBITMQ_VERSION,
                        "product_name", "Warren", "product_version", io.warren.node.management.ManagementApi.VERSION),
                        1);
        text.family("rabbitmq_identity_info", "untyped", "Node and cluster identity")
                .sample(Map.of("rabbitmq_node", node, "rabbitmq_cluster", "warren"), 1);
        clients(text);
        raft(text, perObject);
        resources(text);
        hotPath(text);
        return text.toString();
    }

    private void clients(PrometheusText text) {
        List<BrokerQueries.ChannelView> channels = stateMachine.query(BrokerQueries::channels);
        long connections = stateMachine.query(BrokerQueries::connections).stream().filter(c -> c.node().equals(node))
                .count();
        long localChannels = channels.stream().filter(ch -> ch.connection().node().equals(node)).count();
        long consumers = channels.stream().filter(ch -> ch.connection().node().equals(node))
                .mapToLong(BrokerQueries.ChannelView::consumers).sum();
        text.single("rabbitmq_connections", "gauge", "Connections currently open", connections);
        text.single("rabbitmq_channels", "gauge", "Channels currently open", localChannels);
        text.single("rabbitmq_consumers", "gauge", "Consumers currently connected", consumers);
        counter(text, "rabbitmq_global_messages_received_total", "Total number of messages received from publishers",
                counters.received.sum());
        counter(text, "rabbitmq_global_messages_received_confirm_total",
                "Total number of messages received from publishers expecting confirmations",
                counters.receivedConfirm.sum());
        counter(text, "rabbitmq_global_messages_confirmed_total", "Total number of messages confirmed to publishers",
                counters.confirmed.sum());
        counter(text, "rabbitmq_global_messages_unroutable_returned_total",
                "Total number of messages published as mandatory into an exchange and returned to the publisher"
                        + " as unroutable", counters.unroutableReturned.sum());
        counter(text, "rabbitmq_global_messages_delivered_total", "Total number of messages delivered to consumers",
                counters.delivered());
        counter(text, "rabbitmq_global_messages_delivered_consume_manual_ack_total",
                "Total number of messages delivered to consumers using manual acknowledgements",
                counters.deliveredConsumeManualAck.sum());
        counter(text, "rabbitmq_global_messages_delivered_consume_auto_ack_total",
                "Total number of messages delivered to consumers using automatic acknowledgements",
                counters.deliveredConsumeAutoAck.sum());
        counter(text, "rabbitmq_global_messages_delivered_get_manual_ack_total",
                "Total number of messages delivered to consumers via basic.get using manual acknowledgements",
                counters.deliveredGetManualAck.sum());
        counter(text, "rabbitmq_global_messages_delivered_get_auto_ack_total",
                "Total number of messages delivered to consumers via basic.get using automatic acknowledgements",
                counters.deliveredGetAutoAck.sum());
        counter(text, "rabbitmq_global_messages_get_empty_total",
                "Total number of times basic.get operations fetched no message", counters.getEmpty.sum());
        counter(text, "rabbitmq_global_messages_redelivered_total",
                "Total number of messages redelivered to consumers", counters.redelivered.sum());
        counter(text, "rabbitmq_global_messages_acknowledged_total",
                "Total number of acknowledgements received from consumers (basic.ack methods)",
                counters.acknowledged.sum());
    }

    private static void counter(PrometheusText text, String name, String help, double value) {
        text.single(name, "counter", help, value);
    }

    private void raft(PrometheusText text, boolean perObject) {
        GroupView view;
        RaftNode.LogFigures log;
        try {
            view = raft.view();
            log = raft.logFigures();
        } catch (IOException e) {
            return; // Raft is not running: no Raft or queue figures
        }
        boolean leader = view.leaderReady();
        text.single("rabbitmq_raft_term_total", "counter", "Current Raft term", log.term());
        text.single("rabbitmq_raft_log_commit_index", "gauge", "Raft log commit index", log.commitIndex());
        text.single("rabbitmq_raft_log_last_written_index", "gauge", "Raft log last written index", log.lastIndex());
        text.single("warren_raft_leader", "gauge", "1 while this node is the ready Raft leader", leader ? 1 : 0);
        text.single("warren_raft_members", "gauge", "Voting members of the Raft group", view.members().size());
        text.family("warren_raft_follower_lag_entries", "gauge", "On the leader: entries each follower is behind");
        log.followerMatchIndex().forEach((follower, match) -> text.sample(Map.of("follower", follower),
                Math.max(0, log.lastIndex() - match)));
        List<BrokerQueries.QueueView> queues = leader ? stateMachine.query(q -> {
            List<BrokerQueries.QueueView> all = new java.util.ArrayList<>();
            for (String vhost : q.vhosts()) {
                all.addAll(q.queues(vhost));
            }
            return all;
        }) : List.of();
        text.single("rabbitmq_queues", "gauge", "Queues available (led by this node)", queues.size());
        queueFamily(text, perObject, queues, "rabbitmq_queue_messages_ready", "Messages ready to be delivered",
                q -> q.messagesReady());
        queueFamily(text, perObject, queues, "rabbitmq_queue_messages_unacked",
                "Messages delivered but not yet acknowledged", q -> q.messagesUnacknowledged());
        queueFamily(text, perObject, queues, "rabbitmq_queue_messages", "Sum of ready and unacknowledged messages",
                q -> q.messagesReady() + q.messagesUnacknowledged());
        queueFamily(text, perObject, queues, "rabbitmq_queue_messages_ready_bytes",
                "Size in bytes of ready messages", BrokerQueries.QueueView::messageBytesReady);
        queueFamily(text, perObject, queues, "rabbitmq_queue_messages_unacked_bytes",
                "Size in bytes of all unacknowledged messages", BrokerQueries.QueueView::messageBytesUnacknowledged);
        queueFamily(text, perObject, queues, "rabbitmq_queue_consumers", "Consumers on a queue",
                q -> q.consumers());
    }

    private static void queueFamily(PrometheusText text, boolean perObject, List<BrokerQueries.QueueView> queues,
            String name, String help, java.util.function.ToLongFunction<BrokerQueries.QueueView> figure) {
        text.family(name, "gauge", help);
        if (!perObject) {
            text.sample(queues.stream().mapToLong(figure).sum());
            return;
        }
        for (BrokerQueries.QueueView q : queues) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("vhost", q.vhost());
            labels.put("queue", q.name());
            text.sample(labels, figure.applyAsLong(q));
        }
    }

    private void resources(PrometheusText text) {
        ResourceMonitor.Figures figures = resources.figures();
        text.single("rabbitmq_process_resident_memory_bytes", "gauge", "Memory used in bytes", residentBytes());
        text.single("rabbitmq_resident_memory_limit_bytes", "gauge",
                "Memory high watermark in bytes (of the heap)", figures.memoryLimit());
        text.single("warren_heap_used_bytes", "gauge", "Heap in use after the last collection", figures.memoryUsed());
        text.single("rabbitmq_disk_space_available_bytes", "gauge", "Disk space available in bytes",
                figures.diskFree());
        text.single("rabbitmq_disk_space_available_limit_bytes", "gauge", "Free disk space low watermark in bytes",
                figures.diskFreeLimit());
        BrokerQueries.NodeView self = stateMachine.query(BrokerQueries::nodes).stream()
                .filter(n -> n.node().equals(node)).findFirst().orElse(null);
        text.single("rabbitmq_alarms_memory_used_watermark", "gauge",
                "is 1 if VM memory watermark alarm is in effect", self != null && self.memoryAlarm() ? 1 : 0);
        text.single("rabbitmq_alarms_free_disk_space_watermark", "gauge",
                "is 1 if free disk space watermark alarm is in effect", self != null && self.diskAlarm() ? 1 : 0);
    }

    /** The process' resident set from /proc (0 where there is none). */
    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    private void hotPath(PrometheusText text) {
        var applied = stateMachine.counters().totals();
        var store = stateMachine.storeStats();
        counter(text, "warren_raft_entries_applied_total", "Raft entries applied", applied.entriesApplied());
        counter(text, "warren_raft_commands_applied_total", "Commands in the Raft entries applied (commands per"
                + " entry: the ratio of the two rates)", applied.commandsApplied());
        counter(text, "warren_raft_bytes_applied_total", "Bytes of commands and messages applied",
                applied.bytesApplied());
        counter(text, "warren_apply_seconds_total", "Time spent applying entries", applied.applyNanos() / 1e9);
        counter(text, "warren_entries_committed_total", "Entries this node submitted that committed",
                applied.entriesCommitted());
        counter(text, "warren_commit_seconds_total", "Send-to-commit time of this node's committed entries",
                applied.commitNanos() / 1e9);
        counter(text, "warren_store_fsyncs_total", "Message store fsyncs", store.fsyncs());
        counter(text, "warren_store_fsync_seconds_total", "Time spent in message store fsyncs",
                store.fsyncNanos() / 1e9);
        text.single("warren_submitter_queue_commands", "gauge", "Commands waiting to be put into an entry",
                submitter.queuedCommands());
        text.single("warren_submitter_queue_bytes", "gauge", "Bytes queued or in flight (publisher blocking counts"
                + " these)", submitter.queuedBytes());
        text.single("warren_entries_in_flight", "gauge", "Entries sent whose outcome is not known yet",
                submitter.entriesInFlight());
        var snapshots = stateMachine.snapshotStats();
        counter(text, "warren_snapshots_taken_total", "Snapshots this node wrote", snapshots.taken());
        counter(text, "warren_snapshot_seconds_total", "Time from each snapshot's start to its files in place",
                snapshots.totalNanos() / 1e9);
        counter(text, "warren_snapshot_apply_paused_seconds_total", "Time apply waited while snapshots froze the"
                + " state", snapshots.applyPausedNanos() / 1e9);
        text.single("warren_snapshot_last_seconds", "gauge", "The last snapshot's duration (0 before the first)",
                snapshots.lastNanos() / 1e9);
        text.single("warren_snapshot_last_index_bytes", "gauge", "The last snapshot's state without message bodies",
                snapshots.lastIndexBytes());
    }
}
