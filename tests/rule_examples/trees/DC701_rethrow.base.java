// path: src/main/java/com/acme/MigrateJob.java
package com.acme;

public class MigrateJob implements Runnable {
    public void run() {
        migrate();
    }

    void migrate() {
        store.apply();
    }

    void verify() {
        store.check();
    }
}
