object FailureLog {
    val failed = mutableListOf<Long>()
}

fun recordFailure(id: Long) {
    if (id !in FailureLog.failed) FailureLog.failed.add(id)
}
