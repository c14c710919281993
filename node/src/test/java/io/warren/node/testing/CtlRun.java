package io.warren.node.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One run of a broker's control tool (warrenctl, or rabbitmqctl in reference mode): exit code and output. */
public record CtlRun(String tool, int exit, String out, String err) {

    static CtlRun of(String tool, List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(tool + " " + String.join(" ", command) + " did not finish");
        }
        return new CtlRun(tool, process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    public CtlRun requireSuccess() {
        if (exit != 0) {
            throw new AssertionError(tool + " exited with " + exit + ": " + err + out);
        }
        return this;
    }
}
