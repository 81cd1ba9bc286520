// path: src/main/java/com/acme/boot/Starter.java
package com.acme.boot;

import javax.annotation.PreDestroy;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;

public class Starter implements SmartInitializingSingleton, DisposableBean {

    private final JobServer server;
    private final Cache cache;

    Starter(JobServer server, Cache cache) {
        this.server = server;
        this.cache = cache;
    }

    @Override
    public void afterSingletonsInstantiated() {
        server.start();
    }

    @Override
    public void destroy() {
        server.stop();
    }

    @PreDestroy
    void flush() {
        cache.flush();
    }
}
