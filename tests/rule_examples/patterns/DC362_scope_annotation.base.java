// path: src/main/java/org/app/browse/ItemCountDao.java
package org.app.browse;

@Component
@Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)  // error: DC362
public class ItemCountDao {
    private final Map<String, Integer> counts = new HashMap<>();  // ok: DC362
}
