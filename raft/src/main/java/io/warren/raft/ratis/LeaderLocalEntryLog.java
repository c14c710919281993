package io.warren.raft.ratis;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * The submitter's entries as they reach the group. While this node leads, an entry goes straight to its
 * own Raft server, in this process: through its own RaftClient it cost a gRPC round trip on the loopback,
 * serialized and parsed twice, which took about a quarter of a leader's CPU (docs/performance.md). Every
 * other time, and whenever the server answers that it does not lead or is not ready yet, the entry goes
 * through the RaftClient, which finds the leader and retries.
 *
 * <p>Order is kept: the one submitter thread calls {@link #append}, and a leader appends a request to its
 * log before its submit call returns. An entry whose outcome is unknown may be sent again either way; the
 * core applies each (node, epoch, sequence) once.
 *
 * <p>When the group has a new leader ({@link WarrenStateMachine.LeaderListener}), every entry still
 * unanswered is sent again at once, oldest first, to it: through this server once it leads and is ready,
 * else through a new RaftClient that starts at the new leader. The old client, whose requests may wait on
 * a frozen or cut-off leader until its request timeout, is closed on a thread of its own (closing waits
 * for its gRPC channels). Before, those entries waited for that timeout and then for Ratis to close its
 * channel to the old leader on its timer thread, about 6 s in all (docs/chaos.md).
 */
final class LeaderLocalEntryLog implements EntryLog, WarrenStateMachine.LeaderListener, AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LeaderLocalEntryLog.class);
    /**
     * A leader answers every pending request when it commits it or steps down (a leader cut off from its
     * majority steps down within about 2 s), so no answer by then means something is stuck: the entry
     * is reported failed, its outcome unknown, and the submitter sends it again, as the RaftClient does
     * after its own request timeout. Without this, a lost answer would hold a submitter permit forever.
     */
    static final long LOCAL_ANSWER_TIMEOUT_MS = 10_000;
    private final RaftServer server;
    private final RaftGroupId group;
    /** A new client whose first requests go to the given leader (null: the one it finds). */
    private final Function<RaftPeerId, RaftClient> clients;
    private volatile RaftClient client;
    private final InFlightEntries inFlight = new InFlightEntries();
    /** Leader changes are acted on here, off Ratis' threads, one at a time. */
    private final ExecutorService failover = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "warren-entry-failover");
        thread.setDaemon(true);
        return thread;
    });
    /** Its own client id, so that the server's retry cache never mixes these calls with the RaftClient's. */
    private final ClientId localClient = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    private final long answerTimeoutMs;

    LeaderLocalEntryLog(RaftServer server, RaftGroupId group, Function<RaftPeerId, RaftClient> clients) {
        this(server, group, clients, LOCAL_ANSWER_TIMEOUT_MS);
    }

    LeaderLocalEntryLog(RaftServer server, RaftGroupId group, Function<RaftPeerId, RaftClient> clients,
            long answerTimeoutMs) {
        this.server = server;
        this.group = group;
        this.clients = clients;
        this.client = clients.apply(null);
        this.answerTimeoutMs = answerTimeoutMs;
    }

    @Override
    public CompletableFuture<Void> append(byte[] entry) {
        return inFlight.send(entry, this::route);
    }

    @Override
    public void leaderChanged(String leaderId) {
        if (!leaderId.equals(server.getId().toString())) {
            onFailoverThread(() -> resendTo(RaftPeerId.valueOf(leaderId)));
        } // this server leads: leaderReady follows once it can take entries
    }

    @Override
    public void leaderReady() {
        onFailoverThread(() -> resendTo(server.getId()));
    }

    /** Ratis tells of leaders until its server is closed, which may be after this log was. */
    private void onFailoverThread(Runnable work) {
        try {
            failover.execute(work);
        } catch (RejectedExecutionException closed) {
            log.debug("event=leader_change_after_close");
        }
    }

    private void resendTo(RaftPeerId leader) {
        RaftClient old = client;
        client = clients.apply(leader.equals(server.getId()) ? null : leader);
        int resent = inFlight.resendAll(this::route);
        log.info("event=entries_resent_to_new_leader leader={} entries={}", leader, resent);
        closeLater(old);
    }

    /** Closing a client waits for its channels, up to seconds for one to a frozen leader. */
    private static void closeLater(RaftClient old) {
        Thread closer = new Thread(() -> {
            try {
                old.close();
            } catch (IOException | RuntimeException e) {
                log.debug("event=raft_client_close_failed error={}", e.toString());
            }
        }, "warren-raft-client-close");
        closer.setDaemon(true);
        closer.start();
    }

    @Override
    public void close() throws IOException {
        failover.shutdownNow();
        client.close();
    }

    /** This server while it leads, else the current client. */
    private CompletableFuture<Void> route(byte[] entry) {
        Message message = Message.valueOf(UnsafeByteOperations.unsafeWrap(entry));
        CompletableFuture<RaftClientReply> local = leads() ? submitLocally(message) : null;
        if (local == null) {
            return viaClient(message);
        }
        return local.orTimeout(answerTimeoutMs, TimeUnit.MILLISECONDS).whenComplete((reply, error) -> {
            if (error instanceof TimeoutException) {
                log.warn("event=local_submit_unanswered after_ms={} consequence=\"sent again\"", answerTimeoutMs);
            }
        }).thenCompose(reply -> {
            if (reply.isSuccess()) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            if (reply.getNotLeaderException() != null || reply.getLeaderNotReadyException() != null
                    || reply.getLeaderSteppingDownException() != null) {
                return viaClient(message);
            }
            return CompletableFuture.failedFuture(new CompletionException(reply.getException()));
        });
    }

    private boolean leads() {
        try {
            return server.getDivision(group).getInfo().isLeader();
        } catch (IOException e) {
            return false; // the group is not (or no longer) on this server: the client finds it
        }
    }

    /** The server's reply future, or null when it would not take the request at all. */
    private CompletableFuture<RaftClientReply> submitLocally(Message message) {
        RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(localClient).setServerId(server.getId())
                .setGroupId(group).setCallId(callIds.incrementAndGet()).setMessage(message)
                .setType(RaftClientRequest.writeRequestType()).build();
        try {
            return server.submitClientRequestAsync(request);
        } catch (IOException e) {
            return null;
        }
    }

    private CompletableFuture<Void> viaClient(Message message) {
        return client.async().send(message).thenApply(reply -> {
            if (!reply.isSuccess()) {
                throw new CompletionException(reply.getException());
            }
            return null;
        });
    }
}
