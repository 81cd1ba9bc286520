package org.example.status

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.flow.SharingStarted
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.stateIn

class ServerStatusRepository(private val api: StatusApi, private val db: StatusDao) {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.IO)
    private val lastSeen = HashMap<String, Long>()

    val status: StateFlow<Status?> = tickerFlow(30_000L)
        .map {
            val s = api.fetchStatus()
            db.insert(s)
            s
        }
        .stateIn(scope, SharingStarted.Eagerly, null)

    fun markSeen(id: String) {
        lastSeen[id] = System.currentTimeMillis()
    }
}
