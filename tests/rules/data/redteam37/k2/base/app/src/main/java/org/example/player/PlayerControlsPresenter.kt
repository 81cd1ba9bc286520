package org.example.player

import kotlinx.coroutines.MainScope
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.launchIn
import kotlinx.coroutines.flow.onEach

class PlayerControlsPresenter(
    private val player: PlayerConnection,
    private val view: PlayerControlsView,
) {
    private val scope = MainScope()

    fun attach() {
        player.playbackState
            .onEach { state ->
                view.setPlaying(state.isPlaying)
                view.setProgress(state.positionMs)
            }
            .launchIn(scope)
    }

    fun detach() {
        scope.cancel()
    }
}
