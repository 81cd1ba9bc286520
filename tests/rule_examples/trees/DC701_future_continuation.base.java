// path: src/main/java/com/acme/savepoint/SavepointService.java
package com.acme.savepoint;

import java.util.concurrent.CompletableFuture;

public class SavepointService {

    void onSavepoint(CompletableFuture<String> future, long appId) {
        future.thenAccept(dir -> {
            log.info("savepoint at {}", dir);
        });
    }
}
