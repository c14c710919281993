package io.warren.node;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.server.AmqpServer;
import io.warren.proto.Command;
import io.warren.proto.DeclareNodeDown;
import io.warren.raft.core.BrokerQueries;
import io.warren.raft.ratis.CommandSubmitter;
import io.warren.raft.ratis.GroupView;
import io.warren.raft.ratis.RaftNode;
import io.warren.raft.ratis.WarrenStateMachine;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's epoch honest (DESIGN invariant 5), on one thread of its own, a few times a second:
 * <ul>
 *   <li>A node out of contact with a working majority for {@code quorumLostAfterMs} can commit nothing, so
 *       it stops serving: its clients are closed with 320 and its AMQP port refuses, so they reconnect to
 *       another node (RabbitMQ's pause_minority does the same).
 *   <li>A node whose epoch has ended (the leader declared it down while it was cut off or paused) stops
 *       serving the same way.
 *   <li>Either way it comes back only under a new epoch, registered through the log once it is in
 *       contact again, so nothing it held before (consumers, unacked deliveries, channels) can act twice.
 *   <li>On the leader: a member Raft has not heard from for {@code nodeDownAfterMs}, or a node that is no
 *       longer a member, is declared down through the log, which returns its unacked deliveries to their
 *       queues. Only a command does this, so a deposed leader's declaration simply fails to commit.
 * </ul>
 */
final class NodeLiveness implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeLiveness.class);
    private static final long TICK_MS = 250;
    private static final long REGISTRATION_TIMEOUT_MS = 15_000;
    /** How long a declaration may stay uncommitted before the leader sends it again. */
    private static final long REDECLARE_AFTER_MS = 5_000;
    /** A registration not applied after this long, while a leader is heard, is taken as stuck. */
    private static final long STUCK_AFTER_MS = 30_000;

    /** The timings; see the class comment. */
    record Timing(long nodeDownAfterMs, long quorumLostAfterMs) {}

    private final String nodeId;
    private final Timing timing;
    private final RaftNode raft;
    private final WarrenStateMachine stateMachine;
    private final EffectDispatcher dispatcher;
    private final CommandSubmitter submitter;
    private final ScheduledExecutorService thread;
    private final Map<String, Long> declaredAt = new HashMap<>();
    private final Map<String, Long> notMemberSince = new HashMap<>();
    private AmqpServer amqp;
    private volatile boolean serving;
    private long outOfContactSinceNanos;
    /** The registration sent and not yet applied; touched only by the liveness thread (and start-up). */
    private CompletableFuture<Long> registration;
    private byte[] registrationIncarnation;
    private long suspendedAtNanos;
    private boolean nudgedSinceSuspended;
    private boolean toldNotMember;

    NodeLiveness(String nodeId, Timing timing, RaftNode raft, WarrenStateMachine stateMachine,
            EffectDispatcher dispatcher, CommandSubmitter submitter) {
        this.nodeId = nodeId;
        this.timing = timing;
        this.raft = raft;
        this.stateMachine = stateMachine;
        this.dispatcher = dispatcher;
        this.submitter = submitter;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warren-liveness");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Registers this process's first epoch through the log and waits for it: the node serves nothing
     * before, so no client sees state older than the log.
     */
    long registerFirstEpoch(long timeoutMs) throws ConfigException, InterruptedException {
        long started = System.nanoTime();
        long deadline = started + timeoutMs * 1_000_000;
        long epoch = 0;
        boolean nudged = false;
        boolean toldWaiting = false;
        while (epoch == 0 && System.nanoTime() < deadline) {
            if (!isMember()) {
                // A newcomer before add_cluster_node committed: a registration would be accepted through the
                // members' log and then ended at once as "no longer a member", over and over.
                if (!toldWaiting) {
                    log.info("event=awaiting_membership action=\"registers once a member (warrenctl add_cluster_node)\"");
                    toldWaiting = true;
                }
                Thread.sleep(TICK_MS);
                continue;
            }
            epoch = register(Math.min(STUCK_AFTER_MS, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            if (epoch == 0 && !nudged && System.nanoTime() - started > STUCK_AFTER_MS * 1_000_000) {
                nudged = moveLeadershipAway();
            } else if (epoch == 0) {
                Thread.sleep(TICK_MS); // the registration failed outright: do not spin
            }
        }
        if (epoch == 0) {
            throw new ConfigException("could not register with the Raft group within " + timeoutMs / 1000
                    + " s (is a majority of peers up?)");
        }
        return epoch;
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
            GroupView view = raft.view();
            if (view.leader() == null || view.leader().equals(nodeId)) {
                return false;
            }
            for (String member : view.members()) {
                if (!member.equals(nodeId) && !member.equals(view.leader())) {
                    log.warn("event=registration_stuck leader={} action=transfer_leadership to={}", view.leader(), member);
                    raft.transferLeadership(member, 30_000);
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("event=transfer_leadership_failed error={}", e.toString());
            return true; // asked; do not keep asking
        }
        return false;
    }

    /** Starts watching once the AMQP listener serves. */
    void start(AmqpServer amqp) {
        this.amqp = amqp;
        this.serving = true;
        thread.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    boolean isServing() {
        return serving;
    }

    /** From the dispatcher (on Ratis' updater thread, which must not block): the log ended our epoch. */
    void epochEnded(long epoch) {
        thread.execute(() -> {
            if (serving && epoch == dispatcher.epoch()) {
                suspendForEndedEpoch();
            }
        });
    }

    /**
     * From Ratis' updater thread: a snapshot installed while serving skipped entries whose effects for this
     * node (deliveries, confirms, answers) were never performed, so this epoch cannot go on honestly.
     */
    void stateReplaced() {
        thread.execute(() -> {
            if (serving) {
                suspend("a snapshot from the leader replaced its state, skipping effects it owed its clients");
            }
        });
    }

    private void tick() {
        try {
            GroupView view = raft.view();
            boolean inContact = view.inContact(timing.quorumLostAfterMs());
            long now = System.nanoTime();
            if (inContact) {
                outOfContactSinceNanos = 0;
            } else if (outOfContactSinceNanos == 0) {
                outOfContactSinceNanos = now;
            }
            if (serving && !inContact && now - outOfContactSinceNanos > timing.quorumLostAfterMs() * 1_000_000) {
                suspend("it lost contact with the cluster majority");
            }
            if (serving && !stateMachine.query(q -> q.isLive(nodeId, dispatcher.epoch()))) {
                suspendForEndedEpoch();
            }
            if (!serving && inContact) {
                rejoin();
            }
            if (view.leaderReady()) {
                declareSilentNodesDown(view);
            } else {
                declaredAt.clear();
                notMemberSince.clear();
            }
        } catch (Exception e) {
            log.warn("event=liveness_tick_failed error={}", e.toString());
        } catch (Error e) {
            log.error("event=liveness_tick_failed error={}", e.toString());
            throw e;
        }
    }

    private void suspendForEndedEpoch() {
        suspend("its epoch " + dispatcher.epoch() + " ended: the cluster declared it down");
    }

    private void suspend(String why) {
        serving = false;
        suspendedAtNanos = System.nanoTime();
        nudgedSinceSuspended = false;
        log.warn("event=node_suspended epoch={} reason=\"{}\"", dispatcher.epoch(), why);
        amqp.suspend(AmqpException.of(ReplyCode.CONNECTION_FORCED, "node " + nodeId + " stopped serving: " + why
                + "; reconnect to another node"));
    }

    /** Back in contact: a new epoch (ending everything the old one held), then clients again. */
    private void rejoin() throws InterruptedException {
        if (!isMember()) {
            // Removed from the group (or not yet added back): serving again would only be ended again.
            if (!toldNotMember) {
                log.warn("event=not_a_member action=stay_suspended until=\"added with warrenctl add_cluster_node\"");
                toldNotMember = true;
            }
            return;
        }
        toldNotMember = false;
        long epoch = register(TICK_MS * 4);
        if (epoch == 0) {
            if (!nudgedSinceSuspended && System.nanoTime() - suspendedAtNanos > STUCK_AFTER_MS * 1_000_000) {
                nudgedSinceSuspended = moveLeadershipAway();
            }
            return; // still waiting: a later tick looks again
        }
        dispatcher.useEpoch(epoch);
        submitter.useEpoch(epoch);
        amqp.resume();
        serving = true;
        log.info("event=node_rejoined epoch={}", epoch);
    }

    /** True when this node's view of the Raft configuration names it as a voting member. */
    private boolean isMember() {
        try {
            return raft.view().members().contains(nodeId);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Waits up to {@code timeoutMs} for this node's registration, sending one only when none is pending:
     * a registration that timed out may still commit later, and a newer one sent meanwhile would then be
     * ended by it. Returns the epoch, or 0 while it is not (yet) applied.
     */
    private long register(long timeoutMs) throws InterruptedException {
        if (registration == null) {
            registrationIncarnation = new byte[16];
            new SecureRandom().nextBytes(registrationIncarnation);
            CompletableFuture<Long> registered = dispatcher.expectRegistration(registrationIncarnation);
            submitter.register(registrationIncarnation).whenComplete((done, error) -> {
                if (error != null) {
                    registered.completeExceptionally(error);
                }
            });
            registration = registered;
        }
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (true) {
            // The answer is an effect of applying the registration; a snapshot installed from the leader may
            // have covered that entry, so the state is asked too.
            byte[] incarnation = registrationIncarnation;
            long inState = stateMachine.query(q -> q.epochRegisteredBy(nodeId, incarnation));
            if (inState != 0) {
                registration = null;
                return inState;
            }
            long slice = Math.min(TICK_MS, Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            try {
                long epoch = registration.get(slice, TimeUnit.MILLISECONDS);
                registration = null;
                return epoch;
            } catch (TimeoutException e) {
                if (System.nanoTime() >= deadline) {
                    return 0;
                }
            } catch (ExecutionException e) {
                log.warn("event=register_failed error={}", e.getCause().toString());
                registration = null;
                return 0;
            }
        }
    }

    private void declareSilentNodesDown(GroupView view) {
        long now = System.nanoTime();
        for (BrokerQueries.NodeView node : stateMachine.query(BrokerQueries::nodes)) {
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
            boolean longGone = !member && now - notMemberSince.get(node.node()) > timing.nodeDownAfterMs() * 1_000_000;
            String why = longGone ? "no longer a member"
                    : silence != null && silence > timing.nodeDownAfterMs() ? "silent for " + silence + " ms" : null;
            if (why == null) {
                continue;
            }
            String key = node.node() + "/" + node.epoch();
            Long last = declaredAt.get(key);
            if (last != null && now - last < REDECLARE_AFTER_MS * 1_000_000) {
                continue;
            }
            declaredAt.put(key, now);
            log.warn("event=declare_node_down node_down={} epoch={} reason=\"{}\"", node.node(), node.epoch(), why);
            submitter.submit(Command.newBuilder().setDeclareNodeDown(DeclareNodeDown.newBuilder()
                    .setNode(node.node()).setEpoch(node.epoch())).build());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
