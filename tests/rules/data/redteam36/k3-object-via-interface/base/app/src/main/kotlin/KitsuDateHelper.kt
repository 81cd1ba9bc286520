import java.text.SimpleDateFormat
import java.util.Locale

object KitsuDateHelper : DateParser {
    override fun parse(date: String?): Long {
        if (date == null) return 0L
        return SimpleDateFormat("yyyy-MM-dd", Locale.US).parse(date)?.time ?: 0L
    }
}
