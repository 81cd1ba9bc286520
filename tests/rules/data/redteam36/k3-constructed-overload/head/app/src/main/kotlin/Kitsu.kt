class Kitsu : BaseTracker() {
    suspend fun register(item: Int, hidden: Boolean) {
        if (!hidden) register(item)
    }
}
