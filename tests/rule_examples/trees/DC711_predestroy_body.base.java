// path: src/main/java/com/acme/events/EventPublisher.java
package com.acme.events;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.annotation.PreDestroy;
import org.springframework.stereotype.Component;

@Component
public class EventPublisher {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    public void publish(String event) {
        pool.submit(() -> System.out.println(event));
    }

    @PreDestroy
    void close() {
        pool.shutdown();  // error: DC711 (gone from the shutdown hook: the pool runs until the process ends)
        System.out.println("closed");
    }
}
