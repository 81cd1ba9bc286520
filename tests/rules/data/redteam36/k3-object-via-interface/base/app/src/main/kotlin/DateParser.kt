interface DateParser {
    fun parse(date: String?): Long
}
