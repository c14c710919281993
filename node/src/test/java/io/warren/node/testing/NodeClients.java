package io.warren.node.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs src/test/resources/amqplib/clients.js with Node's amqplib, which it installs with npm (pinned, with
 * every dependency, by the package-lock.json beside it) into target/amqplib once. Skips the calling test class when node or npm is missing,
 * except under CI=true, where that fails.
 */
public final class NodeClients {
    private final Path dir;

    private NodeClients(Path dir) {
        this.dir = dir;
    }

    public static NodeClients prepare() throws IOException, InterruptedException {
        boolean present = run(Path.of("."), 60, "node", "--version") == 0 && run(Path.of("."), 60, "npm", "--version") == 0;
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("node and npm are needed for the amqplib tests");
        }
        assumeTrue(present, "node or npm is missing: skipping the amqplib tests");
        Path dir = Path.of("target", "amqplib").toAbsolutePath();
        Files.createDirectories(dir);
        for (String file : List.of("package.json", "package-lock.json", "clients.js")) {
            try (var in = NodeClients.class.getResourceAsStream("/amqplib/" + file)) {
                Files.write(dir.resolve(file), in.readAllBytes());
            }
        }
        if (!Files.isDirectory(dir.resolve("node_modules").resolve("amqplib"))) {
            int exit = run(dir, 300, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
            assertEquals(0, exit, "npm ci (amqplib) failed in " + dir);
        }
        return new NodeClients(dir);
    }

    /** Runs one scenario, publishers on {@code port}, consumers on {@code otherPort}; asserts it printed OK. */
    public void run(String scenario, int port, int otherPort) throws IOException, InterruptedException {
        ScenarioScript.runToOk(new ProcessBuilder("node", "clients.js", Integer.toString(port), scenario,
                Integer.toString(otherPort)).directory(dir.toFile()), scenario);
    }

    private static int run(Path dir, int seconds, String... command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return -1; // not installed
        }
        process.getInputStream().transferTo(System.out);
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }
}
