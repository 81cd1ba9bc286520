package org.example.sync

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.flowOn
import kotlinx.coroutines.flow.launchIn
import kotlinx.coroutines.flow.onEach

class SyncViewModel(private val repo: MessageRepository) : ViewModel() {
    private val unread = HashMap<String, Message>()

    init {
        repo.incoming()
            .onEach { message ->
                if (message.read) unread.remove(message.id) else unread[message.id] = message
                repo.markDelivered(message.id)
            }
            .flowOn(Dispatchers.IO)
            .launchIn(viewModelScope)
    }

    fun open(id: String): Message? = unread.remove(id)
}
