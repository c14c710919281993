package io.warren.node.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** One run of a client script's scenario (pika, amqplib): it must exit 0 within 180 s and print OK last. */
public final class ScenarioScript {
    private ScenarioScript() {}

    public static void runToOk(ProcessBuilder command, String scenario) throws IOException, InterruptedException {
        Path log = Files.createTempFile("scenario-", ".log"); // a file, so a chatty script never blocks on a pipe
        try {
            Process process = command.redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean finished = process.waitFor(180, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(finished, scenario + " did not finish: " + output);
            assertEquals(0, process.exitValue(), scenario + " failed:\n" + output);
            assertTrue(output.strip().endsWith("OK"), output);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
