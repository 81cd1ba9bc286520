// path: src/main/java/com/acme/report/ReportJobs.java
package com.acme.report;

import com.xxl.job.core.handler.IJobHandler;
import com.xxl.job.core.handler.annotation.XxlJob;

public class ReportJobs {

    @XxlJob("dailyReport")
    public void dailyReport() {
        reports.rebuild(7);  // error: DC701
    }

    public void preview() {
        reports.preview(7);  // ok: DC701 (not the handler the executor runs)
    }
}

class CleanupHandler extends IJobHandler {

    @Override
    public void execute() {
        store.clean(30);  // error: DC701
    }
}
