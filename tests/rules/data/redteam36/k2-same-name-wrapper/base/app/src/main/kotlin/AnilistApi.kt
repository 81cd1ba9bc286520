class AnilistApi {
    suspend fun getMangaDetails(id: Int): String {
        return "a"
    }
}
