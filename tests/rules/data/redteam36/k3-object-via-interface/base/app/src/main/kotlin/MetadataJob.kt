import android.content.Context
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters

class MetadataJob(
    context: Context,
    params: WorkerParameters,
    private val dates: DateParser,
) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val started = dates.parse(inputData.getString("started"))
        println(started)
        return Result.success()
    }
}
