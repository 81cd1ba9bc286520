// path: src/main/java/com/acme/SyncJob.java
package com.acme;

import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public class SyncJob implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncJob.class);
    private final Logger audit = LoggerFactory.getLogger("audit");
    private final Store store;

    SyncJob(Store store) {
        this.store = store;
    }

    public void run() {
        sync(store.pending());
    }

    void sync(java.util.Collection<String> ids) {
        store.mark(ids);
    }

    void clear(java.util.List<String> ids) {
        store.clear(ids);
    }
}
