package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.node.testing.Cluster;
import io.warren.node.testing.NodeProcess;
import io.warren.node.testing.WarrenCtlRun;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * A newcomer checks its ports at start-up but binds AMQP only once it is a member and registered, which
 * may be long after. A port taken in between must still end in one clear line and exit code 2, not a
 * stack trace or a node that runs Raft without serving.
 */
class NewcomerLateBindTest {

    @Test
    void aNewcomerWhoseAmqpPortIsTakenWhileItWaitsToBeAddedStopsWithOneLine() throws Exception {
        try (NodeProcess n1 = NodeProcess.start("late-bind")) {
            NodeProcess n2 = NodeProcess.newcomer(Files.createTempDirectory("warren-late-bind-newcomer"), "n2", "--peers",
                    "n1=" + n1.raftAddress());
            try (n2) {
                n2.launch();
                // Raft listens only after the start-up port checks passed.
                int raftPort = Integer.parseInt(n2.raftAddress().substring(n2.raftAddress().lastIndexOf(':') + 1));
                Cluster.await("n2's Raft port listens", 120, () -> accepts(raftPort));
                try (ServerSocket taken = new ServerSocket()) {
                    taken.bind(new InetSocketAddress("127.0.0.1", n2.amqpPort()));
                    WarrenCtlRun.run(n1.adminPort(), "add_cluster_node", "n2", n2.raftAddress()).requireSuccess();
                    Cluster.await("n2 exits", 120, () -> !n2.isAlive());
                    int exit = n2.stop();
                    assertEquals(2, exit, String.join("\n", n2.output()));
                    assertTrue(n2.output().stream().anyMatch(l -> l.equals("warren: AMQP port 127.0.0.1:"
                            + n2.amqpPort() + " is in use or cannot be bound (Address already in use)")),
                            String.join("\n", n2.output()));
                    assertTrue(n2.output().stream().noneMatch(l -> l.startsWith("\tat ")), "no stack trace");
                }
            }
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
