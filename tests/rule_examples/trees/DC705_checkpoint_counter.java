// path: src/main/java/com/acme/CheckpointProcessor.java
package com.acme;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

public class CheckpointProcessor implements Runnable {  // error: DC701
    private final Map<Long, Counter> failures = new ConcurrentHashMap<>();  // error: DC701
    private final Map<Long, Counter> seen = new java.util.HashMap<>();  // error: DC701

    public void run() {  // error: DC701
        Counter counter = failures.get(appId);
        if (counter == null || counter.expired(now)) {
            failures.put(appId, new Counter(now));  // error: DC705
            return;
        }
        failures.compute(appId, (id, c) -> c.next());  // ok: DC705 (one atomic call)
        Counter other = seen.get(appId);
        seen.put(appId, new Counter(now));  // ok: DC705 (not a concurrent map; DC706 reads shared statics)
    }

    synchronized void reset() {  // error: DC701  // error: DC253
        if (failures.containsKey(appId)) {
            failures.put(appId, new Counter(now));  // ok: DC705 (synchronized method)
        }
    }
}
