// path: src/main/java/com/acme/Cleanup.java
package com.acme;

public class Cleanup {
    @Scheduled(fixedRate = 60000)
    public void purge() {
        repository.deleteExpired();
    }

    public int limit() {
        return 100;
    }
}
