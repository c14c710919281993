package io.warren.node;

import com.google.protobuf.ByteString;
import io.warren.proto.Table;
import io.warren.proto.TableEntry;
import io.warren.proto.Value;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * A policy definition as rabbitmqctl takes and prints it: a flat JSON object of setting names and values
 * (strings, numbers, booleans; the settings Warren takes need nothing else). Parsed into the table the core
 * validates, and printed back with keys in order and no spaces, as rabbitmqctl list_policies prints it.
 */
final class PolicyDefinitionJson {
    private final String text;
    private int at;

    private PolicyDefinitionJson(String text) {
        this.text = text;
    }

    /** @throws IllegalArgumentException with what is wrong, for rabbitmqctl's "JSON decoding error" */
    static Table parse(String json) {
        PolicyDefinitionJson parser = new PolicyDefinitionJson(json);
        Table table = parser.object();
        parser.space();
        if (parser.at != json.length()) {
            throw parser.error("text after the object");
        }
        return table;
    }

    static String print(Table table) {
        StringBuilder out = new StringBuilder("{");
        table.getEntriesList().stream().sorted(java.util.Comparator.comparing(TableEntry::getKey)).forEach(entry -> {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(quoted(entry.getKey())).append(':').append(value(entry.getValue()));
        });
        return out.append('}').toString();
    }

    private static String value(Value value) {
        return switch (value.getKindCase()) {
            case LONG_STRING -> quoted(value.getLongString().toStringUtf8());
            case BOOLEAN -> Boolean.toString(value.getBoolean());
            case INT64 -> Long.toString(value.getInt64());
            case FLOAT64 -> Double.toString(Double.longBitsToDouble(value.getFloat64()));
            default -> "null";
        };
    }

    private static String quoted(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private Table object() {
        expect('{');
        Table.Builder table = Table.newBuilder();
        space();
        if (peek() == '}') {
            at++;
            return table.build();
        }
        while (true) {
            space();
            String key = string();
            space();
            expect(':');
            space();
            table.addEntries(TableEntry.newBuilder().setKey(key).setValue(scalar()));
            space();
            if (peek() == ',') {
                at++;
            } else {
                expect('}');
                return table.build();
            }
        }
    }

    private Value scalar() {
        char c = peek();
        if (c == '"') {
            return Value.newBuilder().setLongString(ByteString.copyFrom(string(), StandardCharsets.UTF_8)).build();
        }
        if (text.startsWith("true", at) || text.startsWith("false", at)) {
            boolean value = text.startsWith("true", at);
            at += value ? 4 : 5;
            return Value.newBuilder().setBoolean(value).build();
        }
        if (c == '-' || Character.isDigit(c)) {
            int start = at;
            while (at < text.length() && "+-.eE0123456789".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            String number = text.substring(start, at);
            try {
                BigDecimal parsed = new BigDecimal(number);
                if (number.matches("-?\\d+")) {
                    return Value.newBuilder().setInt64(parsed.longValueExact()).build();
                }
                return Value.newBuilder().setFloat64(Double.doubleToRawLongBits(parsed.doubleValue())).build();
            } catch (NumberFormatException | ArithmeticException e) {
                throw error("not a number: " + number);
            }
        }
        if (c == '{' || c == '[') {
            throw error("nested objects and arrays are not taken in a Warren policy");
        }
        throw error("a value expected");
    }

    private String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (true) {
            if (at >= text.length()) {
                throw error("an unterminated string");
            }
            char c = text.charAt(at++);
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (at >= text.length()) {
                throw error("an unterminated escape");
            }
            char escaped = text.charAt(at++);
            switch (escaped) {
                case '"', '\\', '/' -> out.append(escaped);
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw error("a short \\u escape");
                    }
                    try {
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    } catch (NumberFormatException e) {
                        throw error("a bad \\u escape");
                    }
                    at += 4;
                }
                default -> throw error("an unknown escape \\" + escaped);
            }
        }
    }

    private void space() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
    }

    private char peek() {
        return at < text.length() ? text.charAt(at) : '\0';
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "' expected");
        }
        at++;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("JSON decoding error: " + what + " at character " + (at + 1));
    }
}
