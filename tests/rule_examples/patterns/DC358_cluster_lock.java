// path: src/main/java/org/example/cleanup/AutoCleanupScheduler.java
package org.example.cleanup;

import java.util.concurrent.locks.Lock;

import org.springframework.integration.support.locks.LockRegistry;
import org.springframework.scheduling.annotation.Scheduled;

public class AutoCleanupScheduler {
    private final LockRegistry lockRegistry;
    private final CleanupTasks tasks;

    public AutoCleanupScheduler(LockRegistry lockRegistry, CleanupTasks tasks) {
        this.lockRegistry = lockRegistry;
        this.tasks = tasks;
    }

    @Scheduled(fixedDelayString = "${cleanup.fixedDelay:86400000}")
    public void run() {
        tasks.runAll();  // error: DC701
    }
}
