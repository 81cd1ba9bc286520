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
        final Lock lock = lockRegistry.obtain(tenant + "-auto-assign");  // error: DC361
        if (!lock.tryLock()) {
            return;
        }
        try {
            assign(tenant);
        } finally {
            lock.unlock();
        }
    }

    @SchedulerLock(name = "purge", lockAtMostFor = "PT1M")  // error: DC361, DC253
    public void purge() {
    }

    private void assign(String tenant) {
    }

    LockRegistry registry(LockRepository client, long ttl) {
        return new JdbcLockRegistry(client, Duration.ofMillis(ttl / 10));  // error: DC361
    }

    public void report() {
        Lock lock = lockRegistry.obtain("report");  // ok: DC361 (the same key)
        lock.lock();
        lock.unlock();
    }
}
