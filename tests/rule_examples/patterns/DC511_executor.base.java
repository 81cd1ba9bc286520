// path: src/main/java/org/example/webhook/WebhookSender.java
package org.example.webhook;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

public class WebhookSender {
    private final ExecutorService executor = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    private final ExecutorService retries = Executors.newFixedThreadPool(2);

    public void send(String event) {
        executor.execute(() -> post(event));
    }

    public void retry(String event) {
        retries.execute(() -> post(event));
    }

    void post(String event) {
        System.out.println(event);
    }
}
