// path: src/main/java/shop/OrderListener.java
package shop;

import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.scheduling.annotation.Async;

public class OrderListener {
    @RabbitListener(queues = "orders")  // error: DC171[info]  // error: DC701
    public void onOrder(OrderEvent e) {
        Product p = productRepository.findById(e.productId()).orElseThrow();
        p.setStock(p.getStock() - e.qty());  // error: DC354[high]
        productRepository.save(p);  // error: DC262
    }

    @Async  // error: DC170[info]  // error: DC701
    public void rebuild(long id) {
        reportRepository.deleteById(id);  // error: DC262
    }

    // @RabbitListener(queues = "legacy") was removed   // ok: DC171
    public String describe() {
        return "@Async @RabbitListener";  // ok: DC170, DC171
    }
}
