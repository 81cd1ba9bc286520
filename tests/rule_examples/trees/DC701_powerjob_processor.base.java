// path: src/main/java/com/acme/report/InjectContextProcessor.java
package com.acme.report;

import tech.powerjob.worker.core.processor.ProcessResult;
import tech.powerjob.worker.core.processor.TaskContext;

public class InjectContextProcessor extends CommonBasicProcessor {

    @Override
    protected ProcessResult process0(TaskContext context) {
        context.getWorkflowContext().appendData2WfContext("seen", context.getJobParams());
        return new ProcessResult(true);
    }

    static String describe(String params) {
        return "params: " + params;
    }
}
