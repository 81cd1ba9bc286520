// path: src/main/java/com/acme/QueueIndex.java
package com.acme;

public class QueueIndex {
    private long index;  // error: DC704[high]
    private volatile boolean running;
    private final Object guard = new Object();

    long next() {
        return ++index;
    }

    void stop() {
        running = false;
    }

    void reset() {
        running = true;  // error: DC704[high], DC701[info]
    }

    int size() {
        return 2;  // ok: DC704
    }
}
