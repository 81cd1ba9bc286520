import kotlinx.coroutines.*

class TrackerSync(private val scope: CoroutineScope) {
    fun registerAll(items: List<Int>) {
        for (item in items) {
            scope.launch(Dispatchers.IO) {
                Kitsu().register(item)
            }
        }
    }
}
