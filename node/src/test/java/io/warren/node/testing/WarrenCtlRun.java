package io.warren.node.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** One run of warrenctl (io.warren.node.WarrenCtl) as a process against a node's admin port. */
public record WarrenCtlRun(int exit, String out, String err) {

    public static WarrenCtlRun run(int adminPort, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(NodeProcess.javaBinary(), "-cp", NodeProcess.classpath(),
                "io.warren.node.WarrenCtl", "-n", "127.0.0.1:" + adminPort));
        command.addAll(List.of(args));
        CtlRun run = CtlRun.of("warrenctl", command);
        return new WarrenCtlRun(run.exit(), run.out(), run.err());
    }

    /** The output's lines after warrenctl's "Listing ..." banner. */
    public List<String> rows() {
        return out.lines().filter(l -> !l.startsWith("Listing ")).toList();
    }

    public WarrenCtlRun requireSuccess() {
        if (exit != 0) {
            throw new AssertionError("warrenctl exited with " + exit + ": " + err + out);
        }
        return this;
    }
}
