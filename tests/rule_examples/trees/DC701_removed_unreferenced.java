// path: src/main/java/com/acme/CleanupJob.java
package com.acme;

public class CleanupJob implements Runnable {
    static final String PROBE = "canTakeMore";  // a reflective lookup names the method

    public void run() {
        store.clean();
    }
}
