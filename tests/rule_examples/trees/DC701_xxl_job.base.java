// path: src/main/java/com/acme/report/ReportJobs.java
package com.acme.report;

import com.xxl.job.core.handler.IJobHandler;
import com.xxl.job.core.handler.annotation.XxlJob;

public class ReportJobs {

    @XxlJob("dailyReport")
    public void dailyReport() {
        reports.rebuild(1);
    }

    public void preview() {
        reports.preview(1);
    }
}

class CleanupHandler extends IJobHandler {

    @Override
    public void execute() {
        store.clean(1);
    }
}
