package io.warren.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Topic matching, table-driven. Each row is a binding pattern and every routing key, out of KEYS, that
 * RabbitMQ 3.10 (Debian's rabbitmq-server) delivered to a queue bound with that pattern: the table was
 * recorded by publishing every key to a topic exchange with one queue per pattern.
 */
class TopicMatcherTest {
    private static final List<String> KEYS = List.of("", "a", "a.b", "a.b.c", "a.c", "a..c", "a.", ".a", "b.a", "a.b.b.c", "x.a.y", "..", "a#", "a.b*", ".", "b");

    private static final List<Row> TABLE = List.of(
            row("", ""),
            row("#", "", "a", "a.b", "a.b.c", "a.c", "a..c", "a.", ".a", "b.a", "a.b.b.c", "x.a.y", "..", "a#", "a.b*", ".", "b"),
            row("*", "a", "a#", "b"),
            row("a", "a"),
            row("a.*", "a.b", "a.c", "a.", "a.b*"),
            row("a.#", "a", "a.b", "a.b.c", "a.c", "a..c", "a.", "a.b.b.c", "a.b*"),
            row("#.a", "a", ".a", "b.a"),
            row("*.a", ".a", "b.a"),
            row("a.*.c", "a.b.c", "a..c"),
            row("a.#.c", "a.b.c", "a.c", "a..c", "a.b.b.c"),
            row("#.#", "", "a", "a.b", "a.b.c", "a.c", "a..c", "a.", ".a", "b.a", "a.b.b.c", "x.a.y", "..", "a#", "a.b*", ".", "b"),
            row("*.*", "a.b", "a.c", "a.", ".a", "b.a", "a.b*", "."),
            row("a..c", "a..c"),
            row("a.", "a."),
            row(".a", ".a"),
            row("*.#", "a", "a.b", "a.b.c", "a.c", "a..c", "a.", ".a", "b.a", "a.b.b.c", "x.a.y", "..", "a#", "a.b*", ".", "b"),
            row("#.*", "a", "a.b", "a.b.c", "a.c", "a..c", "a.", ".a", "b.a", "a.b.b.c", "x.a.y", "..", "a#", "a.b*", ".", "b"),
            row("a.#.#.c", "a.b.c", "a.c", "a..c", "a.b.b.c"),
            row("a#", "a#"),
            row("a.b*", "a.b*"),
            row("#.b.#", "a.b", "a.b.c", "b.a", "a.b.b.c", "b"),
            row("*.b.*", "a.b.c"));

    @Test
    void shouldMatchExactlyTheKeysRabbitMqMatchedForEachPattern() {
        for (Row row : TABLE) {
            List<String> matched = new ArrayList<>();
            for (String key : KEYS) {
                if (TopicMatcher.matches(row.pattern, key)) {
                    matched.add(key);
                }
            }
            assertEquals(row.matched, matched, () -> "pattern '" + row.pattern + "'");
        }
    }

    @Test
    void shouldTreatTheEmptyKeyAsZeroWordsAndDotsAsEmptyWords() {
        assertEquals(0, TopicMatcher.words("").length);
        assertEquals(2, TopicMatcher.words(".").length);
        assertEquals(List.of("a", "", "c"), List.of(TopicMatcher.words("a..c")));
    }

    @Test
    void shouldMatchManyHashesWithoutBacktrackingBlowUp() {
        String pattern = "#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.b";
        String key = "a.".repeat(100) + "c";
        assertEquals(false, TopicMatcher.matches(pattern, key));
    }

    private record Row(String pattern, List<String> matched) {}

    private static Row row(String pattern, String... matched) {
        return new Row(pattern, List.of(matched));
    }
}
