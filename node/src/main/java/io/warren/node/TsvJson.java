package io.warren.node;

import io.warren.node.management.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * warrenctl's {@code --formatter json}: the admin API's tab-separated answer (a header line of column
 * names, then rows) as a JSON array of objects, one per row, as rabbitmqctl's JSON formatter prints it;
 * whole numbers and true/false become JSON numbers and booleans, the rest strings.
 */
final class TsvJson {
    private TsvJson() {}

    static String convert(String tsv) {
        String[] lines = tsv.split("\n");
        if (lines.length == 0 || lines[0].isEmpty()) {
            return "[]";
        }
        String[] columns = lines[0].split("\t", -1);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            String[] cells = lines[i].split("\t", -1);
            Map<String, Object> row = new LinkedHashMap<>();
            for (int c = 0; c < columns.length; c++) {
                row.put(columns[c], value(c < cells.length ? cells[c] : ""));
            }
            rows.add(row);
        }
        return Json.write(rows);
    }

    private static Object value(String cell) {
        if (cell.equals("true") || cell.equals("false")) {
            return Boolean.parseBoolean(cell);
        }
        if (cell.matches("-?(0|[1-9][0-9]{0,17})")) {
            return Long.parseLong(cell);
        }
        return cell;
    }
}
