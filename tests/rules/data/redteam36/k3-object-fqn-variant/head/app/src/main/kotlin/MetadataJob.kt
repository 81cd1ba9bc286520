package eu.kanade.jobs

import android.content.Context
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters

class MetadataJob(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val started = eu.kanade.tracker.kitsu.KitsuDateHelper.parse(inputData.getString("started"))
        println(started)
        return Result.success()
    }
}
