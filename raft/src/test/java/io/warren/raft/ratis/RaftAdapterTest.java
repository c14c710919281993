package io.warren.raft.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.proto.Command;
import io.warren.proto.ConnectionRef;
import io.warren.proto.OpenConnection;
import io.warren.raft.core.Effect;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Ratis adapter end to end in one JVM: a one-member group with the broker state machine, the
 * submitter's registration and a batch of commands applied with their effects handed to the sink, and
 * a restart that loads the snapshot and replays the tail of the log; the leader stamps its time into entries.
 */
class RaftAdapterTest {

    @Test
    void shouldRegisterApplyAndRecoverAfterRestart() throws Exception {
        Path dir = Files.createTempDirectory("warren-raft");
        int port = freePort();
        List<Effect> effects = new CopyOnWriteArrayList<>();
        long epoch;
        try (Harness node = new Harness(dir, port, effects)) {
            epoch = node.register();
            assertEquals(1, epoch);
            long beforeSubmit = System.currentTimeMillis();
            node.submitter.submit(Command.newBuilder().setRequest(1).setOpenConnection(OpenConnection.newBuilder()
                    .setConnection(ConnectionRef.newBuilder().setNode("n1").setEpoch(epoch).setId(1))
                    .setUser("guest").setVhost("/")).build());
            node.opened.get(30, TimeUnit.SECONDS);
            long clock = node.stateMachine.query(q -> q.clockMs());
            assertTrue(clock >= beforeSubmit && clock <= System.currentTimeMillis(),
                    "the leader stamped its time into the entry: " + clock);
            // Ratis asks for a snapshot after every entry here; it is written off the apply thread and published
            // at the next ask. With no entry after the last one, the node's housekeeper asks (an ask while the
            // previous write was still going started nothing, and nothing asked again: seen under load).
            long applied = node.stateMachine.getLastAppliedTermIndex().getIndex();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (node.stateMachine.latestSnapshotIndex() < applied && System.nanoTime() < deadline) {
                node.stateMachine.housekeep();
                Thread.sleep(50); // the housekeeper's pace is once a second; this only polls sooner
            }
            assertTrue(node.stateMachine.latestSnapshotIndex() >= applied, "a snapshot of everything applied");
        }
        effects.clear();
        try (Harness node = new Harness(dir, port, effects)) {
            assertEquals(2, node.register(), "a restart registers the next epoch");
            assertTrue(node.stateMachine.query(q -> q.connections()).isEmpty(),
                    "the earlier epoch's connection is released");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static final class Harness implements AutoCloseable {
        final WarrenStateMachine stateMachine;
        final RaftNode raft;
        final CommandSubmitter submitter;
        final CompletableFuture<Long> registered = new CompletableFuture<>();
        final CompletableFuture<Void> opened = new CompletableFuture<>();

        Harness(Path dir, int port, List<Effect> effects) throws Exception {
            stateMachine = new WarrenStateMachine((index, produced, messages) -> {
                effects.addAll(produced);
                for (Effect effect : produced) {
                    if (effect instanceof Effect.Answer a && a.reply().hasNodeRegistered()) {
                        registered.complete(a.reply().getNodeRegistered().getEpoch());
                    } else if (effect instanceof Effect.Answer a && a.reply().hasDone()) {
                        opened.complete(null);
                    }
                }
            }, () -> { }, new io.warren.raft.store.MessageStore.Settings(1 << 20, 1 << 20),
                    new SnapshotPolicy(1, 1L << 30, 600_000));
            raft = RaftNode.start(new RaftNode.Settings("n1", dir, "127.0.0.1", port,
                    List.of(new RaftNode.Peer("n1", "127.0.0.1:" + port)), 1 << 20, 1, 32 << 20, false), stateMachine);
            assertTrue(raft.awaitLeader(30_000));
            submitter = new CommandSubmitter(raft.entryLog(), "n1", new CommandSubmitter.Limits(4, 1 << 16, 1 << 20, 10_000),
                    new CommandSubmitter.Listener() {
                        @Override public void failed(List<Command> commands, Throwable cause) {
                            registered.completeExceptionally(cause);
                        }
                        @Override public void backpressure(boolean blocked) { }
                    });
            submitter.start();
        }

        long register() throws Exception {
            // A new incarnation per registration, as NodeLiveness makes: the same one again is the same
            // registration, applied once.
            byte[] incarnation = new byte[16];
            new java.util.Random().nextBytes(incarnation);
            submitter.register(incarnation);
            long epoch = registered.get(30, TimeUnit.SECONDS);
            submitter.useEpoch(epoch);
            return epoch;
        }

        @Override
        public void close() throws IOException {
            submitter.close();
            raft.close();
        }
    }
}
