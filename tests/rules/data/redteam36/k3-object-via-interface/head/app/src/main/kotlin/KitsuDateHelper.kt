import java.text.SimpleDateFormat
import java.util.Locale

object KitsuDateHelper : DateParser {
    private val format = SimpleDateFormat("yyyy-MM-dd", Locale.US)

    override fun parse(date: String?): Long {
        if (date == null) return 0L
        return format.parse(date)?.time ?: 0L
    }
}
