object FailureLog {
    val failed = mutableListOf<Long>()
}

fun recordFailure(id: Long) {
    FailureLog.failed.add(id)
}
