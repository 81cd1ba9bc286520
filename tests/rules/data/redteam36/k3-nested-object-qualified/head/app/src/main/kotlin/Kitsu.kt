class Kitsu {
    object Dates {
        private val seen = mutableMapOf<String, Long>()

        fun parse(date: String?): Long {
            if (date == null) return 0L
            return seen.getOrPut(date) { date.length.toLong() }
        }
    }
}
