// path: src/main/java/com/acme/QueueIndex.java
package com.acme;

public class QueueIndex {
    private long index;  // error: DC704[high]
    private volatile boolean running;
    private final Object guard = new Object();

    long next() {
        return ++index;  // error: DC701[info] (`next` is too common a name to follow: said, not flagged)
    }

    void stop() {
        running = false;
    }

    void reset() {
        running = true;  // error: DC704[high]
    }

    int size() {
        return 2;  // ok: DC704
    }
}
