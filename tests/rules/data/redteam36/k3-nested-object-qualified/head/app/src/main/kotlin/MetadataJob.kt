import android.content.Context
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters

class MetadataJob(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val started = Kitsu.Dates.parse(inputData.getString("started"))
        println(started)
        return Result.success()
    }
}
