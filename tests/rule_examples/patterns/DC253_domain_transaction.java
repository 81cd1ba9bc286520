// path: src/main/java/org/shop/pay/PayOrderService.java
// A payment's or a blockchain's transaction is data handed on; a transaction opened by hand
// takes the work to run in it, or nothing.
package org.shop.pay;

public class PayOrderService {
    public void pay(PayOrder order, Function function) {
        paymentService.doTransaction(order);  // ok: DC253
        contract.executeRemoteCallTransaction(function);  // ok: DC253
        Payment.builder().withTransaction(order.getTxn()).build();  // ok: DC253
        channel.startTransaction(order, "wechat");  // ok: DC253
        firestore.runTransaction(transaction -> transaction.get(ref));  // error: DC253
        Transaction tx = session.beginTransaction();  // error: DC253
        qm.runInTransaction(task);  // error: DC253
        withTransaction(this::settle);  // error: DC253
        doInTransaction(  // error: DC253
            () -> repository.save(order));
    }
}
