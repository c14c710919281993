package io.warren.node.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** JSON in and out: every kind of value, escapes, numbers, and each malformed input refused with where. */
class JsonTest {
    @Test
    void shouldParseEveryKindOfValueAndWriteItBack() {
        String text = "{\"s\":\"a\\\"b\\\\c\\n\\u00e9\\/\",\"i\":-12,\"big\":12345678901234567890,\"d\":1.5e3,"
                + "\"t\":true,\"f\":false,\"n\":null,\"l\":[1,[],{}],\"o\":{\"k\":\"v\"}}";
        Map<?, ?> value = (Map<?, ?>) Json.parse(text);
        assertEquals("a\"b\\c\né/", value.get("s"));
        assertEquals(-12L, value.get("i"));
        assertEquals(new BigDecimal("12345678901234567890"), value.get("big"));
        assertEquals(new BigDecimal("1.5e3"), value.get("d"));
        assertEquals(true, value.get("t"));
        assertEquals(false, value.get("f"));
        assertTrue(value.containsKey("n"));
        assertNull(value.get("n"));
        assertEquals(List.of(1L, List.of(), Map.of()), value.get("l"));
        assertEquals(List.of("s", "i", "big", "d", "t", "f", "n", "l", "o"), List.copyOf(value.keySet()),
                "members in document order");
        assertEquals(value, Json.parse(Json.write(value)), "what is written parses back the same");
    }

    @Test
    void shouldEscapeWhatJsonCannotCarryRaw() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("q\"", "line\nbreak\ttab\u0001");
        value.put("nan", Double.NaN);
        assertEquals("{\"q\\\"\":\"line\\nbreak\\ttab\\u0001\",\"nan\":null}", Json.write(value));
    }

    @Test
    void shouldRefuseMalformedInputSayingWhere() {
        for (String bad : List.of("", "{", "{\"a\"}", "{\"a\":1,}", "[1 2]", "tru", "01", "1.", "-", "\"open",
                "\"bad \\x escape\"", "\"\\u12\"", "{} {}", "{a:1}", "\"raw\u0001control\"", "1e", "[1,]")) {
            Json.BadJson error = assertThrows(Json.BadJson.class, () -> Json.parse(bad), "refused: " + bad);
            assertTrue(error.getMessage().contains("at position"), error.getMessage());
        }
    }

    @Test
    void shouldRefuseNestingDeeperThanTheLimitWithoutExhaustingTheStack() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        Json.BadJson error = assertThrows(Json.BadJson.class, () -> Json.parse(deep));
        assertTrue(error.getMessage().contains("nested deeper than " + Json.DEPTH_MAX), error.getMessage());
        String fine = "[".repeat(Json.DEPTH_MAX) + "]".repeat(Json.DEPTH_MAX);
        Json.parse(fine);
    }
}
