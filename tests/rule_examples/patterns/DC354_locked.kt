// path: src/main/kotlin/shop/Stock.kt
package shop

interface ProductRepository : JpaRepository<Product, Long> {
    @Lock(LockModeType.PESSIMISTIC_WRITE)  // error: DC253
    fun findLockedById(id: Long): Product?  // ok: DC253
}

@Service
class Stock(private val repo: ProductRepository) {
    @Transactional  // error: DC253
    fun reserve(id: Long, qty: Int) {
        val p = repo.findLockedById(id)!!
        p.stock -= qty  // ok: DC354
    }
}
