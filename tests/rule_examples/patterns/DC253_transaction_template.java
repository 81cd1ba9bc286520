// path: src/main/java/org/shop/orders/OrderCleanup.java
// A Spring transaction template built by hand, or named for short, opens a transaction as
// `transactionTemplate.execute(…)` does.
package org.shop.orders;

public class OrderCleanup {
    public void purge(PlatformTransactionManager txManager) {
        TransactionTemplate template = new TransactionTemplate(txManager);  // error: DC253
        txTemplate.execute(status -> repository.deleteExpired());  // error: DC253
        requiresNewTransactionTemplate.executeWithoutResult(status -> audit.flush());  // error: DC253
        inTransactionList(orders);  // ok: DC253
        templateEngine.execute(view);  // ok: DC253
    }
}
