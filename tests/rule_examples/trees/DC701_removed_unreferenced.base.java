// path: src/main/java/com/acme/CleanupJob.java
package com.acme;

public class CleanupJob implements Runnable {
    static final String PROBE = "canTakeMore";  // a reflective lookup names the method

    public void run() {
        store.clean();
    }

    private boolean legacyThreshold(double used) {  // error: DC701[info] (private, and nothing at head names it)
        return used < 0.7;
    }

    boolean canTakeMore(double used) {  // error: DC701[warning] (its name is still in a string at head)
        return used < 0.9;
    }

    public boolean idle() {  // error: DC701[warning] (public: other programs may call it)
        return store.isEmpty();
    }

    @Scheduled(fixedDelay = 1000)  // error: DC701[warning] (a framework calls it)
    void sweep() {
        store.sweep();
    }
}
