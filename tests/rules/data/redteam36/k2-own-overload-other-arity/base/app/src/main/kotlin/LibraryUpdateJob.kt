import android.content.Context
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters
import kotlinx.coroutines.*

class LibraryUpdateJob(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result = coroutineScope {
        listOf(1L, 2L, 3L).map { id ->
            async(Dispatchers.IO) {
                try {
                    update(id)
                } catch (e: Exception) {
                    recordFailure(id, e)
                }
            }
        }.awaitAll()
        Result.success()
    }

    private fun recordFailure(id: Long, e: Exception) {
        println(e.message)
        recordFailure(id)
    }

    private fun update(id: Long) {
        println(id)
    }
}
