package io.warren.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * DESIGN invariant 1, enforced on the source: the core may not import Netty, Ratis, java.io, java.net
 * or threads, and may not call clocks or random sources, nor iterate a HashMap/HashSet it keeps as state
 * (the one HashMap/HashSet uses allowed are caches and visited sets, named in ALLOWED).
 */
class CoreBoundaryTest {
    private static final Path CORE = Path.of("src/main/java/io/warren/raft/core");
    private static final List<Pattern> BANNED = List.of(
            Pattern.compile("^import (io\\.netty|org\\.apache\\.ratis|java\\.io|java\\.net|java\\.nio\\.file)"),
            Pattern.compile("^import java\\.util\\.concurrent"),
            Pattern.compile("System\\.(currentTimeMillis|nanoTime)|Instant\\.now|LocalDateTime\\.now|new Random|"
                    + "ThreadLocalRandom|UUID\\.randomUUID|new Thread|Math\\.random|System\\.getProperty|System\\.getenv"));
    private static final List<String> ALLOWED_HASH = List.of("AccessControl.java", "Router.java");

    @Test
    void shouldKeepTheCoreFreeOfIoClocksRandomnessAndThreads() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.list(CORE)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).trim();
                    for (Pattern banned : BANNED) {
                        if (banned.matcher(line).find()) {
                            violations.add(file.getFileName() + ":" + (i + 1) + ": " + line);
                        }
                    }
                    if (line.matches(".*new Hash(Map|Set)<.*") && !ALLOWED_HASH.contains(file.getFileName().toString())) {
                        violations.add(file.getFileName() + ":" + (i + 1) + ": unordered collection: " + line);
                    }
                }
            }
        }
        assertTrue(Files.isDirectory(CORE), "run from the raft module");
        assertEquals(List.of(), violations);
    }
}
