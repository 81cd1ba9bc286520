import kotlinx.coroutines.*

class TrackerRepository(private val api: AnilistApi, private val scope: CoroutineScope) {
    suspend fun getMangaDetails(id: Int): String = api.getMangaDetails(id)

    fun refresh(id: Int) {
        scope.launch(Dispatchers.IO) { getMangaDetails(id) }
    }
}
