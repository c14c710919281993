package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.raft.core.BrokerQueries;
import io.warren.raft.ratis.GroupView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every move of {@link NodeState} that {@link NodeLiveness} makes, driven by a fake cluster, a clock the test
 * sets and a scheduler that runs hand-offs at once: what the node sees, which state it moves to, and what it
 * does on the way (clients closed with 320 or let back in, registrations sent, down declarations).
 */
class NodeLivenessTest {
    private static final NodeLiveness.Timing TIMING = new NodeLiveness.Timing(5_000, 3_000, 250, 30_000, 5_000);

    private final FakeCluster cluster = new FakeCluster();
    private final FakeClients clients = new FakeClients();
    private long nowMs = 1_000;
    private final NodeLiveness liveness = new NodeLiveness("n1", TIMING, cluster,
            () -> TimeUnit.MILLISECONDS.toNanos(nowMs), new SplittableRandom(7), new InlineScheduler());

    @Test
    void shouldAwaitMembershipBeforeRegisteringAndRegisterOnceAdded() {
        cluster.members = List.of("n2", "n3");
        assertEquals(0, liveness.firstRegistrationStep());
        assertEquals(NodeState.AWAITING_MEMBERSHIP, liveness.state());
        assertTrue(cluster.registrations.isEmpty(), "a newcomer registers nothing before it is a member");

        cluster.members = List.of("n1", "n2", "n3");
        assertEquals(0, liveness.firstRegistrationStep());
        assertEquals(NodeState.REGISTERING, liveness.state());
        assertEquals(1, cluster.registrations.size());

        cluster.members = List.of("n2", "n3");
        liveness.firstRegistrationStep();
        assertEquals(NodeState.AWAITING_MEMBERSHIP, liveness.state(), "removed again while registering");
        assertEquals(Map.of("AWAITING_MEMBERSHIP->REGISTERING", 1L, "REGISTERING->AWAITING_MEMBERSHIP", 1L,
                "STARTING->AWAITING_MEMBERSHIP", 1L), liveness.moves());
    }

    @Test
    void shouldServeUnderTheFirstEpochOnceItsRegistrationApplies() throws Exception {
        cluster.answerRegistrationsWith(4);
        assertEquals(4, liveness.registerFirstEpoch(10_000));
        assertEquals(NodeState.REGISTERING, liveness.state());
        assertEquals(4, cluster.epoch, "commands and effects belong to the new epoch");
        assertFalse(liveness.isServing(), "nothing is served before the listener is up");

        liveness.start(clients);
        assertEquals(NodeState.SERVING, liveness.state());
        assertTrue(liveness.isServing());
    }

    @Test
    void shouldTakeAnEpochARestoredSnapshotRecordsWithoutItsAnswer() throws Exception {
        cluster.epochInStateForAnyIncarnation = 9;
        assertEquals(9, liveness.registerFirstEpoch(10_000));
    }

    @Test
    void shouldGiveUpTheFirstRegistrationAtItsDeadline() {
        NodeLiveness ticking = new NodeLiveness("n1", new NodeLiveness.Timing(5_000, 3_000, 10, 30_000, 5_000), cluster,
                () -> TimeUnit.MILLISECONDS.toNanos(nowMs += 100), new SplittableRandom(7), new InlineScheduler());
        ConfigException e = assertThrows(ConfigException.class, () -> ticking.registerFirstEpoch(2_000));
        assertTrue(e.getMessage().contains("could not register with the Raft group within 2 s"), e.getMessage());
        assertEquals(1, cluster.registrations.size(), "one registration, never a second while it is pending");
    }

    @Test
    void shouldSendANewRegistrationOnlyAfterThePendingOneFailed() throws Exception {
        liveness.firstRegistrationStep();
        liveness.firstRegistrationStep();
        assertEquals(1, cluster.registrations.size());
        cluster.registrations.get(0).completeExceptionally(new IllegalStateException("not committed"));
        liveness.firstRegistrationStep();
        liveness.firstRegistrationStep();
        assertEquals(2, cluster.registrations.size());
        assertFalse(Arrays.equals(cluster.incarnations.get(0), cluster.incarnations.get(1)), "a fresh incarnation");
    }

    @Test
    void shouldAskTheLeadershipToMoveOnceWhenARegistrationIsStuck() {
        cluster.leader = "n2";
        liveness.firstRegistrationStep();
        nowMs += 29_000;
        liveness.firstRegistrationStep();
        assertTrue(cluster.transfers.isEmpty());
        nowMs += 2_000;
        liveness.firstRegistrationStep();
        liveness.firstRegistrationStep();
        assertEquals(List.of("n3"), cluster.transfers, "to the member that is neither this node nor the leader");
    }

    @Test
    void shouldSuspendWhenOutOfContactLongerThanTheQuorumLossTimeout() throws Exception {
        serving(1);
        cluster.leader = null;
        liveness.tick();
        nowMs += 3_000;
        liveness.tick();
        assertEquals(NodeState.SERVING, liveness.state(), "not before the timeout has passed");
        nowMs += 1;
        liveness.tick();
        assertEquals(NodeState.SUSPENDED, liveness.state());
        assertEquals(ReplyCode.CONNECTION_FORCED, clients.suspendedWith.get(0).replyCode());
        assertTrue(clients.suspendedWith.get(0).getMessage().contains("lost contact with the cluster majority"));
        assertFalse(liveness.isServing());
    }

    @Test
    void shouldNotCountAShortSilenceTowardsTheNextOne() throws Exception {
        serving(1);
        cluster.leader = null;
        liveness.tick();
        nowMs += 2_500;
        cluster.leader = "n2";
        liveness.tick();
        cluster.leader = null;
        nowMs += 1_000;
        liveness.tick();
        nowMs += 1_000;
        liveness.tick();
        assertEquals(NodeState.SERVING, liveness.state());
    }

    @Test
    void shouldSuspendWhenTheStateNoLongerHoldsItsEpochLive() throws Exception {
        serving(1);
        cluster.liveEpochs.clear();
        liveness.tick();
        assertEquals(NodeState.REJOINING, liveness.state(), "suspended, and in contact: registering at once");
        assertTrue(clients.suspendedWith.get(0).getMessage().contains("its epoch 1 ended"));
        assertEquals(1L, liveness.moves().get("SERVING->SUSPENDED"));
    }

    @Test
    void shouldSuspendWhenTheLogEndsItsEpochAndIgnoreAnEarlierEpochsEnd() throws Exception {
        serving(2);
        liveness.epochEnded(1);
        assertEquals(NodeState.SERVING, liveness.state(), "an epoch this process no longer serves under");
        liveness.epochEnded(2);
        assertEquals(NodeState.SUSPENDED, liveness.state());
    }

    @Test
    void shouldSuspendWhenASnapshotReplacedTheStateItServedFrom() throws Exception {
        serving(1);
        liveness.stateReplaced();
        assertEquals(NodeState.SUSPENDED, liveness.state());
        assertTrue(clients.suspendedWith.get(0).getMessage().contains("a snapshot from the leader replaced its state"));
    }

    @Test
    void shouldRejoinUnderANewEpochOnceBackInContact() throws Exception {
        serving(1);
        cluster.leader = null;
        liveness.tick();
        nowMs += 3_001;
        liveness.tick();
        assertEquals(NodeState.SUSPENDED, liveness.state());
        liveness.tick();
        assertEquals(NodeState.SUSPENDED, liveness.state(), "no registration while out of contact");
        int sentBefore = cluster.registrations.size();

        cluster.leader = "n2";
        liveness.tick();
        assertEquals(NodeState.REJOINING, liveness.state());
        assertEquals(sentBefore + 1, cluster.registrations.size());
        assertEquals(0, clients.resumed, "clients stay refused until the new epoch applies");
        liveness.tick();
        assertEquals(sentBefore + 1, cluster.registrations.size(), "the pending registration is not sent again");

        cluster.registrations.get(cluster.registrations.size() - 1).complete(5L);
        liveness.tick();
        assertEquals(NodeState.SERVING, liveness.state());
        assertEquals(5, cluster.epoch);
        assertEquals(1, clients.resumed);
        assertEquals(1L, liveness.moves().get("REJOINING->SERVING"));
    }

    @Test
    void shouldStaySuspendedWhileNotAMemberAndRejoinOnceAddedBack() throws Exception {
        serving(1);
        liveness.stateReplaced();
        cluster.members = List.of("n2", "n3");
        liveness.tick();
        assertEquals(NodeState.NOT_A_MEMBER, liveness.state());
        int sent = cluster.registrations.size();
        liveness.tick();
        assertEquals(sent, cluster.registrations.size(), "no registration while not a member");

        cluster.members = List.of("n1", "n2", "n3");
        liveness.tick();
        assertEquals(NodeState.REJOINING, liveness.state());
        cluster.members = List.of("n2", "n3");
        liveness.tick();
        assertEquals(NodeState.NOT_A_MEMBER, liveness.state(), "removed while registering");
        assertEquals(1L, liveness.moves().get("REJOINING->NOT_A_MEMBER"));
    }

    @Test
    void shouldDeclareASilentNodeDownOnTheLeaderAndDeclareAgainOnlyAfterTheRedeclareTimeout() throws Exception {
        serving(1);
        cluster.leaderReady = true;
        cluster.leader = "n1";
        cluster.nodes = List.of(new BrokerQueries.NodeView("n1", 1, false, false, false),
                new BrokerQueries.NodeView("n2", 3, false, false, false),
                new BrokerQueries.NodeView("n3", 2, true, false, false));
        cluster.followerSilenceMs = Map.of("n2", 5_000L, "n3", 60_000L);
        liveness.tick();
        assertTrue(cluster.declared.isEmpty(), "silent for exactly the timeout is not yet down");
        cluster.followerSilenceMs = Map.of("n2", 5_001L, "n3", 60_000L);
        liveness.tick();
        assertEquals(List.of("n2/3"), cluster.declared, "n3 is down already");
        nowMs += 4_999;
        liveness.tick();
        assertEquals(List.of("n2/3"), cluster.declared);
        nowMs += 1;
        liveness.tick();
        assertEquals(List.of("n2/3", "n2/3"), cluster.declared, "sent again: the first may not have committed");
    }

    @Test
    void shouldDeclareDownANodeThatStayedOutOfTheConfigurationAsLongAsSilenceMust() throws Exception {
        serving(1);
        cluster.leaderReady = true;
        cluster.leader = "n1";
        cluster.members = List.of("n1", "n2");
        cluster.nodes = List.of(new BrokerQueries.NodeView("n4", 1, false, false, false));
        liveness.tick();
        nowMs += 5_000;
        liveness.tick();
        assertTrue(cluster.declared.isEmpty(), "a newcomer registers before the configuration naming it commits");
        nowMs += 1;
        liveness.tick();
        assertEquals(List.of("n4/1"), cluster.declared);
    }

    @Test
    void shouldForgetItsDeclarationsWhenItStopsLeading() throws Exception {
        serving(1);
        cluster.leaderReady = true;
        cluster.leader = "n1";
        cluster.nodes = List.of(new BrokerQueries.NodeView("n2", 3, false, false, false));
        cluster.followerSilenceMs = Map.of("n2", 9_000L);
        liveness.tick();
        cluster.leaderReady = false;
        cluster.leader = "n3";
        liveness.tick();
        cluster.leaderReady = true;
        cluster.leader = "n1";
        liveness.tick();
        assertEquals(List.of("n2/3", "n2/3"), cluster.declared, "a new term declares afresh");
    }

    @Test
    void shouldAllowOnlyTheMovesOfTheDiagramAndCloseFromAnyState() {
        Map<NodeState, EnumSet<NodeState>> allowed = new TreeMap<>(Map.of(
                NodeState.STARTING, EnumSet.of(NodeState.AWAITING_MEMBERSHIP, NodeState.REGISTERING),
                NodeState.AWAITING_MEMBERSHIP, EnumSet.of(NodeState.REGISTERING),
                NodeState.REGISTERING, EnumSet.of(NodeState.SERVING, NodeState.AWAITING_MEMBERSHIP),
                NodeState.SERVING, EnumSet.of(NodeState.SUSPENDED),
                NodeState.SUSPENDED, EnumSet.of(NodeState.REJOINING, NodeState.NOT_A_MEMBER),
                NodeState.NOT_A_MEMBER, EnumSet.of(NodeState.REJOINING),
                NodeState.REJOINING, EnumSet.of(NodeState.SERVING, NodeState.NOT_A_MEMBER),
                NodeState.CLOSED, EnumSet.noneOf(NodeState.class)));
        for (NodeState from : NodeState.values()) {
            for (NodeState to : NodeState.values()) {
                boolean expected = from != NodeState.CLOSED
                        && (to == NodeState.CLOSED || allowed.get(from).contains(to));
                assertEquals(expected, from.mayMoveTo(to), from + " -> " + to);
            }
        }
        assertEquals("node_rejoined", NodeState.SERVING.eventFrom(NodeState.REJOINING));
        assertEquals("node_serving", NodeState.SERVING.eventFrom(NodeState.REGISTERING));
        assertEquals("node_suspended", NodeState.SUSPENDED.eventFrom(NodeState.SERVING));
    }

    @Test
    void shouldRefuseAMoveTheDiagramDoesNotAllow() {
        // Serving needs a registered epoch: a node that never registered cannot start serving.
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> liveness.start(clients));
        assertTrue(e.getMessage().contains("STARTING cannot move to SERVING"), e.getMessage());
        assertEquals(NodeState.STARTING, liveness.state());
    }

    @Test
    void shouldCloseFromAnyStateAndIgnoreLooksAfterwards() throws Exception {
        serving(1);
        liveness.close();
        assertEquals(NodeState.CLOSED, liveness.state());
        liveness.stateReplaced();
        cluster.liveEpochs.clear();
        liveness.tick();
        assertEquals(NodeState.CLOSED, liveness.state());
        assertTrue(clients.suspendedWith.isEmpty());
    }

    @Test
    void shouldHoldItsLeaseWhileInContactAndLetItLapseWithoutALookAfterTheLeaseOfSilence() throws Exception {
        serving(1);
        assertTrue(liveness.holdsLease());
        nowMs += 2_000;
        liveness.tick();
        cluster.leader = null;
        nowMs += 2_999;
        liveness.tick();
        assertTrue(liveness.holdsLease(), "3 s after the last contact, at 2 s");
        nowMs += 2;
        assertFalse(liveness.holdsLease(), "the writers see the lapse before any look at the group");
        liveness.tick();
        assertEquals(NodeState.SUSPENDED, liveness.state());
        assertTrue(clients.suspendedWith.get(0).getMessage().contains("serving lease of 3000 ms lapsed"),
                clients.suspendedWith.get(0).getMessage());
    }

    @Test
    void shouldNotExtendALapsedLeaseWhenContactIsBackBeforeItsFirstLookAfterAPause() throws Exception {
        serving(1);
        nowMs += 10_000; // paused: no look at all, then the leader is heard again at once
        cluster.leaderSilenceMs = 0;
        assertFalse(liveness.holdsLease());
        liveness.tick();
        assertEquals(1L, liveness.moves().get("SERVING->SUSPENDED"), "a lapsed lease ends the epoch");
        assertEquals(NodeState.REJOINING, liveness.state(), "and the node registers a new one");
        assertFalse(liveness.holdsLease());
    }

    @Test
    void shouldCountTheLeaseFromWhenTheContactHappenedNotFromTheLook() throws Exception {
        serving(1);
        nowMs += 2_900;
        cluster.leaderSilenceMs = 2_000;
        liveness.tick(); // the leader was heard 2 s before this look: the lease ends 1 s from now, not 3 s
        nowMs += 1_000;
        assertTrue(liveness.holdsLease());
        nowMs += 1;
        assertFalse(liveness.holdsLease());
    }

    @Test
    void shouldExtendALeadersLeaseFromTheFollowerThatMakesItsMajority() throws Exception {
        serving(1);
        cluster.leaderReady = true;
        cluster.leader = "n1";
        cluster.followerSilenceMs = Map.of("n2", 60_000L, "n3", 200L);
        nowMs += 2_000;
        liveness.tick();
        nowMs += 2_800;
        assertTrue(liveness.holdsLease(), "n3 answered 200 ms before the look");
        cluster.followerSilenceMs = Map.of("n2", 60_000L, "n3", 3_100L);
        liveness.tick();
        nowMs += 1;
        assertFalse(liveness.holdsLease(), "a leader no majority answers lapses like anyone");
        liveness.tick();
        assertEquals(NodeState.SUSPENDED, liveness.state());
    }

    @Test
    void shouldRevokeTheLeaseWhenSuspendedAndGrantANewOneUnderTheNewEpoch() throws Exception {
        serving(1);
        cluster.liveEpochs.clear();
        liveness.tick();
        assertEquals(1L, liveness.moves().get("SERVING->SUSPENDED"));
        assertEquals(NodeState.REJOINING, liveness.state());
        assertFalse(liveness.holdsLease(), "an ended epoch speaks no more, lease or not");
        cluster.registrations.get(0).complete(2L);
        liveness.tick();
        assertEquals(NodeState.SERVING, liveness.state());
        assertTrue(liveness.holdsLease());
    }

    @Test
    void shouldRefuseALeaseThatDoesNotEndWellBeforeTheDownDeclaration() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NodeLiveness.Timing(3_000, 2_001, 250, 30_000, 5_000));
        assertTrue(e.getMessage().contains("quorum.lost.after.ms 2001 is the serving lease")
                && e.getMessage().contains("quorum.lost.after.ms <= 2000"), e.getMessage());
        new NodeLiveness.Timing(3_000, 2_000, 250, 30_000, 5_000);
        ConfigException config = assertThrows(ConfigException.class, () -> NodeConfig.parse(new String[] {
            "--node-id", "n1", "--data-dir", "/tmp/x", "--raft-address", "127.0.0.1:6001",
            "--node-down-after-ms", "3000", "--quorum-lost-after-ms", "3000"}));
        assertTrue(config.getMessage().contains("serving lease"), config.getMessage());
    }

    @Test
    void shouldRefuseTimeoutsShorterThanATick() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NodeLiveness.Timing(5_000, 200, 250, 30_000, 5_000));
        assertTrue(e.getMessage().contains("every other timeout at least one tick"), e.getMessage());
        ConfigException config = assertThrows(ConfigException.class, () -> NodeConfig.parse(new String[] {
            "--node-id", "n1", "--data-dir", "/tmp/x", "--raft-address", "127.0.0.1:6001",
            "--liveness-tick-ms", "5000"}));
        assertTrue(config.getMessage().contains("liveness timing"), config.getMessage());
    }

    private void serving(long epoch) throws Exception {
        cluster.answerRegistrationsWith(epoch);
        liveness.registerFirstEpoch(10_000);
        liveness.start(clients);
        cluster.liveEpochs.add(epoch);
        cluster.registrations.clear();
        cluster.answerRegistrationsWith(0); // later registrations stay pending until the test answers them
    }

    /** The group as the test sets it; records what the node sends. */
    private static final class FakeCluster implements LivenessCluster {
        List<String> members = List.of("n1", "n2", "n3");
        String leader = "n2";
        boolean leaderReady;
        Map<String, Long> followerSilenceMs = Map.of();
        /** How long ago a follower last heard its leader. */
        long leaderSilenceMs;
        List<BrokerQueries.NodeView> nodes = List.of();
        final List<Long> liveEpochs = new ArrayList<>();
        long epochInStateForAnyIncarnation;
        long answerWith;
        long epoch;
        final List<CompletableFuture<Long>> registrations = new ArrayList<>();
        final List<byte[]> incarnations = new ArrayList<>();
        final List<String> declared = new ArrayList<>();
        final List<String> transfers = new ArrayList<>();

        void answerRegistrationsWith(long epoch) {
            answerWith = epoch;
        }

        @Override
        public GroupView view() {
            String role = leaderReady ? "LEADER" : "FOLLOWER";
            long silence = leaderReady ? 0 : leader == null ? Long.MAX_VALUE : leaderSilenceMs;
            return new GroupView("n1", role, leader, leaderReady, silence, followerSilenceMs, members);
        }

        @Override
        public void transferLeadership(String member) {
            transfers.add(member);
        }

        @Override
        public List<BrokerQueries.NodeView> nodes() {
            return nodes;
        }

        @Override
        public boolean isLive(long epoch) {
            return liveEpochs.contains(epoch);
        }

        @Override
        public long epochRegisteredBy(byte[] incarnation) {
            return epochInStateForAnyIncarnation;
        }

        @Override
        public CompletableFuture<Long> register(byte[] incarnation) {
            CompletableFuture<Long> registration = answerWith == 0 ? new CompletableFuture<>()
                    : CompletableFuture.completedFuture(answerWith);
            registrations.add(registration);
            incarnations.add(incarnation.clone());
            return registration;
        }

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public void useEpoch(long epoch) {
            this.epoch = epoch;
            liveEpochs.add(epoch);
        }

        @Override
        public void declareDown(String node, long epoch) {
            declared.add(node + "/" + epoch);
        }
    }

    private static final class FakeClients implements NodeLiveness.Clients {
        final List<AmqpException> suspendedWith = new ArrayList<>();
        int resumed;

        @Override
        public void suspend(AmqpException why) {
            suspendedWith.add(why);
        }

        @Override
        public void resume() {
            resumed++;
        }
    }

    /** Runs hand-offs at once; periodic looks are the test's own {@code tick()} calls. */
    private static final class InlineScheduler implements Scheduler {
        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public void every(long periodMs, Runnable task) {}

        @Override
        public void close() {}
    }
}
