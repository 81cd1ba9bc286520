// path: src/main/java/com/acme/PruneJob.java
// An access modifier is seen at run time by reflection (getFields(), getMethods(),
// getConstructors()), by proxies and by overrides: changing one is never proved harmless.
package com.acme;

public class PruneJob implements Runnable {
    private final Store store;

    public PruneJob(String name, int days) {
        this(new Store(name), days);
    }

    private PruneJob(Store store, int days) {  // error: DC701[warning] (getConstructors() sees it: access is never part of a proof)
        this.store = store;
    }

    PruneJob() {  // error: DC701[warning] (a constructor without parameters: ServiceLoader and newInstance need it public)
        this(new Store(), 7);
    }

    static int days(Store store) {  // error: DC701[warning] (getMethods() sees it)
        return store.retention();
    }

    public void run() {
        prune();
    }

    protected void prune() {  // error: DC701[warning] (a subclass may override it)
        store.prune();
    }

    @Transactional
    private static void purge(Store store) {  // error: DC701[warning] (a proxy ignores @Transactional on a private method)
        store.purge();
    }
}
