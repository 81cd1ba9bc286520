// path: src/main/java/com/acme/ReportJob.java
package com.acme;

public class ReportJob implements Runnable {
    public void run() {
        if (lambda == null) {
            throw new IllegalArgumentException("A lambda must be present.");
        }
        build(lambda);
    }

    void check() {
        if (request == null) {
            throw new IllegalArgumentException("A request must be present.");
        }
    }

    void validate() {
        if (request == null) {
            throw new IllegalStateException("No request.");
        }
    }
}
