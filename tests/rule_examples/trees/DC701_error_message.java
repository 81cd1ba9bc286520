// path: src/main/java/com/acme/ReportJob.java
package com.acme;

public class ReportJob implements Runnable {
    public void run() {
        if (lambda == null) {
            if (request != null) {  // error: DC701[info] (either way the same exception is thrown)
                throw new IllegalArgumentException("Use the request scheduler for a request.");
            }
            throw new IllegalArgumentException("A lambda must be present. Did you forget `withDetails`?");
        }
        build(lambda);
    }

    void check() {
        if (request == null) {
            if (scheduler.accepts(request)) {  // error: DC701[warning] (the condition calls a method)
                throw new IllegalArgumentException("Wrong scheduler.");
            }
            throw new IllegalArgumentException("A request must be present.");
        }
    }

    void validate() {
        if (request == null) {
            throw new IllegalArgumentException("No request.");  // error: DC701[warning] (another exception type)
        }
    }
}
