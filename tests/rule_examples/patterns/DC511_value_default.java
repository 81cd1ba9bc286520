// path: src/main/java/org/example/repository/RepositoryConfiguration.java
package org.example.repository;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;

public class RepositoryConfiguration {
    @Bean
    AutoAssignScheduler autoAssignScheduler(
            @Value("${example.autoassign.executor.thread-pool.size:8}") final int threadPoolSize,  // error: DC511
            @Value("${example.autoassign.enabled:false}") final boolean enabled) {  // ok: DC511 (not a concurrency setting)
        return new AutoAssignScheduler(threadPoolSize, enabled);
    }
}
