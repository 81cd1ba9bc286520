package eu.kanade.tracker.kitsu

object KitsuDateHelper {
    fun parse(date: String?): Long {
        return date?.trim()?.length?.toLong() ?: 0L
    }
}
