class Kitsu {
    object Dates {
        fun parse(date: String?): Long {
            return date?.length?.toLong() ?: 0L
        }
    }
}
