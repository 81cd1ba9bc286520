class Kitsu : Tracker {
    private val bound = mutableListOf<Int>()

    override suspend fun register(item: Int) {
        if (item !in bound) bound.add(item)
    }
}
