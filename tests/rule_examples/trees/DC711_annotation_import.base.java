// path: src/main/java/com/acme/bus/KafkaBus.java
package com.acme.bus;

import jakarta.annotation.PreDestroy;
import org.springframework.stereotype.Component;

@Component
public class KafkaBus {

    @PreDestroy
    public void destroy() {
        containers.forEach(c -> c.stop());
        producer.close();
    }
}
