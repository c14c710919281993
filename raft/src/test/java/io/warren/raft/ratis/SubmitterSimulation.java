package io.warren.raft.ratis;

import io.warren.proto.Batch;
import io.warren.proto.ChannelRef;
import io.warren.proto.Command;
import io.warren.proto.ConnectionRef;
import io.warren.proto.DeclareQueue;
import io.warren.proto.OpenConnection;
import io.warren.proto.Publish;
import io.warren.proto.RegisterNode;
import io.warren.raft.core.BrokerCore;
import io.warren.raft.core.Effect;
import io.warren.raft.core.SnapshotBytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One seeded run of the real {@link CommandSubmitter}s of three (or five) nodes and their real {@link BrokerCore}s over
 * a simulated replicated log, in one thread on simulated time (issue 17's simulator, its first layer: the
 * log and the submitters, below the node's liveness and effects). The log commits an entry, refuses it,
 * or loses track of it: the submitter then hears a timeout while the entry commits later, or never, and
 * sends it again; answers arrive late and out of order. As in Raft, a node's entries commit in the order
 * it sent them, save resends, which land wherever they land. Each client opens its connection, declares
 * its queue and waits for each answer, as an AMQP client does, then publishes with confirms and consumes
 * with acks; a client whose channel breaks closes its connection and a new one connects.
 *
 * <p>Nodes also crash: the process is gone with whatever it had not sent, entries it had sent may still
 * commit, and it restarts from the last snapshot it took (a snapshot of its core every few entries, as a node
 * writes one), replays the committed log after it, registers again under a new epoch and its client starts
 * over on a new connection, while the client of the old one never hears of its publishes in flight. A node
 * also falls behind now and then and is sent another node's latest snapshot, which replaces its state: it
 * registers again in the same way; and a node is declared down by another while it lives (or while it is
 * down after a crash): once it hears its epoch ended it registers again and its client starts over.
 * Members join (from another's snapshot) and leave (declared down); a node is cut off for a while.
 *
 * <p>After the faults stop and everything has drained, {@link #check} says what went wrong, if anything:
 * a publish applied twice, a confirm for a publish that was never sent, a publish left unanswered (neither
 * confirmed nor reported failed) by a client that lives on, a batch of an epoch that had ended applied,
 * cores that disagree (a restarted one too, or one that applies the whole log from the start), a message
 * that entered the queue and was not delivered and acked once, a queue not drained, fewer messages consumed
 * than were confirmed or more than were confirmed or left in doubt by ended clients. The same seed gives the
 * same run, event for event.
 */
final class SubmitterSimulation {
    /** Faults the harness can put back in on purpose, to show that the checks catch them. */
    enum Bug {
        NONE,
        /** A resend goes as a new batch (a fresh sequence), so the core cannot tell it from the first. */
        RESEND_AS_NEW_BATCH,
        /** A restarted node loads its snapshot but does not replay the log after it. */
        RESTART_WITHOUT_REPLAY,
        /** A restarted node goes on under its old epoch instead of registering again. */
        RESTART_KEEPS_OLD_EPOCH,
        /** A node declared down while alive does not notice that its epoch ended, and goes on in it. */
        IGNORE_EPOCH_ENDED,
        /** Consumers take messages without acks (auto-ack): what a client held when it ended is gone. */
        CONSUME_WITHOUT_ACKS
    }

    private static final long FAULTS_UNTIL_MS = 2_000;
    private static final long END_MS = 60_000;
    private static final long RESEND_WINDOW_MS = 1_000;
    /** A client's requests: its open and its declare, numbered per connection attempt. */
    private static final long OPEN = 1;
    private static final long DECLARE = 2;
    private static final long CONSUME = 3;
    private static final long CLOSE = 4;
    private static final long REQUESTS_PER_ATTEMPT = 16;
    /** A node's declaration that another is down (no client request has this number). */
    private static final long DOWN = 7;
    /** A node snapshots its core after every this many entries it applies. */
    private static final int SNAPSHOT_EVERY = 16;

    private final int nodeCount;
    private final Bug bug;
    private final SplittableRandom random;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final List<Batch> log = new ArrayList<>();
    private final List<SimNode> nodes = new ArrayList<>();
    /** For each node, from which log index each of its epochs is live (the registration's). */
    private final Map<String, TreeMap<Long, Long>> epochsFrom = new TreeMap<>();
    /** Batches of an ended epoch that applied anyway. */
    private final java.util.Set<String> staleApplied = new java.util.LinkedHashSet<>();
    /** Every message key delivered to a consumer, and how many times. */
    private final Map<Long, Integer> delivered = new TreeMap<>();
    /** Every client of every epoch of every node, in the order they started. */
    private final List<Client> clients = new ArrayList<>();
    private final List<String> trace = new ArrayList<>();
    /** Newcomers so far (named after the first nodes). */
    private int joined;
    /** Nodes that heard their epoch end while alive and registered again. */
    private int rejoinedWhileAlive;
    private long nowMs;
    private long order;
    /** Until when the group has no leader: every append is refused meanwhile. */
    private long electionUntilMs;

    SubmitterSimulation(long seed, Bug bug) {
        this(seed, 3, bug);
    }

    SubmitterSimulation(long seed, int nodeCount, Bug bug) {
        this.nodeCount = nodeCount;
        this.bug = bug;
        this.random = new SplittableRandom(seed);
    }

    /** Runs the whole simulation; returns what went wrong (empty when nothing did). */
    List<String> run() {
        for (int i = 1; i <= nodeCount; i++) {
            nodes.add(new SimNode("n" + i));
        }
        for (SimNode node : nodes) {
            node.register();
        }
        for (SimNode node : nodes) {
            node.startClient();
        }
        schedule(1, () -> { }); // the first pumps send the opens; each client goes on from its answers
        schedule(50 + random.nextInt(300), this::elect);
        int crashes = random.nextInt(3); // none, one or two crashes in a run
        for (int i = 0; i < crashes; i++) {
            schedule(100 + random.nextInt((int) FAULTS_UNTIL_MS - 400), this::crash);
        }
        if (random.nextInt(3) == 0) {
            schedule(100 + random.nextInt((int) FAULTS_UNTIL_MS - 600), this::fallBehind);
        }
        if (random.nextInt(3) == 0) {
            schedule(100 + random.nextInt((int) FAULTS_UNTIL_MS - 600), this::declareDown);
        }
        if (random.nextInt(4) == 0) {
            schedule(100 + random.nextInt((int) FAULTS_UNTIL_MS - 600), this::join);
        }
        if (random.nextInt(3) == 0) {
            schedule(100 + random.nextInt((int) FAULTS_UNTIL_MS - 800), this::cutOff);
        }
        if (random.nextInt(4) == 0) {
            schedule(100 + random.nextInt((int) FAULTS_UNTIL_MS - 600), this::leave);
        }
        while (!events.isEmpty() && nowMs <= END_MS) {
            Event event = events.poll();
            nowMs = event.atMs;
            event.action.run();
            for (SimNode node : nodes) {
                node.pump();
            }
        }
        return check();
    }

    /**
     * How many clients of a node that registered again (restarted, replaced by a snapshot or declared down)
     * had publishes confirmed: that those paths were exercised.
     */
    int restartsConfirmed() {
        return (int) clients.stream().filter(c -> c.afterRegisteringAgain && !c.confirms.isEmpty()).count();
    }

    /** How many times a node declared down while alive registered again. */
    int rejoinedWhileAlive() {
        return rejoinedWhileAlive;
    }

    /** The last events, for a failing seed's report. */
    List<String> trace() {
        int shown = Integer.getInteger("sim.trace", 60); // -Dsim.trace=N shows the last N events
        return trace.subList(Math.max(0, trace.size() - shown), trace.size());
    }

    /** A leader change: for a while nothing is appended; entries already appended commit as they were. */
    private void elect() {
        if (!faulty()) {
            return;
        }
        electionUntilMs = nowMs + 5 + random.nextInt(60);
        note("leader lost; a new one is elected at " + electionUntilMs + " ms");
        schedule(100 + random.nextInt(400), this::elect);
    }

    /** A node dies (kill -9) and starts again a little later from its last snapshot. */
    private void crash() {
        int at = random.nextInt(nodes.size());
        SimNode dead = nodes.get(at);
        if (dead.dead) {
            return; // down already: it restarts as scheduled
        }
        dead.dead = true;
        dead.client.ended = true;
        long downMs = 20 + random.nextInt(200);
        note(dead.id + " crashes (epoch " + dead.epoch + ", snapshot at #" + dead.snapshotIndex + "); back in " + downMs
                + " ms");
        if (downMs > 120) {
            schedule(100, () -> declareDown(dead.id, dead.epoch)); // a survivor's liveness notices
        }
        schedule(downMs, () -> {
            SimNode restarted = new SimNode(dead.id, dead.snapshot, dead.snapshotIndex);
            nodes.set(nodes.indexOf(dead), restarted); // by identity: members may have come and gone since
            restarted.restart(dead.epoch);
        });
    }

    /**
     * A node stops applying for a while; then, as a leader does for a follower whose entries it purged, it
     * is sent the latest snapshot of another node and its state is replaced. Its node registers again, as
     * NodeLiveness does when the state machine's state is replaced, and its client starts over.
     */
    private void fallBehind() {
        int at = random.nextInt(nodes.size());
        SimNode behind = nodes.get(at);
        if (behind.dead) {
            return;
        }
        long stallMs = 100 + random.nextInt(300);
        behind.stalledUntilMs = nowMs + stallMs;
        note(behind.id + " stops applying for " + stallMs + " ms at #" + behind.applied);
        schedule(stallMs, () -> {
            SimNode donor = null;
            for (SimNode other : nodes) {
                if (other != behind && !other.dead && other.snapshot != null
                        && (donor == null || other.snapshotIndex > donor.snapshotIndex)) {
                    donor = other;
                }
            }
            if (behind.dead || !nodes.contains(behind) || donor == null || donor.snapshotIndex <= behind.applied) {
                behind.catchUp(); // nothing newer to install: it catches up from the log
                return;
            }
            behind.dead = true;
            behind.client.ended = true;
            note(behind.id + " at #" + behind.applied + " installs " + donor.id + "'s snapshot at #"
                    + donor.snapshotIndex);
            SimNode installed = new SimNode(behind.id, donor.snapshot, donor.snapshotIndex);
            nodes.set(nodes.indexOf(behind), installed);
            installed.restart(behind.epoch);
        });
    }

    /**
     * A partition isolates a node for a while: what it sends reaches nobody (its submitter hears timeouts)
     * and it applies nothing new; the others may declare it down meanwhile, as their liveness does after
     * the down timeout. Once healed it catches up, and if its epoch ended it hears so and registers again.
     */
    private void cutOff() {
        SimNode isolated = nodes.get(random.nextInt(nodes.size()));
        if (isolated.dead) {
            return;
        }
        long forMs = 200 + random.nextInt(400);
        isolated.cutOffUntilMs = nowMs + forMs;
        isolated.stalledUntilMs = Math.max(isolated.stalledUntilMs, nowMs + forMs);
        note(isolated.id + " is cut off for " + forMs + " ms");
        if (random.nextBoolean()) {
            long epoch = isolated.epoch;
            schedule(forMs / 2, () -> declareDown(isolated.id, epoch));
        }
        schedule(forMs + 1, () -> {
            note(isolated.id + " is reachable again");
            isolated.catchUp();
        });
    }

    /**
     * A node that lives is declared down by another (as liveness does with a node cut off or paused past
     * the down timeout): its epoch ends, and once it hears so it registers again and its client starts over.
     */
    private void declareDown() {
        SimNode victim = nodes.get(random.nextInt(nodes.size()));
        if (!victim.dead && !victim.rejoining) {
            declareDown(victim.id, victim.epoch);
        }
    }

    private void declareDown(String node, long epoch) {
        List<SimNode> others = nodes.stream().filter(n -> !n.dead && !n.id.equals(node)).toList();
        if (others.isEmpty()) {
            schedule(300, () -> declareDown(node, epoch)); // every other node is down: the first back does it
            return;
        }
        SimNode declarer = others.get(random.nextInt(others.size()));
        note(declarer.id + " declares " + node + " (epoch " + epoch + ") down");
        declarer.submitter.submit(io.warren.raft.core.Commands.declareNodeDown(node, epoch).setRequest(DOWN).build());
        // As liveness does (redeclare.down.after.ms): until the log shows that epoch ended, declare it again.
        schedule(300, () -> redeclareDown(node, epoch));
    }

    /** Declares the epoch down again unless a living node's applied log shows it ended. */
    private void redeclareDown(String node, long epoch) {
        SimNode witness = nodes.stream().filter(n -> !n.dead && !n.id.equals(node)).findFirst().orElse(null);
        if (witness == null) {
            schedule(300, () -> redeclareDown(node, epoch)); // nobody to look: look again later
            return;
        }
        boolean live = witness.core.queries().nodes().stream()
                .anyMatch(v -> v.node().equals(node) && v.epoch() == epoch && !v.down());
        if (live) {
            declareDown(node, epoch);
        }
    }

    /**
     * Membership grows: a newcomer is sent the latest snapshot of a member (as Ratis does for a node added
     * with an empty log), replays the log after it, registers and starts its client.
     */
    private void join() {
        SimNode donor = null;
        for (SimNode node : nodes) {
            if (!node.dead && node.snapshot != null && (donor == null || node.snapshotIndex > donor.snapshotIndex)) {
                donor = node;
            }
        }
        String id = "n" + (++joined + nodeCount);
        SimNode newcomer = donor == null ? new SimNode(id) : new SimNode(id, donor.snapshot, donor.snapshotIndex);
        note(id + " joins from " + (donor == null ? "the initial state" : donor.id + "'s snapshot at #"
                + donor.snapshotIndex));
        nodes.add(newcomer);
        newcomer.catchUp();
        newcomer.register();
        newcomer.startClient();
    }

    /** Membership shrinks: a node is stopped for good and declared down; it is no longer checked. */
    private void leave() {
        List<SimNode> living = nodes.stream().filter(n -> !n.dead).toList();
        if (living.size() <= 2) {
            return;
        }
        SimNode leaving = living.get(random.nextInt(living.size()));
        leaving.dead = true;
        leaving.client.ended = true;
        nodes.remove(leaving);
        note(leaving.id + " leaves the cluster (epoch " + leaving.epoch + ")");
        declareDown(leaving.id, leaving.epoch);
    }

    private boolean faulty() {
        return nowMs < FAULTS_UNTIL_MS && nowMs > 20;
    }

    private void schedule(long afterMs, Runnable action) {
        events.add(new Event(nowMs + afterMs, ++order, action));
    }

    private void note(String what) {
        trace.add(nowMs + " ms: " + what);
    }

    /** Appends a batch to the committed log; every node applies it at once. */
    private void commit(Batch batch) {
        Batch stamped = batch.toBuilder().setLeaderTimeMs(nowMs).build();
        log.add(stamped);
        note("commit #" + log.size() + " " + batch.getNode() + "/" + batch.getEpoch() + "/" + batch.getSequence()
                + " (" + batch.getCommandsCount() + " commands)");
        for (SimNode node : nodes) {
            // Each node applies the log in order, at its own pace: now and then one lags far behind.
            long lagMs = random.nextInt(50) == 0 ? 50 + random.nextInt(300) : random.nextInt(3);
            schedule(lagMs, node::catchUp);
        }
    }

    private List<String> check() {
        List<String> problems = new ArrayList<>();
        if (!events.isEmpty()) {
            problems.add("still busy at " + END_MS + " ms of simulated time: " + events.size() + " events waiting");
        }
        byte[] first = SnapshotBytes.of(nodes.get(0).core);
        var queue = nodes.get(0).core.queries().queues("/").stream().filter(q -> q.name().equals("q")).findFirst();
        int left = queue.map(q -> q.messagesReady() + q.messagesUnacknowledged()).orElse(0);
        int consumed = delivered.size();
        int confirmed = 0;
        int inDoubt = 0;
        problems.addAll(staleApplied);
        for (SimNode node : nodes) {
            if (!Arrays.equals(first, SnapshotBytes.of(node.core))) {
                problems.add(node.id + "'s state differs from n1's after applying the same log"
                        + (node.restarted ? " (it restarted from a snapshot)" : ""));
            }
        }
        for (SimNode node : nodes) {
            if (!node.client.declared) {
                problems.add(node.id + "'s client never got its connection and queue (epoch " + node.epoch + ")");
            }
        }
        boolean anyEnded = false;
        for (Client client : clients) {
            String who = client.node + "/" + client.epoch;
            anyEnded |= client.ended;
            for (var entry : client.confirms.entrySet()) {
                long sequence = entry.getKey();
                if (entry.getValue() > 1) {
                    problems.add(who + " publish " + sequence + " confirmed " + entry.getValue() + " times");
                }
                if (sequence < 1 || sequence > client.lastSequence) {
                    problems.add(who + " confirm " + sequence + " for a publish never sent");
                }
            }
            confirmed += client.confirms.size();
            for (long sequence = 1; sequence <= client.lastSequence; sequence++) {
                if (client.confirms.containsKey(sequence)) {
                    continue;
                }
                if (client.ended) {
                    inDoubt++; // its client lost the connection: the publish may or may not have applied
                } else if (!client.failed.containsKey(sequence)) {
                    problems.add(who + " publish " + sequence + " was never answered (neither confirmed nor"
                            + " reported failed)");
                }
            }
        }
        // A core that applies the whole log from the start: the same state as the nodes', and in its counts every
        // message that entered the queue was delivered and acked once (none delivered and then dropped).
        BrokerCore whole = BrokerCore.initial();
        for (int i = 0; i < log.size(); i++) {
            whole.apply(i + 1, 1, log.get(i));
        }
        if (!Arrays.equals(first, SnapshotBytes.of(whole))) {
            problems.add("a core applying the whole log from the start differs from the nodes'");
        }
        whole.queries().queues("/").stream().filter(q -> q.name().equals("q")).findFirst().ifPresent(q -> {
            var counted = q.messageStats();
            if (counted.publish() != consumed || counted.ack() != counted.publish()) {
                problems.add(counted.publish() + " messages entered queue q, " + consumed + " were consumed and "
                        + counted.ack() + " acked: one dropped, or taken without an ack");
            }
        });
        if (left != 0) {
            problems.add("queue q was not drained: " + queue.map(q -> q.messagesReady() + " ready, "
                    + q.messagesUnacknowledged() + " unacked, " + q.consumers() + " consumers").orElse("")
                    + "; clients " + nodes.stream().map(n -> n.id + "/" + n.epoch + (n.client.consuming ? " consuming"
                    : n.client.declared ? " declared" : " connecting")).toList());
        }
        if (!anyEnded && consumed != confirmed) {
            problems.add(consumed + " messages were consumed, but " + confirmed + " publishes were confirmed:"
                    + " a publish applied twice, or one applied without its confirm, or one lost");
        } else if (consumed < confirmed || consumed > confirmed + inDoubt) {
            problems.add(consumed + " messages were consumed, but " + confirmed + " publishes were confirmed and "
                    + inDoubt + " left in doubt by ended clients: a confirmed publish lost, or one applied twice");
        }
        return problems;
    }

    /** One client of a node's epoch: its connection attempts, its publishes and the answers it heard. */
    private static final class Client {
        final String node;
        final long epoch;
        /** Its node registered before: restarted, replaced by a snapshot, or declared down while alive. */
        final boolean afterRegisteringAgain;
        final Map<Long, Integer> confirms = new TreeMap<>();
        final Map<Long, Boolean> failed = new TreeMap<>();
        long attempt;
        ChannelRef channel;
        long lastSequence;
        /** Its connection is open and its queue declared. */
        boolean declared;
        /** Its epoch ended (the node crashed, or was replaced or declared down): it hears nothing more. */
        boolean ended;
        /** Its consumer on the channel is started. */
        boolean consuming;
        /** The deliveries it was given, as channel/tag. */
        final java.util.Set<String> tags = new java.util.HashSet<>();

        Client(String node, long epoch, boolean afterRegisteringAgain) {
            this.node = node;
            this.epoch = epoch;
            this.afterRegisteringAgain = afterRegisteringAgain;
        }
    }

    private record Event(long atMs, long order, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event other) {
            return atMs != other.atMs ? Long.compare(atMs, other.atMs) : Long.compare(order, other.order);
        }
    }

    /** One incarnation of a node: its core, its submitter (pumped, never started), and its publishing client. */
    private final class SimNode implements CommandSubmitter.Listener {
        final String id;
        final BrokerCore core;
        /** Crashed: it applies, sends and hears nothing more; a new incarnation takes its place. */
        boolean dead;
        boolean restarted;
        /** It applies nothing before this (a node fallen behind). */
        long stalledUntilMs;
        /** Until then it is cut off from the others (a partition): its entries reach nobody, none reach it. */
        long cutOffUntilMs;
        /** Its client of the current epoch (a new one after every registration). */
        Client client;
        /** Its epoch ended while it lived: it registers again. */
        private boolean rejoining;
        /** Connection attempts of all its clients (numbers connections and requests uniquely). */
        private long attempts;
        /** Which client each channel of this node belongs to. */
        private final Map<ChannelRef, Client> byChannel = new java.util.HashMap<>();
        /** The last snapshot it took, and the log index it covers: what a restart loads. */
        byte[] snapshot;
        long snapshotIndex;
        final CommandSubmitter submitter;
        /** The sequences of the batches this node's log has seen: a second sighting is a resend. */
        private final java.util.Set<Long> seen = new java.util.TreeSet<>();
        private long renumbered;
        /** When this node's latest first-time entry commits: a later one cannot commit before it. */
        private long inOrderCommitAtMs;
        private long epoch;
        private long registeredAt;
        private long wakeAtMs;
        private long applied;

        SimNode(String id) {
            this(id, null, 0);
        }

        /** An incarnation starting from {@code snapshot} (null: the initial state), applied up to its index. */
        SimNode(String id, byte[] snapshot, long snapshotIndex) {
            this.id = id;
            this.core = snapshot == null ? BrokerCore.initial() : SnapshotBytes.load(snapshot);
            this.snapshot = snapshot;
            this.snapshotIndex = snapshotIndex;
            this.applied = snapshotIndex;
            // As a node runs: one entry that is not full out at a time, full ones beside it.
            this.submitter = new CommandSubmitter(this::append, id, new CommandSubmitter.Limits(4, 1, 1 << 16, 1L << 30,
                    RESEND_WINDOW_MS), this, new HotPathCounters(), () -> TimeUnit.MILLISECONDS.toNanos(nowMs));
        }

        /** Registration goes straight into the log: it is not what this simulation tests. */
        void register() {
            commit(Batch.newBuilder().setNode(id).addCommands(Command.newBuilder().setRequest(1)
                    .setRegisterNode(RegisterNode.newBuilder().setNode(id))).build());
            catchUp();
            epoch = registeredAt;
            submitter.useEpoch(epoch);
        }

        /**
         * As a restarted node: the committed log after its snapshot is replayed into the loaded core, then it
         * registers again (a new epoch, which ends the old one) and its client opens a new connection.
         */
        void restart(long oldEpoch) {
            restarted = true;
            if (bug == Bug.RESTART_WITHOUT_REPLAY) {
                applied = log.size();
            }
            catchUp(); // its epoch is 0 meanwhile: the old incarnation's answers are not this one's
            note(id + " restarted from #" + snapshotIndex + ", replayed to #" + applied);
            if (bug == Bug.RESTART_KEEPS_OLD_EPOCH) {
                epoch = oldEpoch;
                submitter.useEpoch(epoch);
            } else {
                register();
            }
            startClient();
        }

        /** A client of this epoch, which connects and declares its queue, then publishes. */
        void startClient() {
            client = new Client(id, epoch, restarted || epoch > 1);
            clients.add(client);
            open();
        }

        /** A connection attempt: a new connection and channel, and its open. */
        void open() {
            long attempt = ++attempts;
            client.attempt = attempt;
            ConnectionRef connection = ConnectionRef.newBuilder().setNode(id).setEpoch(epoch).setId(2 * attempt - 1)
                    .build();
            client.channel = ChannelRef.newBuilder().setConnection(connection).setId(2 * attempt).setNumber(1).build();
            byChannel.put(client.channel, client);
            submitter.submit(Command.newBuilder().setRequest(request(OPEN)).setOpenConnection(OpenConnection
                    .newBuilder().setConnection(connection).setUser("guest").setVhost("/").setName(id + " client"))
                    .build());
        }

        private long request(long which) {
            return client.attempt * REQUESTS_PER_ATTEMPT + which;
        }

        /**
         * The core answered a request: the client takes its next step, as an AMQP client would. A refused
         * open or declare makes it start over on a new connection, as a failed one does (the node closes the
         * client, which reconnects); answers to an earlier attempt's requests are stale.
         */
        private void answered(long request, boolean refused) {
            if (request == request(CONSUME) && !client.consuming) {
                if (refused) {
                    abandon(client, "its consume was refused");
                } else {
                    client.consuming = true;
                }
                return;
            }
            if (client.declared || (request != request(OPEN) && request != request(DECLARE))) {
                return;
            }
            if (refused) {
                reconnect();
            } else if (request == request(OPEN)) {
                submitter.submit(Command.newBuilder().setRequest(request(DECLARE)).setChannel(client.channel)
                        .setDeclareQueue(DeclareQueue.newBuilder().setName("q").setDurable(true)).build());
            } else {
                client.declared = true;
                Client publisher = client;
                submitter.submit(io.warren.raft.core.Commands.consume("q", "c", bug == Bug.CONSUME_WITHOUT_ACKS)
                        .setRequest(request(CONSUME))
                        .setChannel(client.channel).build());
                schedule(1 + random.nextInt(5), () -> publish(publisher));
            }
        }

        /**
         * A message for the consumer of {@code consumer}: acked a little later on the channel it came on,
         * unless the client is gone by then (what it held goes back when its connection or epoch ends).
         */
        private void deliver(Client consumer, Effect.Deliver delivery) {
            delivered.merge(delivery.messageKey(), 1, Integer::sum);
            if (!consumer.tags.add(delivery.channel().getId() + "/" + delivery.deliveryTag())) {
                staleApplied.add(id + " delivery tag " + delivery.deliveryTag() + " given twice on channel "
                        + delivery.channel().getId());
            }
            schedule(1 + random.nextInt(10), () -> {
                if (!dead && consumer == client && !consumer.ended && bug != Bug.CONSUME_WITHOUT_ACKS) {
                    submitter.submit(io.warren.raft.core.Commands.ack(delivery.deliveryTag(), false)
                            .setChannel(delivery.channel()).build());
                }
            });
        }

        /**
         * The client's channel is broken (an ack or consume failed, or the core closed the channel): as a
         * client library does, it closes the connection, which gives back what it held unacked, and a new
         * client connects; the old one never hears of its publishes in flight.
         */
        private void abandon(Client broken, String why) {
            if (broken != client || broken.ended) {
                return;
            }
            note(id + " client on " + broken.channel.getConnection().getId() + " gives up (" + why + ")");
            broken.ended = true;
            closeConnection(broken.channel.getConnection(), broken.attempt);
            startClient();
        }

        /** Closes a connection, again and again until the core has it closed. */
        private void closeConnection(ConnectionRef connection, long attempt) {
            if (!dead && connection.getEpoch() == epoch) {
                submitter.submit(io.warren.raft.core.Commands.closeConnection(connection)
                        .setRequest(attempt * REQUESTS_PER_ATTEMPT + CLOSE).build());
            }
        }

        private void reconnect() {
            note(id + " client starts over on a new connection");
            schedule(5 + random.nextInt(20), () -> {
                if (!dead) {
                    open();
                }
            });
        }

        void publish(Client publisher) {
            if (dead || publisher != client || (publisher.ended && bug != Bug.IGNORE_EPOCH_ENDED)
                    || nowMs >= FAULTS_UNTIL_MS) {
                return; // its epoch is over, or the faults are: what was sent must now settle
            }
            long sequence = ++publisher.lastSequence;
            submitter.submit(Command.newBuilder().setChannel(publisher.channel).setPublish(Publish.newBuilder()
                    .setRoutingKey("q").setConfirmSequence(sequence).setPersistent(true).setSize(1).setBodySize(1))
                    .build());
            schedule(1 + random.nextInt(8), () -> publish(publisher));
        }

        /** Its epoch ended while it lived: it registers again, and a new client starts. */
        private void rejoin() {
            if (dead) {
                return;
            }
            if (nowMs < stalledUntilMs) {
                schedule(stalledUntilMs - nowMs + 1, this::rejoin); // it hears its registration once it applies
                return;
            }
            epoch = 0;
            register();
            rejoining = false;
            rejoinedWhileAlive++;
            note(id + " registered again: epoch " + epoch);
            startClient();
        }

        void pump() {
            if (dead) {
                return;
            }
            long dueNanos = submitter.pump();
            if (dueNanos > 0) {
                long atMs = nowMs + Math.max(1, TimeUnit.NANOSECONDS.toMillis(dueNanos));
                if (wakeAtMs <= nowMs || atMs < wakeAtMs) {
                    wakeAtMs = atMs; // a wake-up for the resend that falls due; the pumps after every event send it
                    schedule(atMs - nowMs, () -> { });
                }
            }
        }

        /** This node's EntryLog: the simulated group decides what becomes of the entry. */
        CompletableFuture<Void> append(byte[] frame) {
            Batch batch = parse(frame);
            boolean resend = !seen.add(batch.getSequence());
            if (resend && bug == Bug.RESEND_AS_NEW_BATCH) {
                batch = batch.toBuilder().setSequence(batch.getSequence() + 1_000_000L * ++renumbered).build();
            }
            Batch entry = batch;
            CompletableFuture<Void> outcome = new CompletableFuture<>();
            String name = id + "/" + entry.getEpoch() + "/" + entry.getSequence();
            double roll = faulty() ? random.nextDouble() : 1;
            if (nowMs < cutOffUntilMs) {
                note("cut off: " + name + " reaches nobody");
                schedule(5 + random.nextInt(25), () -> outcome.completeExceptionally(new TimeoutException("cut off")));
            } else if (nowMs < electionUntilMs || roll < 0.08) {
                note("refuse " + name);
                schedule(1 + random.nextInt(3), () -> outcome.completeExceptionally(new IOException("not the leader")));
            } else if (roll < 0.16) {
                boolean commitsLater = random.nextBoolean();
                long commitAfter = inOrder(resend, random.nextInt(60));
                note("lose track of " + name
                        + (commitsLater ? ", commits in " + commitAfter + " ms" : ", never commits"));
                schedule(5 + random.nextInt(25),
                        () -> outcome.completeExceptionally(new TimeoutException("no answer")));
                if (commitsLater) {
                    schedule(commitAfter, () -> commit(entry));
                }
            } else if (roll < 0.20) {
                note("commit " + name + ", answer lost");
                schedule(inOrder(resend, 1 + random.nextInt(5)), () -> commit(entry));
                schedule(10 + random.nextInt(20), () -> outcome.completeExceptionally(new TimeoutException("lost")));
            } else {
                long commitAfter = inOrder(resend, 1 + random.nextInt(5));
                schedule(commitAfter, () -> commit(entry));
                schedule(commitAfter + random.nextInt(4), () -> outcome.complete(null));
            }
            return outcome;
        }

        /** A first-time entry commits after every earlier one of this node; a resend whenever it lands. */
        private long inOrder(boolean resend, long afterMs) {
            if (resend) {
                return afterMs;
            }
            long atMs = Math.max(nowMs + afterMs, inOrderCommitAtMs);
            inOrderCommitAtMs = atMs;
            return atMs - nowMs;
        }

        /** Applies every committed entry this node has not applied yet, in log order. */
        void catchUp() {
            if (dead || nowMs < stalledUntilMs) {
                return;
            }
            while (applied < log.size()) {
                applied++;
                apply(applied, log.get((int) applied - 1));
                if (applied % SNAPSHOT_EVERY == 0) {
                    snapshot = SnapshotBytes.of(core);
                    snapshotIndex = applied;
                }
            }
        }

        private void apply(long index, Batch batch) {
            for (Effect effect : core.apply(index, 1, batch)) {
                if (!effect.node().equals(id)) {
                    continue;
                }
                if (effect instanceof Effect.Answer answer && answer.reply().hasNodeRegistered()) {
                    epochsFrom.computeIfAbsent(id, n -> new TreeMap<>())
                            .putIfAbsent(answer.reply().getNodeRegistered().getEpoch(), index);
                }
                if (effect instanceof Effect.Confirm confirm) {
                    var newer = epochsFrom.getOrDefault(id, new TreeMap<>()).higherEntry(confirm.epoch());
                    if (newer != null && newer.getValue() < index) {
                        staleApplied.add(id + " epoch " + confirm.epoch() + " publish " + confirm.sequence()
                                + " applied at #" + index + ", after epoch " + newer.getKey() + " began at #"
                                + newer.getValue());
                    }
                }
                if (effect instanceof Effect.Answer answer && answer.reply().hasNodeRegistered() && epoch == 0) {
                    registeredAt = answer.reply().getNodeRegistered().getEpoch();
                } else if (effect instanceof Effect.Answer answer && effect.epoch() == epoch) {
                    if (answer.reply().hasRefusal()) {
                        note(id + " request " + answer.request() + " refused: "
                                + answer.reply().getRefusal().getText());
                    }
                    answered(answer.request(), answer.reply().hasRefusal());
                } else if (effect instanceof Effect.EpochEnded over && over.epoch() == epoch && epoch != 0
                        && !rejoining) {
                    note(id + " hears its epoch " + epoch + " ended");
                    if (bug != Bug.IGNORE_EPOCH_ENDED) {
                        rejoining = true;
                        client.ended = true; // the node closes its clients (320); they never hear the rest
                        schedule(1 + random.nextInt(20), this::rejoin);
                    }
                } else if (effect instanceof Effect.CloseChannel close) {
                    note(id + " channel closed by the core: " + close.refusal().getText());
                    Client owner = byChannel.get(close.channel());
                    if (owner != null && effect.epoch() == epoch) {
                        abandon(owner, "the core closed its channel");
                    }
                } else if (effect instanceof Effect.Confirm confirm && effect.epoch() == epoch) {
                    Client owner = byChannel.get(confirm.channel());
                    if (owner != null && confirm.ack()) {
                        owner.confirms.merge(confirm.sequence(), 1, Integer::sum);
                    } else if (owner != null) {
                        owner.failed.put(confirm.sequence(), true);
                    }
                } else if (effect instanceof Effect.Deliver delivery && effect.epoch() == epoch) {
                    Client owner = byChannel.get(delivery.channel());
                    if (owner != null) {
                        deliver(owner, delivery);
                    }
                }
            }
        }

        @Override
        public void failed(List<Command> commands, Throwable cause) {
            for (Command command : commands) {
                Client owner = byChannel.get(command.getChannel());
                if (command.hasPublish() && owner != null) {
                    owner.failed.put(command.getPublish().getConfirmSequence(), true);
                } else if (!client.declared && (command.getRequest() == request(OPEN)
                        || command.getRequest() == request(DECLARE))) {
                    reconnect(); // the node answers the client with an error; the client connects again
                } else if ((command.hasAck() || command.hasConsume()) && owner != null) {
                    abandon(owner, "its " + (command.hasAck() ? "ack" : "consume") + " failed");
                } else if (command.hasCloseConnection()) {
                    long attempt = (command.getRequest() - CLOSE) / REQUESTS_PER_ATTEMPT;
                    schedule(5 + random.nextInt(20), () -> closeConnection(command.getCloseConnection()
                            .getConnection(), attempt));
                }
            }
            note(id + " told of " + commands.size() + " failed commands: " + cause.getMessage());
        }

        @Override
        public void backpressure(boolean blocked) {}

        private Batch parse(byte[] frame) {
            try {
                return Batch.parseFrom(EntryFrame.split(java.nio.ByteBuffer.wrap(frame)).batch());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
