package io.warren.raft.ratis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * One node's Ratis server and the entry log its submitter sends through (this server while it leads, else
 * a RaftClient that a leader change replaces). The whole broker is one Raft group with a fixed id; the
 * group's members are the configured peers. Settings follow ratis-notes §9 for a small machine.
 */
public final class RaftNode implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RaftNode.class);
    /** Fixed: it names the storage directory, so it must never change. */
    public static final RaftGroupId GROUP_ID =
            RaftGroupId.valueOf(UUID.fromString("7761726e-6e65-6e00-0000-000000000001"));

    private static final int SNAPSHOT_CHUNK_BYTES = 1 << 20;
    private static final long CLIENT_REQUEST_TIMEOUT_MS = 3_000;
    /**
     * Ratis' election timeouts. A new leader counts a follower's silence from {@code ELECTION_TIMEOUT_MAX_MS}
     * before its own start, so a node's serving lease must end their difference before the down declaration
     * (see NodeLiveness.Timing).
     */
    public static final long ELECTION_TIMEOUT_MIN_MS = 1_000;
    public static final long ELECTION_TIMEOUT_MAX_MS = 2_000;

    /** A member of the group: its id and its Raft (gRPC) address, host:port. */
    public record Peer(String id, String address) {}

    /**
     * @param entryBytesMax the largest log entry: a batch, or one message with its headers
     * @param snapshotCheckEveryEntries how often Ratis asks the state machine whether a snapshot is due
     * @param segmentBytesMax log segment size; the log is purged behind a snapshot by whole closed
     *        segments, so this bounds what a purge leaves (raised to twice the largest entry)
     * @param join a newcomer: its server starts with an empty configuration and waits to be added by a
     *        member ({@link #addMember}); {@code peers} then names the members its client talks to
     * @param tls mutual TLS for all Raft traffic, the node's own clients included; empty for plaintext
     */
    public record Settings(String nodeId, Path storageDir, String bindHost, int raftPort, List<Peer> peers,
            int entryBytesMax, long snapshotCheckEveryEntries, long segmentBytesMax, boolean join,
            Optional<Tls> tls) {

        /** Plaintext between nodes. */
        public Settings(String nodeId, Path storageDir, String bindHost, int raftPort, List<Peer> peers,
                int entryBytesMax, long snapshotCheckEveryEntries, long segmentBytesMax, boolean join) {
            this(nodeId, storageDir, bindHost, raftPort, peers, entryBytesMax, snapshotCheckEveryEntries,
                    segmentBytesMax, join, Optional.empty());
        }
    }

    /**
     * Mutual TLS between nodes: every gRPC connection, both ways, presents this node's certificate and accepts
     * only a peer whose certificate chains to the trusted authorities and names the address it was reached at
     * (gRPC checks the peer's subject alternative names against the host of its Raft address). A process
     * without such a certificate cannot append entries, vote or join.
     */
    public record Tls(KeyManagerFactory keys, TrustManagerFactory trust) {
        Parameters parameters() {
            Parameters parameters = new Parameters();
            GrpcConfigKeys.TLS.setConf(parameters, new GrpcTlsConfig(keys.getKeyManagers()[0],
                    trust.getTrustManagers()[0], true));
            return parameters;
        }
    }

    private final RaftServer server;
    private final LeaderLocalEntryLog entryLog;
    private static final int MEMBERSHIP_STEP_DOWNS_MAX = 2;
    /** Retries until an answer, except from a leader that can only refuse again (see isBrokenLeaderState). */
    private static final RetryPolicy ADMIN_RETRY = new RetryPolicy() {
        private final RetryPolicy forever = RetryPolicies.retryForeverWithSleep(TimeDuration.valueOf(200,
                java.util.concurrent.TimeUnit.MILLISECONDS));

        @Override
        public Action handleAttemptFailure(Event event) {
            return isBrokenLeaderState(event.getCause()) ? NO_RETRY_ACTION : forever.handleAttemptFailure(event);
        }
    };
    private final RaftProperties clientProperties;

    /** The TLS of this node's Raft clients, or null for plaintext. */
    private final Parameters clientParameters;

    private RaftNode(RaftServer server, LeaderLocalEntryLog entryLog, RaftProperties clientProperties,
            Parameters clientParameters) {
        this.server = server;
        this.entryLog = entryLog;
        this.clientProperties = clientProperties;
        this.clientParameters = clientParameters;
    }

    public static RaftNode start(Settings settings, WarrenStateMachine stateMachine) throws IOException {
        LogTailRepair.repair(settings.storageDir(), settings.entryBytesMax() + (1 << 20)).ifPresent(repair ->
                log.warn("event=log_tail_repaired segment={} offset={} bytes_zeroed={} reason=\"an entry torn by a crash,"
                        + " never acknowledged\"", repair.segment(), repair.offset(), repair.bytesZeroed()));
        RaftGroup group = RaftGroup.valueOf(GROUP_ID, settings.peers().stream()
                .map(p -> RaftPeer.newBuilder().setId(p.id()).setAddress(p.address()).build()).toList());
        RaftProperties properties = serverProperties(settings);
        Parameters parameters = settings.tls().map(Tls::parameters).orElse(null);
        RaftServer server = RaftServer.newBuilder().setServerId(RaftPeerId.valueOf(settings.nodeId()))
                .setGroup(settings.join() ? RaftGroup.valueOf(GROUP_ID) : group).setProperties(properties)
                .setParameters(parameters).setStateMachine(stateMachine)
                .setOption(RaftStorage.StartupOption.RECOVER).build();
        server.start();
        RaftProperties clientProperties = new RaftProperties();
        RaftClientConfigKeys.Async.setOutstandingRequestsMax(clientProperties, 64);
        // A request to a leader that froze or was cut off waits this long before the client tries the next
        // server; chaos runs showed no confirm for the whole of an 8 s leader pause with 10 s here.
        RaftClientConfigKeys.Rpc.setRequestTimeout(clientProperties, TimeDuration.valueOf(CLIENT_REQUEST_TIMEOUT_MS,
                java.util.concurrent.TimeUnit.MILLISECONDS));
        GrpcConfigKeys.setMessageSizeMax(clientProperties, SizeInBytes.valueOf(settings.entryBytesMax() + (2 << 20)));
        LeaderLocalEntryLog entryLog = new LeaderLocalEntryLog(server, GROUP_ID, leader -> {
            // The members now (they change with add_cluster_node), else those configured (a newcomer's server
            // knows none until the leader reaches it).
            RaftGroup members = knownMembers(server, group);
            RaftClient.Builder builder = RaftClient.newBuilder().setRaftGroup(members).setProperties(clientProperties)
                    .setParameters(parameters)
                    .setClientId(ClientId.randomId())
                    .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(300,
                            TimeDuration.valueOf(100, java.util.concurrent.TimeUnit.MILLISECONDS)));
            if (leader != null && members.getPeer(leader) != null) {
                builder.setLeaderId(leader);
            }
            return builder.build();
        });
        stateMachine.onLeaderChange(entryLog);
        return new RaftNode(server, entryLog, clientProperties, parameters);
    }

    private static RaftGroup knownMembers(RaftServer server, RaftGroup configured) {
        try {
            var current = server.getDivision(GROUP_ID).getGroup();
            return current.getPeers().isEmpty() ? configured : current;
        } catch (IOException e) {
            return configured; // the group is not (or not yet) on this server
        }
    }

    private static RaftProperties serverProperties(Settings settings) {
        RaftProperties p = new RaftProperties();
        // gRPC, with an appender that gets a restarted follower unstuck (see FollowerHint)
        RaftConfigKeys.Rpc.setType(p, new HintFollowingRpcType());
        // After its first 10 errors Ratis waits 1 s, then 5 s, between tries to a failing follower; 5 s is
        // as long as a node may stay silent before it is declared down, so the waits stop at 1 s.
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, "1ms,10, 250ms,20, 1s,100000");
        RaftServerConfigKeys.setStorageDir(p, List.of(settings.storageDir().toFile()));
        GrpcConfigKeys.Server.setHost(p, settings.bindHost());
        GrpcConfigKeys.Server.setPort(p, settings.raftPort());
        SizeInBytes entryMax = SizeInBytes.valueOf(settings.entryBytesMax());
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, entryMax);
        // A snapshot goes to a lagging follower in chunks; Ratis' 16 MiB default exceeds the gRPC message
        // limit whenever entries are small, and the install then fails forever (seen in ClusterCatchUpTest).
        RaftServerConfigKeys.Log.Appender.setSnapshotChunkSizeMax(p, SizeInBytes.valueOf(SNAPSHOT_CHUNK_BYTES));
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(settings.entryBytesMax() + 64));
        GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(settings.entryBytesMax() + (2 << 20)));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(Math.max(settings.segmentBytesMax(),
                2L * settings.entryBytesMax())));
        RaftServerConfigKeys.Log.setSegmentCacheNumMax(p, 2);
        // Entries hold only commands, but many of them: bound the log cache by bytes too (default 200 MB).
        RaftServerConfigKeys.Log.setSegmentCacheSizeMax(p, SizeInBytes.valueOf(16 << 20));
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(ELECTION_TIMEOUT_MIN_MS,
                java.util.concurrent.TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(ELECTION_TIMEOUT_MAX_MS,
                java.util.concurrent.TimeUnit.MILLISECONDS));
        // The message store keeps entries' messages (DataApi): Ratis' log cache keeps only the commands
        // ("caching enabled" means the state machine caches the data), and its appenders read messages
        // back through WarrenStateMachine.read. Left false, Ratis would hold two segments' worth of
        // entries with their bodies on the heap.
        RaftServerConfigKeys.Log.StateMachineData.setCachingEnabled(p, true);
        RaftServerConfigKeys.Log.StateMachineData.setSync(p, true);
        // No METADATA entry after each commit: with it, every entry brought a second one, another append
        // round, log write and often fsync on every node (bench S1 and S2a about 40 % faster without,
        // docs/performance.md). Ratis 3.3 then tells followers a new commit index only with the next entries
        // or heartbeat; HintFollowingLogAppender sends it within 2 ms (CommitNotices). A restarted node learns its
        // commit index from the leader instead of from its own log, which Raft's safety does not need (what
        // was committed is on a majority's logs either way).
        RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        // The state machine decides (SnapshotPolicy); Ratis only asks this often.
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, settings.snapshotCheckEveryEntries());
        RaftServerConfigKeys.Snapshot.setCreationGap(p, 1);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(1024, settings.snapshotCheckEveryEntries()));
        return p;
    }

    /**
     * Waits until this node knows a leader of its group. Sending before that makes the first request
     * fail with NotLeaderException, after which Ratis 3.3.0's client kept reporting AlreadyClosedException
     * for that peer (seen at start-up), so the node waits for an election first.
     */
    public boolean awaitLeader(long timeoutMs) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        var division = server.getDivision(GROUP_ID);
        while (System.nanoTime() < deadline) {
            if (division.getInfo().getLeaderId() != null && division.getInfo().isAlive()) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /**
     * The group's log as the submitter sees it: this server while it leads, the RaftClient otherwise (see
     * LeaderLocalEntryLog); a reply that is not a success is a failed append.
     */
    public EntryLog entryLog() {
        return entryLog;
    }

    /**
     * Whether this server leads and has applied its own first entry of the term: what the node's leader-only
     * duties (ticks, dead letters) wait for. Cheap: no role report is built.
     */
    public boolean leaderReady() {
        try {
            var info = server.getDivision(GROUP_ID).getInfo();
            return info.isLeader() && info.isLeaderReady();
        } catch (IOException e) {
            return false; // the group is not (or no longer) on this server
        }
    }

    /** The group as this server sees it now; cheap enough to call a few times a second. */
    public GroupView view() throws IOException {
        var division = server.getDivision(GROUP_ID);
        var info = division.getInfo();
        RaftProtos.RoleInfoProto role = info.getRoleInfoProto();
        RaftPeerId leaderId = info.getLeaderId();
        boolean leaderReady = info.isLeader() && info.isLeaderReady();
        long leaderSilence = Long.MAX_VALUE;
        Map<String, Long> followers = new TreeMap<>();
        if (leaderReady) {
            leaderSilence = 0;
            for (RaftProtos.ServerRpcProto follower : role.getLeaderInfo().getFollowerInfoList()) {
                followers.put(follower.getId().getId().toStringUtf8(), follower.getLastRpcElapsedTimeMs());
            }
        } else if (role.hasFollowerInfo() && leaderId != null) {
            leaderSilence = role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs();
        }
        List<String> members = division.getGroup().getPeers().stream().map(p -> p.getId().toString()).sorted().toList();
        return new GroupView(division.getId().toString(), role.getRole().name(),
                leaderId == null ? null : leaderId.toString(), leaderReady, leaderSilence, followers, members);
    }

    /**
     * This server's Raft log figures: term, commit index, last index, and on a leader each follower's match
     * index (what it is known to hold).
     */
    public record LogFigures(long term, long commitIndex, long lastIndex, Map<String, Long> followerMatchIndex) {}

    public LogFigures logFigures() throws IOException {
        var division = server.getDivision(GROUP_ID);
        var info = division.getInfo();
        var log = division.getRaftLog();
        Map<String, Long> matches = new TreeMap<>();
        if (info.isLeader()) {
            // Ratis lists both from the leader's log appenders, in the same order.
            List<RaftProtos.ServerRpcProto> followers = info.getRoleInfoProto().getLeaderInfo().getFollowerInfoList();
            long[] matchIndices = info.getFollowerMatchIndices();
            if (followers.size() == matchIndices.length) {
                for (int i = 0; i < matchIndices.length; i++) {
                    matches.put(followers.get(i).getId().getId().toStringUtf8(), matchIndices[i]);
                }
            }
        }
        var last = log.getLastEntryTermIndex();
        return new LogFigures(info.getCurrentTerm(), log.getLastCommittedIndex(), last == null ? -1 : last.getIndex(),
                matches);
    }

    /** This server's current Raft term. */
    public long currentTerm() throws IOException {
        return server.getDivision(GROUP_ID).getInfo().getCurrentTerm();
    }

    /** A membership change given how long it may take; IOException when Ratis refused or it timed out. */
    @FunctionalInterface
    public interface MembershipChange {
        void run(long timeoutMs) throws IOException;
    }

    /** A membership change that was not committed in time; it may still complete later. */
    public static final class MembershipTimeoutException extends IOException {
        private static final long serialVersionUID = 1L;

        MembershipTimeoutException(String message) {
            super(message);
        }
    }

    /**
     * Adds a voting member. The newcomer must already run, started with {@code join} (an empty
     * configuration of this group); this returns once it has caught up and the new configuration is
     * committed (ratis-notes §8).
     */
    public void addMember(String id, String address, long timeoutMs) throws IOException {
        List<RaftPeer> current = currentPeers();
        if (ids(current).contains(id)) {
            throw new IllegalArgumentException("node '" + id + "' is already a member");
        }
        List<RaftPeer> members = new ArrayList<>(current);
        members.add(RaftPeer.newBuilder().setId(id).setAddress(address).build());
        setConfiguration(current, members, timeoutMs);
    }

    /** Removes a voting member; the removed server shuts its division down. */
    public void removeMember(String id, long timeoutMs) throws IOException {
        List<RaftPeer> current = currentPeers();
        List<RaftPeer> members = new ArrayList<>(current);
        if (!members.removeIf(p -> p.getId().toString().equals(id))) {
            throw new IllegalArgumentException("node '" + id + "' is not a member");
        }
        if (members.isEmpty()) {
            throw new IllegalArgumentException("cannot remove the last member");
        }
        setConfiguration(current, members, timeoutMs);
    }

    /** Makes {@code id} the leader once it has caught up. */
    public void transferLeadership(String id, long timeoutMs) throws IOException {
        if (!ids(currentPeers()).contains(id)) {
            throw new IllegalArgumentException("node '" + id + "' is not a member");
        }
        adminCall("transfer to " + id, timeoutMs, admin -> admin.admin().transferLeadership(RaftPeerId.valueOf(id), timeoutMs));
    }

    private List<RaftPeer> currentPeers() throws IOException {
        return List.copyOf(server.getDivision(GROUP_ID).getGroup().getPeers());
    }

    private static java.util.Set<String> ids(List<RaftPeer> peers) {
        return new java.util.TreeSet<>(peers.stream().map(p -> p.getId().toString()).toList());
    }

    /**
     * Compare-and-set: a change computed from a configuration that has changed since is refused, so a
     * request sent again late (Ratis' client retries) cannot undo a newer change.
     */
    private void setConfiguration(List<RaftPeer> current, List<RaftPeer> members, long timeoutMs) throws IOException {
        // Lists, not arrays: the array overloads drop the servers in 3.3.0 (ratis-notes §8).
        SetConfigurationRequest.Arguments change = SetConfigurationRequest.Arguments.newBuilder()
                .setServersInCurrentConf(current).setServersInNewConf(members)
                .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET).build();
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        for (int stepDowns = 0;; stepDowns++) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            try {
                adminCall("configuration " + members, left, admin -> admin.admin().setConfiguration(change));
                return;
            } catch (MembershipTimeoutException e) {
                throw e;
            } catch (IOException e) {
                if (isBrokenLeaderState(e) && stepDowns < MEMBERSHIP_STEP_DOWNS_MAX) {
                    stepDownLeader(e, deadline);
                    continue;
                }
                // A request the leader already carried out, sent again by the client after a lost answer, fails
                // the comparison against the configuration it produced itself.
                if (!awaitMembers(members, 3_000)) {
                    throw e;
                }
                return;
            }
        }
    }

    /**
     * Ratis 3.3.0: a leader elected while a removal's joint configuration was not yet replaced keeps a log
     * appender for the removed server, and adding that server back then fails on the duplicate, after
     * which the leader refuses every change (its pending change is never cleared). Only a new leader term
     * clears both, so the leader steps down, and the change is sent again to the next one.
     */
    static boolean isBrokenLeaderState(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IllegalStateException || String.valueOf(t.getMessage()).contains("IllegalStateException")) {
                return true;
            }
        }
        return false;
    }

    private void stepDownLeader(IOException why, long deadline) throws IOException {
        log.warn("event=membership_leader_step_down reason=\"the leader refused the change with {}\"", why.toString());
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        adminCall("leader step-down", left, admin -> admin.admin().transferLeadership(null, left));
    }

    /** True once this node's view of the configuration holds exactly {@code members}, within {@code waitMs}. */
    private boolean awaitMembers(List<RaftPeer> members, long waitMs) throws IOException {
        java.util.Set<String> wanted = ids(members);
        long deadline = System.nanoTime() + waitMs * 1_000_000;
        while (true) {
            if (ids(currentPeers()).equals(wanted)) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("waiting for the configuration");
            }
        }
    }

    private interface AdminCall {
        RaftClientReply send(RaftClient admin) throws IOException;
    }

    /**
     * One admin request through a client of its own, waited for up to {@code timeoutMs}. Ratis' client
     * retries until it gets an answer; closing this one at the deadline ends its retries, so a change the
     * operator was told had not committed is not sent again behind their back.
     */
    private void adminCall(String what, long timeoutMs, AdminCall call) throws IOException {
        // One attempt may take the whole time (a newcomer catching up): a shorter request timeout would only
        // send the same change again while the leader still works on the first.
        RaftProperties properties = new RaftProperties(clientProperties);
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(timeoutMs,
                java.util.concurrent.TimeUnit.MILLISECONDS));
        RaftClient admin = RaftClient.newBuilder().setRaftGroup(RaftGroup.valueOf(GROUP_ID, currentPeers()))
                .setProperties(properties).setParameters(clientParameters).setClientId(ClientId.randomId())
                .setRetryPolicy(ADMIN_RETRY)
                .build();
        CompletableFuture<RaftClientReply> answer = new CompletableFuture<>();
        Thread.ofVirtual().name("warren-admin-call").start(() -> {
            try {
                answer.complete(call.send(admin));
            } catch (Throwable e) {
                answer.completeExceptionally(e);
            }
        });
        try {
            RaftClientReply reply = answer.get(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (!reply.isSuccess()) {
                throw new IOException(what + " refused: " + reply.getException());
            }
        } catch (TimeoutException e) {
            throw new MembershipTimeoutException(what + " not committed within " + timeoutMs + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(what + " failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException(what + " interrupted");
        } finally {
            admin.close();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            entryLog.close();
        } finally {
            server.close();
        }
    }
}
