class AnilistApi {
    private val tokens = HashMap<Int, String>()

    suspend fun refresh(trackerId: Int): String {
        return tokens[trackerId] ?: "none"
    }
}
