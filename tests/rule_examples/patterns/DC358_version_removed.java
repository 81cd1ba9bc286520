// path: src/main/java/shop/Product.java
package shop;

@Entity
public class Product {
    @Id Long id;
    int stock;
}
