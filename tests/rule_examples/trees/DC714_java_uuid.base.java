// path: src/main/java/shop/OrderWorkflowImpl.java
package shop;

import io.temporal.workflow.Workflow;

public class OrderWorkflowImpl implements OrderWorkflow {
    private final OrderActivities activities = Workflow.newActivityStub(OrderActivities.class, OPTIONS);

    @Override
    public void process(String orderId) {
        String key = Workflow.randomUUID().toString();
        activities.charge(orderId, key);
    }
}
