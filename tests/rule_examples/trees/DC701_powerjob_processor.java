// path: src/main/java/com/acme/report/InjectContextProcessor.java
package com.acme.report;

import tech.powerjob.worker.core.processor.ProcessResult;
import tech.powerjob.worker.core.processor.TaskContext;

public class InjectContextProcessor extends CommonBasicProcessor {

    @Override
    protected ProcessResult process0(TaskContext context) {
        for (String key : context.getJobParams().split(",")) {  // error: DC701
            context.getWorkflowContext().appendData2WfContext(key, context.getJobParams());
        }
        return new ProcessResult(true);
    }

    static String describe(String params) {
        return "job params: " + params;  // ok: DC701 (no TaskContext: PowerJob's worker does not run it)
    }
}
