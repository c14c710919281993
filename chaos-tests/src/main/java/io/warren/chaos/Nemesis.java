package io.warren.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.slf4j.LoggerFactory;

/**
 * The faults, each a start and a heal, applied to the nodes while the workload runs. Every fault
 * window goes into the history, so the checker can tell availability inside each one.
 */
public enum Nemesis {
    KILL_RANDOM("kill-random", false),
    KILL_LEADER("kill-leader", false),
    /** kill -9 of every node in one signal, then all restarted: what exposes a confirm sent before fsync. */
    KILL_ALL("kill-all", false),
    PAUSE_RANDOM("pause-random", false),
    PAUSE_LEADER("pause-leader", false),
    PARTITION_ONE("partition-one", true),
    PARTITION_LEADER("partition-leader", true),
    PARTITION_BRIDGE("partition-bridge", true),
    PACKET_LOSS("packet-loss", true),
    DELAY("delay", true),
    TORN_WRITE("torn-write", false),
    DISK_FULL("disk-full", true),
    MEMBERSHIP("membership", false);

    public final String label;
    /** Needs root features (network namespaces, or a tmpfs of its own for disk-full). */
    public final boolean network;

    Nemesis(String label, boolean network) {
        this.label = label;
        this.network = network;
    }

    public static Nemesis of(String label) {
        for (Nemesis nemesis : values()) {
            if (nemesis.label.equals(label)) {
                return nemesis;
            }
        }
        throw new IllegalArgumentException("unknown nemesis '" + label + "' (known: " + labels() + ")");
    }

    public static List<String> labels() {
        return java.util.Arrays.stream(values()).map(n -> n.label).toList();
    }

    /** A fault in force: what to undo, and the node it is aimed at (for the history; 0: every node). */
    public record Applied(Nemesis nemesis, int target) {}

    /** Starts this fault; picks its target with {@code random} (or the leader). */
    public Applied start(Nodes nodes, Random random) throws Exception {
        int target = switch (this) {
            case KILL_LEADER, PAUSE_LEADER, PARTITION_LEADER -> {
                int leader = nodes.leader();
                yield leader != 0 ? leader : 1 + random.nextInt(nodes.size());
            }
            case MEMBERSHIP -> {
                // a follower: removing the leader would also be a leader change, which others cover
                int leader = nodes.leader();
                int pick = 1 + random.nextInt(nodes.size());
                yield pick != leader ? pick : pick % nodes.size() + 1;
            }
            case KILL_ALL -> 0;
            default -> 1 + random.nextInt(nodes.size());
        };
        List<Integer> others = new ArrayList<>();
        for (int node = 1; node <= nodes.size(); node++) {
            if (node != target) {
                others.add(node);
            }
        }
        switch (this) {
            case KILL_RANDOM, KILL_LEADER -> nodes.kill(target);
            case KILL_ALL -> nodes.killAll();
            case PAUSE_RANDOM, PAUSE_LEADER -> nodes.pause(target);
            case PARTITION_ONE, PARTITION_LEADER -> {
                for (int other : others) {
                    nodes.cut(target, other);
                }
            }
            case PARTITION_BRIDGE -> nodes.cut(others.get(0), others.get(1)); // target sees both halves
            case PACKET_LOSS -> nodes.loss(target, 0.3);
            // 50-500 ms each way: from well under the election timeout (1-2 s) to a round trip near it.
            case DELAY -> nodes.delay(target, 50 + random.nextInt(451));
            case TORN_WRITE -> {
                nodes.kill(target);
                nodes.tearLogTail(target, 1 + random.nextInt(64));
            }
            case DISK_FULL -> nodes.fillDisk(target);
            case MEMBERSHIP -> {
                try {
                    nodes.removeMember(target);
                } catch (java.io.IOException e) {
                    // Refused or not committed in time (a mixed-in partition may leave no majority of the new
                    // members): a finding for the log; the heal removes it again and brings it back.
                    LoggerFactory.getLogger(Nemesis.class).warn("event=member_remove_failed node={} error={}",
                            nodes.id(target), e.getMessage());
                }
            }
        }
        return new Applied(this, target);
    }

    /** Undoes the fault: restarts a killed node, thaws a paused one, removes packet drops. */
    public static void heal(Applied applied, Nodes nodes) throws Exception {
        switch (applied.nemesis()) {
            case KILL_RANDOM, KILL_LEADER, TORN_WRITE -> nodes.start(applied.target());
            case KILL_ALL -> nodes.startAll();
            case MEMBERSHIP -> {
                nodes.removeMember(applied.target()); // done already, unless the start could not commit it
                nodes.rejoinFresh(applied.target());
            }
            case DISK_FULL -> {
                // The operator frees space and restarts the node, which must find its log intact.
                nodes.freeDisk(applied.target());
                nodes.kill(applied.target());
                nodes.start(applied.target());
            }
            case PAUSE_RANDOM, PAUSE_LEADER -> nodes.resume(applied.target());
            default -> nodes.heal();
        }
    }
}
