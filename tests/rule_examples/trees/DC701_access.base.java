// path: src/main/java/com/acme/PruneJob.java
package com.acme;

public class PruneJob implements Runnable {
    private final Store store;

    public PruneJob(String name, int days) {
        this(new Store(name), days);
    }

    public PruneJob(Store store, int days) {
        this.store = store;
    }

    public PruneJob() {
        this(new Store(), 7);
    }

    public static int days(Store store) {
        return store.retention();
    }

    public void run() {
        prune();
    }

    public void prune() {
        store.prune();
    }

    @Transactional
    public static void purge(Store store) {
        store.purge();
    }
}
