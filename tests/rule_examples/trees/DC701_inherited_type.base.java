// path: src/main/java/com/acme/jobs/NightlyJob.java
package com.acme.jobs;

import com.acme.billing.Step;
import org.springframework.scheduling.annotation.Scheduled;

public class NightlyJob extends BaseJob {
    @Scheduled(cron = "0 0 2 * * *")
    public void run() {
        new Step().run();
    }
}
