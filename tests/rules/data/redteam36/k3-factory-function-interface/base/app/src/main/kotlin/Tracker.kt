interface Tracker {
    suspend fun register(item: Int)
}

private val trackers: Map<Long, Tracker> = mapOf(1L to Kitsu(), 2L to Anilist())

fun Tracker(id: Long): Tracker = trackers.getValue(id)
