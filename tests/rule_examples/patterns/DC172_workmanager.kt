// path: app/src/main/java/app/worker/Scheduling.kt
package app.worker

import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import java.util.concurrent.TimeUnit

fun schedule(workManager: WorkManager) {
    val pull = PeriodicWorkRequestBuilder<NotificationWorker>(30, TimeUnit.MINUTES)  // error: DC172 (the interval changed)
        .build()
    workManager.enqueueUniquePeriodicWork(
        "pull-notifications",
        ExistingPeriodicWorkPolicy.KEEP,  // ok: DC172 (as on the base)
        pull,
    )
    val now = OneTimeWorkRequestBuilder<NotificationWorker>()  // error: DC172
        .setExpedited(OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST)  // error: DC172
        .build()
    workManager.enqueue(now)  // error: DC172
    val label = "notifications"  // ok: DC172
}
