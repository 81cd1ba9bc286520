import kotlinx.coroutines.*

class TrackerManager(private val api: AnilistApi, private val scope: CoroutineScope) {
    private val lastRefresh = HashMap<Int, Long>()

    fun refresh(id: Int) {
        lastRefresh[id] = System.currentTimeMillis()
    }

    private suspend fun AnilistApi.refreshEach(ids: List<Int>) {
        for (id in ids) refresh(id)
    }

    fun refreshAll(ids: List<Int>) {
        scope.launch(Dispatchers.IO) {
            api.refreshEach(ids)
        }
    }
}
