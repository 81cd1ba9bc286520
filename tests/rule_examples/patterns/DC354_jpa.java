// path: src/main/java/shop/StockListener.java
package shop;

@Component
public class StockListener {
    @KafkaListener(topics = "orders", concurrency = "3")  // error: DC171, DC511  // error: DC701
    public void onOrder(OrderEvent e) {  // ok: DC171
        Product p = productRepository.findById(e.productId()).orElseThrow();
        p.setStock(p.getStock() - e.qty());  // error: DC354
        productRepository.save(p);  // error: DC262
    }

    @Scheduled(fixedRate = 60000)  // error: DC170  // ok: DC511  // error: DC701
    public void report() {
        log.info("@Scheduled report: findById then save");  // ok: DC170, DC262
    }
}
