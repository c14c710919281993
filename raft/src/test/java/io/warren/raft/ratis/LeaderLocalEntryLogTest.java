package io.warren.raft.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.api.AsyncApi;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;

/**
 * Where an entry goes: to the node's own Raft server while it leads, through the RaftClient when it does
 * not, when the server answers not-leader or not-ready, or when it refuses the call; and an entry the
 * server never answers is reported failed after the timeout, so the submitter sends it again. When the
 * group has a new leader, unanswered entries go to it at once: through a new client that starts there,
 * or, when this server is the new leader, to it once it is ready. Ratis' server and client are stood in
 * for by proxies that record what reached them.
 */
class LeaderLocalEntryLogTest {
    private static final RaftGroupId GROUP = RaftGroupId.randomId();
    private static final RaftPeerId SELF = RaftPeerId.valueOf("n1");
    private static final RaftGroupMemberId MEMBER = RaftGroupMemberId.valueOf(SELF, GROUP);

    private final List<String> reached = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static RaftClientReply reply(RaftClientRequest request, RaftException error) {
        return RaftClientReply.newBuilder().setClientId(request == null ? ClientId.randomId() : request.getClientId())
                .setServerId(MEMBER).setCallId(request == null ? 0 : request.getCallId()).setSuccess(error == null)
                .setException(error).build();
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, java.lang.reflect.InvocationHandler handler) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    }

    /** A server that leads (or not) and answers a local request with what {@code answer} gives. */
    private RaftServer server(boolean leads, Function<RaftClientRequest, CompletableFuture<RaftClientReply>> answer) {
        DivisionInfo info = proxy(DivisionInfo.class, (p, m, a) -> m.getName().equals("isLeader") ? leads : null);
        RaftServer.Division division = proxy(RaftServer.Division.class,
                (p, m, a) -> m.getName().equals("getInfo") ? info : null);
        return proxy(RaftServer.class, (p, m, a) -> switch (m.getName()) {
            case "getDivision" -> division;
            case "getId" -> SELF;
            case "submitClientRequestAsync" -> {
                reached.add("server");
                yield answer.apply((RaftClientRequest) a[0]);
            }
            default -> null;
        });
    }

    /** A client whose every send succeeds. */
    private RaftClient client() {
        return client("client", true);
    }

    /** A client that records {@code name} for each send and answers it with success, or never. */
    private RaftClient client(String name, boolean answers) {
        AsyncApi async = proxy(AsyncApi.class, (p, m, a) -> {
            reached.add(name);
            return answers ? CompletableFuture.completedFuture(reply(null, null)) : new CompletableFuture<>();
        });
        return proxy(RaftClient.class, (p, m, a) -> m.getName().equals("async") ? async : null);
    }

    private void append(RaftServer server, long timeoutMs) throws Exception {
        new LeaderLocalEntryLog(server, GROUP, leader -> client(), timeoutMs).append(new byte[] {1}).get(30,
                TimeUnit.SECONDS);
    }

    @Test
    void aLeaderAppendsToItsOwnServer() throws Exception {
        append(server(true, request -> CompletableFuture.completedFuture(reply(request, null))), 10_000);
        assertEquals(List.of("server"), reached);
    }

    @Test
    void aFollowerSendsThroughTheClient() throws Exception {
        append(server(false, request -> {
            throw new AssertionError("a follower must not submit locally");
        }), 10_000);
        assertEquals(List.of("client"), reached);
    }

    @Test
    void notLeaderAndNotReadyAnswersGoThroughTheClient() throws Exception {
        append(server(true, request -> CompletableFuture.completedFuture(
                reply(request, new NotLeaderException(MEMBER, null, List.of())))), 10_000);
        append(server(true, request -> CompletableFuture.completedFuture(
                reply(request, new LeaderNotReadyException(MEMBER)))), 10_000);
        assertEquals(List.of("server", "client", "server", "client"), reached);
    }

    @Test
    void aServerThatRefusesTheCallLeavesItToTheClient() throws Exception {
        append(proxyThrowingOnSubmit(), 10_000);
        assertEquals(List.of("client"), reached);
    }

    private RaftServer proxyThrowingOnSubmit() {
        RaftServer leading = server(true, null);
        return proxy(RaftServer.class, (p, m, a) -> {
            if (m.getName().equals("submitClientRequestAsync")) {
                throw new IOException("closing");
            }
            return m.invoke(leading, a);
        });
    }

    @Test
    void anotherFailureIsReportedAsIs() {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> append(server(true,
                request -> CompletableFuture.completedFuture(reply(request,
                        new StateMachineException("refused entry")))), 10_000));
        assertTrue(failed.getCause() instanceof StateMachineException, failed.toString());
        assertEquals(List.of("server"), reached);
    }

    @Test
    void anUnansweredEntryFailsAfterTheTimeoutSoTheSubmitterSendsItAgain() {
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> append(server(true, request -> new CompletableFuture<>()), 50));
        assertTrue(failed.getCause() instanceof TimeoutException, failed.toString());
        assertEquals(List.of("server"), reached);
    }

    @Test
    void aFollowersUnansweredEntryGoesToTheNewLeaderAtOnce() throws Exception {
        List<RaftPeerId> leaders = new java.util.concurrent.CopyOnWriteArrayList<>();
        RaftServer follower = server(false, request -> {
            throw new AssertionError("a follower must not submit locally");
        });
        LeaderLocalEntryLog entries = new LeaderLocalEntryLog(follower, GROUP, leader -> {
            leaders.add(leader == null ? RaftPeerId.valueOf("none") : leader);
            return leader == null ? client("frozen leader", false) : client("client at " + leader, true);
        }, 10_000);
        CompletableFuture<Void> entry = entries.append(new byte[] {1});
        assertTrue(!entry.isDone(), "the frozen leader does not answer");
        entries.leaderChanged("n2");
        entry.get(30, TimeUnit.SECONDS);
        assertEquals(List.of("frozen leader", "client at n2"), reached);
        assertEquals(List.of(RaftPeerId.valueOf("none"), RaftPeerId.valueOf("n2")), leaders,
                "the new client starts at the new leader");
        entries.close();
    }

    @Test
    void aNewLeadersOwnUnansweredEntriesGoToItsServerOnceReady() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean leads = new java.util.concurrent.atomic.AtomicBoolean();
        RaftServer server = server(true, request -> CompletableFuture.completedFuture(reply(request, null)));
        DivisionInfo info = proxy(DivisionInfo.class, (p, m, a) -> m.getName().equals("isLeader") ? leads.get() : null);
        RaftServer.Division division = proxy(RaftServer.Division.class,
                (p, m, a) -> m.getName().equals("getInfo") ? info : null);
        RaftServer electable = proxy(RaftServer.class, (p, m, a) -> m.getName().equals("getDivision") ? division
                : m.invoke(server, a));
        LeaderLocalEntryLog entries = new LeaderLocalEntryLog(electable, GROUP,
                leader -> client(leader == null && reached.isEmpty() ? "frozen leader" : "other client", false),
                10_000);
        CompletableFuture<Void> entry = entries.append(new byte[] {1});
        leads.set(true);
        entries.leaderChanged(SELF.toString());
        assertTrue(!entry.isDone(), "elected, not ready yet: nothing is sent again");
        entries.leaderReady();
        entry.get(30, TimeUnit.SECONDS);
        assertEquals(List.of("frozen leader", "server"), reached);
        entries.close();
    }
}
