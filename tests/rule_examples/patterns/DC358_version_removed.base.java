// path: src/main/java/shop/Product.java
package shop;

@Entity
public class Product {
    @Id Long id;  // ok: DC358
    @Version  // error: DC358
    Long version;
    int stock;
}
