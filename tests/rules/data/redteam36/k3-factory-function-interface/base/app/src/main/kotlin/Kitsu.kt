class Kitsu : Tracker {
    private val bound = mutableListOf<Int>()

    override suspend fun register(item: Int) {
        bound.add(item)
    }
}
