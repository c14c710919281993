package io.warren.node.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs a pika script of src/test/resources/pika (tutorials.py, the tutorial scenarios, by default) with
 * Debian's python3-pika, one scenario at a time. Under CI=true a missing pika fails instead of skipping.
 */
public final class PikaTutorials {
    private final Path script;

    private PikaTutorials(Path script) {
        this.script = script;
    }

    /** Skips the calling test class when pika is missing (fails under CI=true). */
    public static PikaTutorials prepare() throws IOException, InterruptedException {
        return prepare("tutorials.py");
    }

    /** The same for another script of src/test/resources/pika. */
    public static PikaTutorials prepare(String resource) throws IOException, InterruptedException {
        boolean pika = new ProcessBuilder("/usr/bin/python3", "-c", "import pika").start().waitFor() == 0;
        if (!pika && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("python3-pika is missing; deploy/test.sh installs it");
        }
        assumeTrue(pika, "python3-pika is not installed: skipping the pika tutorials (deploy/test.sh installs it)");
        Path script = Files.createTempFile("pika-", ".py");
        try (var in = PikaTutorials.class.getResourceAsStream("/pika/" + resource)) {
            Files.write(script, in.readAllBytes());
        }
        return new PikaTutorials(script);
    }

    /** Runs the script with {@code args}; asserts it printed OK ({@code what} names the run in failures). */
    public void runToOk(String what, String... args) throws IOException, InterruptedException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("/usr/bin/python3",
                script.toString()));
        command.addAll(java.util.List.of(args));
        ScenarioScript.runToOk(new ProcessBuilder(command), what);
    }

    /** Runs one scenario, publishers on {@code port}, consumers on {@code consumerPort}; asserts it printed OK. */
    public void run(String scenario, int port, int consumerPort) throws IOException, InterruptedException {
        ScenarioScript.runToOk(new ProcessBuilder("/usr/bin/python3", script.toString(), Integer.toString(port),
                scenario, Integer.toString(consumerPort)), scenario);
    }
}
