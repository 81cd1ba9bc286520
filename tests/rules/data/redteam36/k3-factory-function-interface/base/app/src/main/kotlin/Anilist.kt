class Anilist : Tracker {
    override suspend fun register(item: Int) {
        println(item)
    }
}
