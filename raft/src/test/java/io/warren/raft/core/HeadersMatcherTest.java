package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.proto.Table;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Headers matching, table-driven. MESSAGES are message headers; each row is a binding's arguments and the
 * indexes of the messages RabbitMQ 3.10 routed through it (recorded with pika against Debian's
 * rabbitmq-server, one queue per binding on a headers exchange). Integers are 32-bit here as pika sends
 * them; matching is by type class, so the width does not matter.
 */
class HeadersMatcherTest {
    private static final List<Table> MESSAGES = List.of(
            table(),
            table("a", 1),
            table("a", 1, "b", "x"),
            table("a", 2, "b", "x"),
            table("a", "1"),
            table("x-foo", "y"),
            table("x-foo", "y", "a", 2),
            table("a", true),
            table("b", "x"),
            table("a", null),
            table("a", 1, "x-foo", "z"));

    private record Row(Table binding, List<Integer> matched) {}

    private static final List<Row> TABLE = List.of(
            new Row(table("x-match", "all", "a", 1), List.of(1, 2, 10)),
            new Row(table("x-match", "any", "a", 1, "b", "x"), List.of(1, 2, 3, 8, 10)),
            new Row(table("a", 1, "b", "x"), List.of(2)),
            new Row(table("x-match", "all"), List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)),
            new Row(table("x-match", "any"), List.of()),
            new Row(table("x-match", "all", "a", null), List.of(1, 2, 3, 4, 6, 7, 9, 10)),
            new Row(table("x-match", "any", "x-foo", "y", "a", 2), List.of(3, 6)),
            new Row(table("x-match", "all-with-x", "x-foo", "y"), List.of(5, 6)),
            new Row(table("x-match", "any-with-x", "x-foo", "y", "a", 2), List.of(3, 5, 6)),
            new Row(table("x-match", "all", "a", "1"), List.of(4)),
            new Row(table("x-match", "all", "a", true), List.of(7)),
            new Row(table("x-match", "all", "x-foo", "y"), List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)));

    @Test
    void shouldRouteExactlyTheMessagesRabbitMqRoutedForEachBinding() {
        for (Row row : TABLE) {
            List<Integer> matched = new ArrayList<>();
            for (int i = 0; i < MESSAGES.size(); i++) {
                if (HeadersMatcher.matches(row.binding, MESSAGES.get(i))) {
                    matched.add(i);
                }
            }
            assertEquals(row.matched, matched, () -> "binding " + row.binding);
        }
    }

    @Test
    void shouldCompareIntegersOfDifferentWidthsByValue() {
        assertTrue(HeadersMatcher.matches(table("a", 7), table("a", 7L)));
    }

    @Test
    void shouldRefuseAnUnknownMatchMode() {
        assertTrue(HeadersMatcher.matchMode(table("x-match", "foo")).isEmpty());
        assertTrue(HeadersMatcher.matchMode(table("x-match", 1)).isEmpty());
        assertEquals("all", HeadersMatcher.matchMode(table()).orElseThrow());
    }
}
