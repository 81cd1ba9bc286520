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
        final Lock lock = lockRegistry.obtain("autocleanup");  // error: DC358
        if (!lock.tryLock()) {  // error: DC358
            return;
        }
        try {
            tasks.runAll();
        } finally {
            lock.unlock();  // error: DC358
        }
    }
}
