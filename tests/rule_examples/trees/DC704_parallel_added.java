// path: src/main/java/com/acme/report/Totals.java
package com.acme.report;

import java.util.List;
import java.util.stream.Collectors;

public class Totals {
    private final List<String> seen = new java.util.ArrayList<>();

    List<String> totals(List<Long> sums) {
        return sums.stream()
                .parallel()  // error: DC704[warning] (the lambdas now run on the shared fork-join pool: `seen` is a plain list)
                .peek(s -> seen.add(s.toString())).map(String::valueOf).collect(Collectors.toList());
    }
}
