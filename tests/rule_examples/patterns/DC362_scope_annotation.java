// path: src/main/java/org/app/browse/ItemCountDao.java
package org.app.browse;

@Component
public class ItemCountDao {
    private final Map<String, Integer> counts = new HashMap<>();
}
