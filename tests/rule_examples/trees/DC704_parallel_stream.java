// path: src/main/java/com/acme/export/SheetExport.java
package com.acme.export;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

public class SheetExport {
    private final Formatter formatter;

    SheetExport(Formatter formatter) {
        this.formatter = formatter;
    }

    /**  // ok: DC704 (the class's own lines: its methods' streams are theirs)
     * One cell, trimmed.
     */
    static String cell(String value) {
        return value.trim();
    }

    List<String> rows(List<Map<String, Object>> list) {
        return list.stream()  // error: DC704[warning] (the mapping now runs on the caller's thread only)
                .map(formatter::format)
                .collect(Collectors.toList());
    }

    List<String> totals(List<Long> sums) {
        return sums.stream().map(String::valueOf).collect(Collectors.toList());
    }

    List<String> names(List<String> parallel) {
        return parallel.stream().map(String::strip).collect(Collectors.toList());  // ok: DC704 (a variable named parallel is no parallel stream)
    }

    long count(List<Long> ids) {
        return ids.stream().count();  // error: DC704[warning]
    }
}
