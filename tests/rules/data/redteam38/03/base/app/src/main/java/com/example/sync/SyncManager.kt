package com.example.sync

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch

class SyncManager(
    private val scope: CoroutineScope,
    private val repository: MessageRepository,
) {
    private var pendingSyncs = 0
    private val listeners = mutableListOf<SyncListener>()

    fun requestSync(accountId: Long) {
        pendingSyncs++
        scope.launch(Dispatchers.IO) {
            repository.syncAccount(accountId)
        }.invokeOnCompletion { error ->
            pendingSyncs--
        }
    }
}
