import kotlinx.coroutines.*

class TrackerSync(private val scope: CoroutineScope) {
    fun bindAll(trackerId: Long, items: List<Int>) {
        for (item in items) {
            scope.launch(Dispatchers.IO) {
                Tracker(trackerId).register(item)
            }
        }
    }
}
