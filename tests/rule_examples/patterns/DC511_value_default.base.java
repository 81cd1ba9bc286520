// path: src/main/java/org/example/repository/RepositoryConfiguration.java
package org.example.repository;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;

public class RepositoryConfiguration {
    @Bean
    AutoAssignScheduler autoAssignScheduler(
            @Value("${example.autoassign.executor.thread-pool.size:1}") final int threadPoolSize,
            @Value("${example.autoassign.enabled:true}") final boolean enabled) {
        return new AutoAssignScheduler(threadPoolSize, enabled);
    }
}
