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

    List<String> rows(List<Map<String, Object>> list) {
        return list.parallelStream()
                .map(formatter::format)
                .collect(Collectors.toList());
    }

    List<String> totals(List<Long> sums) {
        return sums.stream().map(String::valueOf).collect(Collectors.toList());
    }

    List<String> names(List<String> parallel) {
        return parallel.stream().map(String::trim).collect(Collectors.toList());
    }

    long count(List<Long> ids) {
        return ids.parallelStream().count();
    }
}
