// path: src/main/java/com/acme/Stats.java
package com.acme;

import java.text.SimpleDateFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

public class Stats implements Runnable {
    private static final Map<String, Long> COUNTS = new HashMap<>();
    private static final SimpleDateFormat DAY = new SimpleDateFormat("yyyy-MM-dd");
    private static final Map<String, Long> SAFE = new ConcurrentHashMap<>();
    private final Map<String, Long> mine = new HashMap<>();

    static {
        COUNTS.put("start", 0L);
    }

    public void run() {
        handle(key);
    }

    synchronized void reset() {
        COUNTS.remove("x");
    }

    void drop(String k) {
        synchronized (Stats.class) {
            Stats.COUNTS.remove(k + "x");
        }
    }
}
