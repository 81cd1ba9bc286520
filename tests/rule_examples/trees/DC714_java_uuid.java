// path: src/main/java/shop/OrderWorkflowImpl.java
package shop;

import io.temporal.workflow.Workflow;
import java.util.UUID;

public class OrderWorkflowImpl implements OrderWorkflow {
    private final OrderActivities activities = Workflow.newActivityStub(OrderActivities.class, OPTIONS);

    @Override
    public void process(String orderId) {
        String key = UUID.randomUUID().toString();  // error: DC701, DC714
        activities.charge(orderId, key);
    }
}
