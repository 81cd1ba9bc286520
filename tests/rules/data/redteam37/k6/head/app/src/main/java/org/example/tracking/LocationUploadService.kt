package org.example.tracking

import androidx.lifecycle.LifecycleService
import androidx.lifecycle.lifecycleScope
import kotlinx.coroutines.flow.launchIn
import kotlinx.coroutines.flow.onEach

class LocationUploadService : LifecycleService() {
    private val buffer = mutableListOf<Location>()

    override fun onCreate() {
        super.onCreate()
        locationUpdates(intervalMs = 1_000L)
            .onEach { location ->
                buffer.add(location)
                if (buffer.size >= 5) {
                    api.upload(buffer.toList())
                    buffer.clear()
                }
            }
            .launchIn(lifecycleScope)
    }
}
