package io.warren.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The delay nemesis's mechanism on its own: in a namespace of the test's, packets to one port go through
 * an NFQUEUE that {@link PacketDelay} holds. Each round trip must take at least the delay (a lower bound,
 * whatever the machine's speed), and stopping must let a held packet go rather than drop it.
 */
class PacketDelayIT {
    private static final String NAMESPACE = "warren-delaytest";
    private static final int PORT = 24999;
    private static final int QUEUE = 7;
    /** Long, so that "let go at stop" and "let go when due" cannot be mixed up on a slow machine. */
    private static final int DELAY_MS = 5000;

    @BeforeEach
    void namespace() throws Exception {
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(NodeProcesses.namespacesAvailable(), "CI must run this as root, with ip and iptables");
        }
        assumeTrue(NodeProcesses.namespacesAvailable(), "SKIPPED: the delay nemesis needs root, ip and iptables");
        sh("ip netns del " + NAMESPACE + " 2>/dev/null || true");
        sh("ip netns add " + NAMESPACE);
        sh("ip -n " + NAMESPACE + " link set lo up");
        // Only the client's direction: the echo comes back undelayed, so a round trip holds one delay.
        sh("ip netns exec " + NAMESPACE + " iptables -A OUTPUT -o lo -p tcp --dport " + PORT
                + " -j NFQUEUE --queue-num " + QUEUE + " --queue-bypass");
    }

    @AfterEach
    void removeNamespace() throws Exception {
        if (NodeProcesses.namespacesAvailable()) {
            sh("ip netns del " + NAMESPACE + " 2>/dev/null || true");
        }
    }

    @Test
    void everyRoundTripWaitsTheDelayAndStoppingReleasesWhatIsHeld(@org.junit.jupiter.api.io.TempDir Path work)
            throws Exception {
        Path probe = work.resolve("rtt_probe.py");
        try (var in = PacketDelayIT.class.getResourceAsStream("rtt_probe.py")) {
            Files.copy(in, probe);
        }
        PacketDelay delay = PacketDelay.start(work, NAMESPACE, QUEUE, DELAY_MS);
        Process client = new ProcessBuilder("ip", "netns", "exec", NAMESPACE, "python3", probe.toString(),
                Integer.toString(PORT), "2").redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        for (int i = 0; i < 2; i++) {
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("rtt_ms="), "probe said: " + line);
            double rtt = Double.parseDouble(line.substring("rtt_ms=".length()));
            assertTrue(rtt >= DELAY_MS, "a round trip took " + rtt + " ms, less than the " + DELAY_MS + " ms delay");
        }

        // Once "sent" is printed its byte sits in the queue for the delay; stopping must let it go at once.
        // Had it been dropped, TCP would resend it only after a timeout longer than these round trips.
        assertEquals("sent", out.readLine());
        long held = delay.stop();
        String reply = out.readLine();
        assertTrue(reply != null && reply.startsWith("reply_ms="), "the held packet was not let go: " + reply);
        double replyMs = Double.parseDouble(reply.substring("reply_ms=".length()));
        assertTrue(replyMs < DELAY_MS, "the held packet waited out its delay (" + replyMs + " ms) instead of being let go");
        assertTrue(client.waitFor(60, TimeUnit.SECONDS));
        // the handshake (SYN, ACK) and the 3 bytes sent
        assertTrue(held >= 5, "packets delayed: " + held);

        // With the program gone the rule's --queue-bypass lets traffic through untouched.
        Process after = new ProcessBuilder("ip", "netns", "exec", NAMESPACE, "python3", probe.toString(),
                Integer.toString(PORT + 1), "1").redirectErrorStream(true).start();
        String line = new BufferedReader(new InputStreamReader(after.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue(line != null && line.startsWith("rtt_ms="), "probe after stop said: " + line);
        assertTrue(after.waitFor(60, TimeUnit.SECONDS));
    }

    @Test
    void aQueueThatCannotBeBoundFailsWithTheReason(@org.junit.jupiter.api.io.TempDir Path work) throws Exception {
        PacketDelay first = PacketDelay.start(work, NAMESPACE, QUEUE, 100);
        try {
            // One listener per queue: the kernel refuses a second bind of the same queue number.
            java.io.IOException refused = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> PacketDelay.start(work, NAMESPACE, QUEUE, 100));
            assertTrue(refused.getMessage().contains("did not start") && refused.getMessage().contains("nfqueue config refused"),
                    refused.getMessage());
        } finally {
            first.stop();
        }
    }

    private static void sh(String command) throws Exception {
        Process process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), command + ": " + output);
    }
}
