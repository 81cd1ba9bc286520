// path: src/main/java/com/acme/jobs/NightlyJob.java
package com.acme.jobs;

import com.acme.billing.Step;
import org.springframework.scheduling.annotation.Scheduled;

// `Step` may be a member type inherited from BaseJob, which shadows the import (JLS 6.4.1):
// spelling out com.acme.billing.Step may run another class, so it is no proof here.
public class NightlyJob extends BaseJob {
    @Scheduled(cron = "0 0 2 * * *")
    public void run() {
        new com.acme.billing.Step().run();  // error: DC701[warning]
    }
}
