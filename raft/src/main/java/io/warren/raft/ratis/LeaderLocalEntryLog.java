package io.warren.raft.ratis;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
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
 */
final class LeaderLocalEntryLog implements EntryLog {
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
    private final RaftClient client;
    /** Its own client id, so that the server's retry cache never mixes these calls with the RaftClient's. */
    private final ClientId localClient = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    private final long answerTimeoutMs;

    LeaderLocalEntryLog(RaftServer server, RaftGroupId group, RaftClient client) {
        this(server, group, client, LOCAL_ANSWER_TIMEOUT_MS);
    }

    LeaderLocalEntryLog(RaftServer server, RaftGroupId group, RaftClient client, long answerTimeoutMs) {
        this.server = server;
        this.group = group;
        this.client = client;
        this.answerTimeoutMs = answerTimeoutMs;
    }

    @Override
    public CompletableFuture<Void> append(byte[] entry) {
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
