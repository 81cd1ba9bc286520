// path: src/main/java/com/acme/JobMapper.java
package com.acme;

import java.util.concurrent.ConcurrentHashMap;

public class JobMapper implements Runnable {
    private final Validator validator;

    JobMapper(Validator.Builder builder) {
        validator = builder
                .allow(ConcurrentHashMap.class)
                .build();
    }

    public void run() {
        validator.check();
    }
}
