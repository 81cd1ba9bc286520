internal val registered = mutableListOf<Int>()

abstract class BaseTracker {
    suspend fun register(item: Int) {
        registered.add(item)
    }
}
