// path: src/main/java/com/acme/bus/KafkaBus.java
// The hook's text is the same, but its annotation is now another type: Spring 5 reads
// javax.annotation.PreDestroy only, Spring 6 jakarta.annotation.PreDestroy only.
package com.acme.bus;

import javax.annotation.PreDestroy;  // error: DC711 (the hook's annotation names another type)
import org.springframework.stereotype.Component;

@Component
public class KafkaBus {

    @PreDestroy
    public void destroy() {
        containers.forEach(c -> c.stop());
        producer.close();
    }
}
