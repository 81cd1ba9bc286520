// path: src/main/java/com/acme/Cleanup.java
package com.acme;

public class Cleanup {
    @Scheduled(fixedRate = 60000)
    public void purge() {
        repository.deleteExpired(limit());  // error: DC701  // error: DC262
    }

    public int limit() {
        return 500;  // error: DC701 (the job calls it: reached from background code)
    }
}
