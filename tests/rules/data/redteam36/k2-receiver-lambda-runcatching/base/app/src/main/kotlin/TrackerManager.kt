import kotlinx.coroutines.*

class TrackerManager(private val api: AnilistApi, private val scope: CoroutineScope) {
    private val lastRefresh = HashMap<Int, Long>()

    fun refresh(id: Int) {
        lastRefresh[id] = System.currentTimeMillis()
    }

    fun refreshAll(ids: List<Int>) {
        scope.launch(Dispatchers.IO) {
            for (id in ids) {
                api.runCatching { refresh(id) }
            }
        }
    }
}
