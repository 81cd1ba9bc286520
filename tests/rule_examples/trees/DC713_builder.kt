// path: src/main/kotlin/shop/OrderWorkflowImpl.kt
package shop

import io.temporal.activity.ActivityOptions
import io.temporal.common.RetryOptions
import io.temporal.workflow.Workflow
import java.time.Duration

class OrderWorkflowImpl : OrderWorkflow {
    private val activities = Workflow.newActivityStub(
        OrderActivities::class.java,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(5))
            .setHeartbeatTimeout(Duration.ofMinutes(2))  // error: DC701, DC713
            .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(5).build())  // error: DC713
            .build(),
    )

    override fun process(id: String) {
        activities.charge(id)
    }
}
