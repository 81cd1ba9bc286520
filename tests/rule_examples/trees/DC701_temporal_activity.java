// path: src/main/java/shop/OrderActivitiesImpl.java
package shop;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

@ActivityInterface
interface OrderActivities {
    @ActivityMethod
    void charge(String id);
}

public class OrderActivitiesImpl implements OrderActivities {
    private final Payments payments;

    OrderActivitiesImpl(Payments payments) {
        this.payments = payments;
    }

    @Override
    public void charge(String id) {
        payments.capture(id, true);  // error: DC701
    }
}
