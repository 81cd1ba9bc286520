// path: app/src/main/java/app/worker/Scheduling.kt
package app.worker

import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import java.util.concurrent.TimeUnit

fun schedule(workManager: WorkManager) {
    val pull = PeriodicWorkRequestBuilder<NotificationWorker>(15, TimeUnit.MINUTES)
        .build()
    workManager.enqueueUniquePeriodicWork(
        "pull-notifications",
        ExistingPeriodicWorkPolicy.KEEP,
        pull,
    )
    val label = "work"
}
