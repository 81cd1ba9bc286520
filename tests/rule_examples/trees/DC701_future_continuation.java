// path: src/main/java/com/acme/savepoint/SavepointService.java
// A future's continuation runs when the future completes, on another thread, beside the
// requests that went on: the save it now does prunes and inserts rows with no lock.
package com.acme.savepoint;

import java.util.concurrent.CompletableFuture;

public class SavepointService {

    void onSavepoint(CompletableFuture<String> future, long appId) {
        future.thenAccept(dir -> {
            log.info("savepoint at {}", dir);
            repository.save(new Savepoint(appId, dir));  // error: DC701[warning] (continuation run when a future completes)
        });
    }
}
