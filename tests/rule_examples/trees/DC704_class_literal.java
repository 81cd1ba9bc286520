// path: src/main/java/com/acme/JobMapper.java
package com.acme;

public class JobMapper implements Runnable {
    private final Validator validator;

    JobMapper(Validator.Builder builder) {
        validator = builder
                .allow("java.util.concurrent.ConcurrentHashMap")  // error: DC701[warning] // ok: DC704 (a class literal named the type: no map was used)
                .build();
    }

    public void run() {
        validator.check();
    }
}
