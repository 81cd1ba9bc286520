internal val registered = mutableListOf<Int>()

abstract class BaseTracker {
    suspend fun register(item: Int) {
        if (item !in registered) registered.add(item)
    }
}
