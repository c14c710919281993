package io.warren.raft.core;

import io.warren.proto.Table;
import io.warren.proto.TableEntry;
import io.warren.proto.Value;
import java.util.Optional;

/**
 * Headers-exchange matching as RabbitMQ 3.10 does it. The binding's {@code x-match} is all (the
 * default), any, all-with-x or any-with-x; plain all/any ignore binding keys that start with "x-". A
 * binding value of type void matches any value; otherwise the message's value must be of the same type
 * class (all integer widths are one class, both float widths another) and equal. "all" with no keys left
 * matches every message, "any" with none matches nothing. Checked against RabbitMQ by HeadersMatcherTest.
 */
public final class HeadersMatcher {
    private HeadersMatcher() {}

    /** The x-match modes; empty for a value RabbitMQ refuses with 406. */
    static Optional<String> matchMode(Table bindingArguments) {
        Value mode = Tables.get(bindingArguments, "x-match");
        if (mode == null) {
            return Optional.of("all");
        }
        String text = Tables.text(mode);
        if (text != null && (text.equals("all") || text.equals("any") || text.equals("all-with-x")
                || text.equals("any-with-x"))) {
            return Optional.of(text);
        }
        return Optional.empty();
    }

    public static boolean matches(Table bindingArguments, Table headers) {
        String mode = matchMode(bindingArguments).orElse("all");
        boolean withX = mode.endsWith("-with-x");
        boolean all = mode.startsWith("all");
        for (TableEntry condition : bindingArguments.getEntriesList()) {
            String key = condition.getKey();
            if (key.equals("x-match") || !withX && key.startsWith("x-")) {
                continue;
            }
            Value actual = Tables.get(headers, key);
            boolean matched = actual != null && valueMatches(condition.getValue(), actual);
            if (all && !matched) {
                return false;
            }
            if (!all && matched) {
                return true;
            }
        }
        return all;
    }

    private static boolean valueMatches(Value expected, Value actual) {
        if (expected.getKindCase() == Value.KindCase.VOID) {
            return true;
        }
        return Tables.typeClass(expected) == Tables.typeClass(actual) && Tables.sameValue(expected, actual);
    }
}
