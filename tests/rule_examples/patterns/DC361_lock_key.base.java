// path: src/main/java/org/example/autoassign/AutoAssignScheduler.java
package org.example.autoassign;

import java.time.Duration;
import java.util.concurrent.locks.Lock;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.springframework.integration.support.locks.LockRegistry;

public class AutoAssignScheduler {
    private final LockRegistry lockRegistry;

    public AutoAssignScheduler(LockRegistry lockRegistry) {
        this.lockRegistry = lockRegistry;
    }

    public void checkTenant(String tenant) {
        final Lock lock = lockRegistry.obtain("scheduler");
        if (!lock.tryLock()) {
            return;
        }
        try {
            assign(tenant);
        } finally {
            lock.unlock();
        }
    }

    @SchedulerLock(name = "purge", lockAtMostFor = "PT10M")
    public void purge() {
    }

    private void assign(String tenant) {
    }

    LockRegistry registry(LockRepository client, long ttl) {
        return new JdbcLockRegistry(client, Duration.ofMillis(ttl));
    }

    public void report() {
        final Lock lock = lockRegistry.obtain("report");
        lock.lock();
        lock.unlock();
    }
}
