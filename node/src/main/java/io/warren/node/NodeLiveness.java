package io.warren.node;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.raft.core.BrokerQueries;
import io.warren.raft.ratis.GroupView;
import io.warren.raft.ratis.RaftNode;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Keeps this node's epoch honest (DESIGN invariant 5) as the state machine of {@link NodeState}, a few times
 * a second on a scheduler of its own:
 * <ul>
 *   <li>A node serves under a {@link ServingLease} of {@code quorumLostAfterMs}, extended on each look from its
 *       last contact with a working majority. Once it lapses (out of contact, or paused, for that long) the node
 *       may no longer speak for the state: the AMQP front end writes nothing more it decided, and the node stops
 *       serving: its clients are closed with 320 and its AMQP port refuses, so they reconnect to another node
 *       (RabbitMQ's pause_minority does the same).
 *   <li>A node whose epoch has ended (the leader declared it down while it was cut off or paused) stops
 *       serving the same way.
 *   <li>Either way it comes back only under a new epoch, registered through the log once it is in
 *       contact again, so nothing it held before (consumers, unacked deliveries, channels) can act twice.
 *   <li>On the leader: a member Raft has not heard from for {@code nodeDownAfterMs}, or a node that is no
 *       longer a member, is declared down through the log, which returns its unacked deliveries to their
 *       queues. Only a command does this, so a deposed leader's declaration simply fails to commit.
 * </ul>
 * Every change of state goes through {@link #moveTo}, which refuses a move {@link NodeState} does not allow,
 * logs it with its reason and counts it. Time, randomness and the thread come from the constructor, so a
 * test drives all of it.
 */
final class NodeLiveness implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeLiveness.class);

    /**
     * The timings; see the class comment.
     *
     * @param tickMs how often the state is looked at
     * @param registrationStuckAfterMs a registration not applied after this long, while a leader is heard, is
     *        taken as stuck, and the node asks for the leadership to move (see {@link #moveLeadershipAway})
     * @param redeclareDownAfterMs how long a down declaration may stay uncommitted before the leader sends it
     *        again
     * @param quorumLostAfterMs the serving lease: how long after its last contact with a working majority the
     *        node stops speaking for the state
     */
    record Timing(long nodeDownAfterMs, long quorumLostAfterMs, long tickMs, long registrationStuckAfterMs,
            long redeclareDownAfterMs) {
        /**
         * How much sooner than the down declaration the lease must end: a new leader counts a follower's silence
         * from up to this long before it took over (Ratis starts it at the longest election timeout).
         */
        static final long LEASE_MARGIN_MS = RaftNode.ELECTION_TIMEOUT_MAX_MS - RaftNode.ELECTION_TIMEOUT_MIN_MS;

        Timing {
            if (tickMs < 1 || quorumLostAfterMs < tickMs || nodeDownAfterMs < tickMs
                    || registrationStuckAfterMs < tickMs || redeclareDownAfterMs < tickMs) {
                throw new IllegalArgumentException("liveness timing " + nodeDownAfterMs + ", " + quorumLostAfterMs
                        + ", " + tickMs + ", " + registrationStuckAfterMs + ", " + redeclareDownAfterMs
                        + " (expected: a tick of at least 1 ms, every other timeout at least one tick)");
            }
            if (quorumLostAfterMs + LEASE_MARGIN_MS > nodeDownAfterMs) {
                throw new IllegalArgumentException("quorum.lost.after.ms " + quorumLostAfterMs + " is the serving lease"
                        + " and must end at least " + LEASE_MARGIN_MS + " ms (Raft's election timeout spread) before"
                        + " node.down.after.ms " + nodeDownAfterMs + ": else a paused or cut-off node could still"
                        + " deliver what the cluster has already handed to another consumer (expected: quorum.lost."
                        + "after.ms <= " + (nodeDownAfterMs - LEASE_MARGIN_MS) + ")");
            }
        }
    }

    /** The node's AMQP clients, as liveness needs them: all closed and refused, or accepted again. */
    interface Clients {
        void suspend(AmqpException why);

        void resume() throws InterruptedException;
    }

    private final String nodeId;
    private final Timing timing;
    private final LivenessCluster cluster;
    private final LongSupplier nanoTime;
    private final RandomGenerator random;
    private final Scheduler scheduler;
    private final ServingLease lease;
    /** Down declarations sent, by node/epoch, and when; touched only on the scheduler. */
    private final Map<String, Long> declaredAt = new TreeMap<>();
    private final Map<String, Long> notMemberSince = new TreeMap<>();
    /** How often each move happened, by "FROM->TO". */
    private final Map<String, Long> moves = new TreeMap<>();
    private Clients clients;
    private volatile NodeState state = NodeState.STARTING;
    private long enteredAtNanos;
    /** Whether the leadership was asked to move since the state was entered. */
    private boolean nudged;
    /** The registration sent and not yet applied, with its incarnation. */
    private CompletableFuture<Long> registration;
    private byte[] registrationIncarnation;

    NodeLiveness(String nodeId, Timing timing, LivenessCluster cluster, LongSupplier nanoTime, RandomGenerator random,
            Scheduler scheduler) {
        this.nodeId = nodeId;
        this.timing = timing;
        this.cluster = cluster;
        this.nanoTime = nanoTime;
        this.random = random;
        this.scheduler = scheduler;
        this.lease = new ServingLease(timing.quorumLostAfterMs(), nanoTime);
        this.enteredAtNanos = nanoTime.getAsLong();
    }

    /** Whether this node may still write what the replicated state decided; see {@link ServingLease}. */
    boolean holdsLease() {
        return lease.holds();
    }

    NodeState state() {
        return state;
    }

    boolean isServing() {
        return state.serves();
    }

    /** How often each move between states happened, by "FROM->TO". */
    synchronized Map<String, Long> moves() {
        return new TreeMap<>(moves);
    }

    /**
     * Registers this process's first epoch through the log and waits for it: the node serves nothing
     * before, so no client sees state older than the log. The node serves once {@link #start} is called.
     */
    long registerFirstEpoch(long timeoutMs) throws ConfigException, InterruptedException {
        long deadline = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (nanoTime.getAsLong() < deadline) {
            long epoch = firstRegistrationStep();
            if (epoch != 0) {
                cluster.useEpoch(epoch);
                extendLeaseNow(); // before the AMQP port opens, so its first clients are served
                return epoch;
            }
            awaitRegistration(Math.min(timing.tickMs(), Math.max(1, (deadline - nanoTime.getAsLong()) / 1_000_000)));
        }
        throw new ConfigException("could not register with the Raft group within " + timeoutMs / 1000
                + " s (is a majority of peers up?)");
    }

    /** One look while starting: the epoch once the first registration applied, else 0. */
    long firstRegistrationStep() {
        if (!isMember()) {
            // A newcomer before add_cluster_node committed: a registration would be accepted through the
            // members' log and then ended at once as "no longer a member", over and over.
            if (state != NodeState.AWAITING_MEMBERSHIP) {
                moveTo(NodeState.AWAITING_MEMBERSHIP, "not a voting member yet; registers once added"
                        + " (warrenctl add_cluster_node)");
            }
            return 0;
        }
        if (state != NodeState.REGISTERING) {
            moveTo(NodeState.REGISTERING, "a voting member: registering its first epoch");
        }
        return registered();
    }

    /** Starts watching once the AMQP listener serves. */
    void start(Clients clients) {
        this.clients = clients;
        extendLeaseNow();
        moveTo(NodeState.SERVING, "epoch " + cluster.epoch() + " registered");
        scheduler.every(timing.tickMs(), this::safeTick);
    }

    private void extendLeaseNow() {
        long now = nanoTime.getAsLong();
        try {
            extendLease(cluster.view(), now);
        } catch (IOException e) {
            lease.extendFrom(now); // its registration has just applied: it was in contact a moment ago
        }
    }

    /**
     * Extends the lease from the contact the view shows. {@code lookedAtNanos} is read before the view is taken,
     * so the contact is never placed later than it happened, even when the process stops in between.
     */
    private void extendLease(GroupView view, long lookedAtNanos) {
        long ageMs = view.contactAgeMs();
        if (ageMs <= timing.quorumLostAfterMs()) {
            lease.extendFrom(lookedAtNanos - TimeUnit.MILLISECONDS.toNanos(ageMs));
        }
    }

    /** From the dispatcher (on Ratis' updater thread, which must not block): the log ended our epoch. */
    void epochEnded(long epoch) {
        scheduler.execute(() -> {
            if (state == NodeState.SERVING && epoch == cluster.epoch()) {
                suspendForEndedEpoch();
            }
        });
    }

    /**
     * From Ratis' updater thread: a snapshot installed while serving skipped entries whose effects for this
     * node (deliveries, confirms, answers) were never performed, so this epoch cannot go on honestly.
     */
    void stateReplaced() {
        scheduler.execute(() -> {
            if (state == NodeState.SERVING) {
                suspend("a snapshot from the leader replaced its state, skipping effects it owed its clients");
            }
        });
    }

    private void safeTick() {
        try {
            tick();
        } catch (Exception e) {
            log.warn("event=liveness_tick_failed error={}", e.toString());
        } catch (Error e) {
            log.error("event=liveness_tick_failed error={}", e.toString());
            throw e;
        }
    }

    /** One look at the group: moves the state on as far as what it sees allows, then does a leader's duty. */
    void tick() throws IOException, InterruptedException {
        long now = nanoTime.getAsLong();
        GroupView view = cluster.view();
        boolean inContact = view.inContact(timing.quorumLostAfterMs());
        NodeState before;
        do {
            before = state;
            step(view, inContact, now);
        } while (state != before && state != NodeState.SERVING);
        if (view.leaderReady()) {
            declareSilentNodesDown(view, now);
        } else {
            declaredAt.clear();
            notMemberSince.clear();
        }
    }

    private void step(GroupView view, boolean inContact, long now) throws InterruptedException {
        boolean member = view.members().contains(nodeId);
        switch (state) {
            case SERVING -> {
                // Lapsed first: a lease that ended is never extended in the same epoch, however good the contact
                // looks now (after a pause the node hears the leader again before it applies its own end).
                if (!lease.holds()) {
                    suspend("it lost contact with the cluster majority: its serving lease of "
                            + timing.quorumLostAfterMs() + " ms lapsed " + lease.lapsedForMs() + " ms ago");
                } else if (!cluster.isLive(cluster.epoch())) {
                    suspendForEndedEpoch();
                } else {
                    extendLease(view, now);
                }
            }
            case SUSPENDED, NOT_A_MEMBER -> {
                if (inContact && member) {
                    moveTo(NodeState.REJOINING, "back in contact with the majority as a member: registering a new"
                            + " epoch");
                } else if (inContact && state == NodeState.SUSPENDED) {
                    // Removed from the group (or not yet added back): serving again would only be ended again.
                    moveTo(NodeState.NOT_A_MEMBER, "in contact, but not a member; stays suspended until added with"
                            + " warrenctl add_cluster_node");
                }
            }
            case REJOINING -> {
                if (!member) {
                    moveTo(NodeState.NOT_A_MEMBER, "no longer a member while registering");
                    return;
                }
                long epoch = registered();
                if (epoch != 0) {
                    cluster.useEpoch(epoch);
                    extendLease(view, now);
                    clients.resume();
                    moveTo(NodeState.SERVING, "epoch " + epoch + " registered");
                }
            }
            default -> { }
        }
    }

    private void suspendForEndedEpoch() {
        suspend("its epoch " + cluster.epoch() + " ended: the cluster declared it down");
    }

    private void suspend(String why) {
        lease.revoke();
        moveTo(NodeState.SUSPENDED, why);
        clients.suspend(AmqpException.of(ReplyCode.CONNECTION_FORCED, "node " + nodeId + " stopped serving: " + why
                + "; reconnect to another node"));
    }

    /** The one way the state changes: refuses a move NodeState does not allow, logs and counts the others. */
    private synchronized void moveTo(NodeState next, String reason) {
        NodeState from = state;
        if (from == NodeState.CLOSED) {
            return; // a look that was under way when the node stopped
        }
        if (!from.mayMoveTo(next)) {
            throw new IllegalStateException("node state " + from + " cannot move to " + next + " (" + reason + ")");
        }
        state = next;
        enteredAtNanos = nanoTime.getAsLong();
        nudged = false;
        moves.merge(from + "->" + next, 1L, Long::sum);
        Level level = next == NodeState.SUSPENDED || next == NodeState.NOT_A_MEMBER ? Level.WARN : Level.INFO;
        log.atLevel(level).log("event={} from={} to={} epoch={} reason=\"{}\"", next.eventFrom(from), from, next,
                cluster.epoch(), reason);
    }

    /**
     * The epoch of this node's pending registration once it applied, else 0; sends one when none is pending,
     * and only then: a registration that timed out may still commit later, and a newer one sent meanwhile
     * would then be ended by it. A registration stuck for long asks for the leadership to move, once.
     */
    private long registered() {
        if (registration == null) {
            registrationIncarnation = new byte[16];
            random.nextBytes(registrationIncarnation);
            registration = cluster.register(registrationIncarnation);
        }
        // The answer is an effect of applying the registration; a snapshot installed from the leader may have
        // covered that entry, so the state is asked too.
        long inState = cluster.epochRegisteredBy(registrationIncarnation);
        if (inState != 0) {
            registration = null;
            return inState;
        }
        if (registration.isDone()) {
            CompletableFuture<Long> answered = registration;
            registration = null;
            if (answered.state() == Future.State.SUCCESS) {
                return answered.resultNow();
            }
            log.warn("event=register_failed error={}", answered.exceptionNow().toString());
            return 0;
        }
        if (!nudged && nanoTime.getAsLong() - enteredAtNanos > TimeUnit.MILLISECONDS.toNanos(
                timing.registrationStuckAfterMs())) {
            nudged = moveLeadershipAway();
        }
        return 0;
    }

    /** Waits at most {@code ms} for the pending registration to be answered (start-up only). */
    private void awaitRegistration(long ms) throws InterruptedException {
        CompletableFuture<Long> pending = registration;
        if (pending == null) {
            Thread.sleep(ms);
            return;
        }
        try {
            pending.get(ms, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // the next step reads the outcome
        }
    }

    /**
     * Works around a Ratis 3.3.0 behaviour seen in chaos runs: after some restarts the leader's appender
     * for this follower keeps a nextIndex the follower rejects (INCONSISTENCY on every heartbeat), so
     * this node never catches up and its registration never applies. A new leader starts its appenders
     * afresh, so a follower that hears a leader but cannot register for a while asks for leadership to
     * move to the other member. Returns true when it asked.
     */
    private boolean moveLeadershipAway() {
        try {
            GroupView view = cluster.view();
            if (view.leader() == null || view.leader().equals(nodeId)) {
                return false;
            }
            for (String member : view.members()) {
                if (!member.equals(nodeId) && !member.equals(view.leader())) {
                    log.warn("event=registration_stuck leader={} action=transfer_leadership to={}", view.leader(),
                            member);
                    cluster.transferLeadership(member);
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("event=transfer_leadership_failed error={}", e.toString());
            return true; // asked; do not keep asking
        }
        return false;
    }

    /** True when this node's view of the Raft configuration names it as a voting member. */
    private boolean isMember() {
        try {
            return cluster.view().members().contains(nodeId);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void declareSilentNodesDown(GroupView view, long now) {
        for (BrokerQueries.NodeView node : cluster.nodes()) {
            if (node.down() || node.node().equals(nodeId)) {
                continue;
            }
            Long silence = view.followerSilenceMs().get(node.node());
            // A newcomer registers while still being caught up, before the configuration naming it commits,
            // so "not a member" counts only once it has lasted as long as silence must.
            boolean member = view.members().contains(node.node());
            if (member) {
                notMemberSince.remove(node.node());
            } else {
                notMemberSince.putIfAbsent(node.node(), now);
            }
            boolean longGone = !member && now - notMemberSince.get(node.node())
                    > TimeUnit.MILLISECONDS.toNanos(timing.nodeDownAfterMs());
            String why = longGone ? "no longer a member"
                    : silence != null && silence > timing.nodeDownAfterMs() ? "silent for " + silence + " ms" : null;
            if (why == null) {
                continue;
            }
            String key = node.node() + "/" + node.epoch();
            Long last = declaredAt.get(key);
            if (last != null && now - last < TimeUnit.MILLISECONDS.toNanos(timing.redeclareDownAfterMs())) {
                continue;
            }
            declaredAt.put(key, now);
            log.warn("event=declare_node_down node_down={} epoch={} reason=\"{}\"", node.node(), node.epoch(), why);
            cluster.declareDown(node.node(), node.epoch());
        }
    }

    @Override
    public void close() {
        lease.revoke();
        scheduler.close();
        if (state != NodeState.CLOSED) {
            moveTo(NodeState.CLOSED, "the node is stopping");
        }
    }
}
