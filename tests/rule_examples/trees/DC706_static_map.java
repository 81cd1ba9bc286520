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
        COUNTS.put("boot", 0L);  // error: DC701  // ok: DC706 (a static initializer runs once, on one thread)
    }

    public void run() {
        Long seen = COUNTS.get(key);  // error: DC701  // ok: DC706 (a read)
        COUNTS.put(key, seen == null ? 1 : seen + 1);  // error: DC706
        SAFE.merge(key, 1L, Long::sum);  // ok: DC706 (a concurrent map)
        mine.put(key, 1L);  // ok: DC706 (not static)
        String day = DAY.format(new java.util.Date());  // error: DC706 (SimpleDateFormat keeps state)
    }

    synchronized void reset() {
        COUNTS.clear();  // error: DC701  // ok: DC706, DC704 (synchronized method: a whole-method lock)
    }

    void drop(String k) {
        synchronized (Stats.class) {
            Stats.COUNTS.remove(k);  // error: DC701, DC704  // ok: DC706 (synchronized block)
        }
    }
}
