// path: src/main/java/com/acme/SyncJob.java
package com.acme;

import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public class SyncJob implements Runnable {
    private static Logger LOG = LoggerFactory.getLogger(SyncJob.class);  // error: DC701[info] (a logger field)
    private final Logger audit = AuditLogs.open("audit");  // error: DC701[warning] (not a logger factory: may act)
    private final Store store;

    SyncJob(Store store) {
        this.store = store;
    }

    public void run() {
        sync(store.pending());
    }

    void sync(Collection<String> ids) {  // error: DC701[info] (java.util.Collection, imported)
        store.mark(ids);
    }

    void clear(List<String> ids) {  // error: DC701[warning] (List is not imported: another type)
        store.clear(ids);
    }
}
