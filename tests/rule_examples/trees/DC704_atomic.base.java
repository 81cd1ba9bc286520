// path: src/main/java/com/acme/QueueIndex.java
package com.acme;

public class QueueIndex {
    private final AtomicLong index = new AtomicLong();
    private volatile boolean running;
    private final Object guard = new Object();

    long next() {
        return index.incrementAndGet();
    }

    void stop() {
        running = false;
    }

    void reset() {
        synchronized (guard) {  // error: DC358
            running = true;
        }
    }

    int size() {
        return 1;
    }
}
