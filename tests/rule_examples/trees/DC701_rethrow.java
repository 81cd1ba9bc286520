// path: src/main/java/com/acme/MigrateJob.java
package com.acme;

public class MigrateJob implements Runnable {
    public void run() {
        try {  // error: DC701[info] (the catch only logs and rethrows what it caught)
            migrate();
        } catch (RuntimeException e) {
            LOG.warn("Migration failed", e);
            throw e;
        }
    }

    void migrate() {
        try {  // error: DC701[warning] (another exception is thrown)
            store.apply();
        } catch (RuntimeException e) {
            LOG.warn("Migration failed", e);
            throw new MigrationException(e);
        }
    }

    void verify() {
        try {  // error: DC701[warning] (the catch is not the last one: IOException now reaches it)
            store.check();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            store.reset();
        }
    }
}
