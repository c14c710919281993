package io.warren.node;

import java.util.concurrent.CountDownLatch;

/**
 * {@code warren}: starts one node. A bad config, an unusable data dir or a port in use stop it with
 * one line on stderr (and exit code 2); SIGTERM closes clients with 320 CONNECTION_FORCED and stops
 * cleanly.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        NodeConfig config;
        try {
            config = NodeConfig.parse(args);
        } catch (ConfigException e) {
            fail(e);
            return;
        }
        // Before the first logger exists, so logback puts node=<id> on every line, Ratis' threads' too.
        System.setProperty("warren.node.id", config.nodeId());
        System.setProperty("warren.log.format", config.logFormat());
        WarrenNode node;
        try {
            node = WarrenNode.start(config);
        } catch (ConfigException e) {
            org.slf4j.LoggerFactory.getLogger(Main.class).error("event=start_failed reason=\"{}\"", e.getMessage());
            fail(e);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "warren-shutdown"));
        stopped.await();
    }

    private static void fail(ConfigException e) {
        System.err.println("warren: " + e.getMessage());
        Runtime.getRuntime().halt(2);
    }
}
