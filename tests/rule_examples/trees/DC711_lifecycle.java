// path: src/main/java/com/acme/boot/Starter.java
package com.acme.boot;

import javax.annotation.PreDestroy;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.EventListener;

public class Starter implements DisposableBean {  // ok: DC711 (it was a DisposableBean before too)

    private final JobServer server;
    private final Cache cache;

    Starter(JobServer server, Cache cache) {
        this.server = server;
        this.cache = cache;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void startup() {
        server.start();
    }

    @Override
    public void destroy() {
        server.stop();
    }

    @PreDestroy
    void flush() {
        cache.flushAndWait();  // error: DC711 (a shutdown hook changed)
    }
}
