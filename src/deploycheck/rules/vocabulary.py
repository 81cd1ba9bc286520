"""The vocabulary of scheduling, retrying and locking, shared by the families that decide which
code of a job system's own repository is its worker machinery (rules/trees/machinery.py,
rules/python/machinery.py): a name made of these words belongs to that machinery. Also how the
families split and spell names (`words`, Rails' `underscored`)."""

from __future__ import annotations

import re

# Words (of camelCase or snake_case names) that belong to scheduling, retrying and locking.
VOCABULARY = frozenset({
    "lock", "locks", "locked", "locking", "unlock", "mutex", "thread", "threads", "concurrent", "concurrency",
    "concurrently", "parallel", "atomic", "atomically", "synchronized", "schedule", "scheduled", "schedules",
    "scheduling", "reschedule", "trigger", "triggers", "triggered", "fire", "fired", "fires", "firing", "misfire",
    "misfired", "misfires", "cron", "retry", "retries", "retried", "retrying", "backoff", "attempt", "attempts",
    "interval", "intervals", "delay", "delays", "delayed", "timeout", "timeouts", "heartbeat", "heartbeats", "lease",
    "leases", "poll", "polls", "polling", "claim", "claimed", "claims", "acquire", "acquired", "release", "released",
    "queue", "queues", "queued", "enqueue", "dequeue", "requeue", "worker", "workers", "executor", "executors",
    "ack", "acks", "nack", "offset", "offsets", "rebalance", "pause", "paused", "resume", "resumed", "expire",
    "expired", "expiry", "expires", "expiration", "deadline", "ttl", "state", "states", "status", "transaction",
    "transactional", "semaphore", "latch", "await", "sleep", "interrupt", "interrupted", "pick", "picked", "due",
    "stale", "orphan", "orphaned", "dead", "prefetch", "throttle", "leader", "election", "idempotent",
    "idempotency", "exclusive", "wakeup", "notify", "priority", "priorities", "wait", "waiting", "stop",
    "stopped", "stopping", "cancel", "canceled", "cancelled", "cancelation", "cancellation", "subscribe",
    "subscription", "pubsub", "signal", "signals", "shutdown", "graceful", "fetch", "fetcher", "reserve",
    "reserved", "reservation",
    # Where workers keep what they share: the methods of a result backend or a job store write it.
    "backend", "backends", "store", "storage", "broker", "repository", "cache",
})
# Of a type's name only these words count (`IllegalStateException` is no job state).
TYPE_VOCABULARY = frozenset({"lock", "locks", "mutex", "thread", "concurrent", "atomic", "semaphore", "latch",
                             "executor", "future", "transaction"})
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|\b|_)|[A-Z]?[a-z]+|[A-Z]+")


def words(name: str) -> list[str]:
    """`lockAtMostFor` -> ["lock", "at", "most", "for"]; `MAX_RETRIES` -> ["max", "retries"]."""
    return [w.lower() for w in _WORD.findall(name)]


def underscored(constant: str) -> str:
    """Rails' snake_case of a constant, for its file and table names: `RealtimeDebouncer` ->
    `realtime_debouncer`, `HTTPClient` -> `http_client`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", constant).lower()


_SUFFIXES = ("able", "ing", "ers", "er", "ed", "es", "s")


def in_vocabulary(word: str, vocabulary: frozenset[str] = VOCABULARY) -> bool:
    """Whether ``word`` or its stem (`claimable` -> `claim`, `pollers` -> `poll`) is in ``vocabulary``."""
    if word in vocabulary:
        return True
    return any(word.endswith(x) and len(word) - len(x) >= 3 and word[: -len(x)] in vocabulary for x in _SUFFIXES)


def named_with(name: str, vocabulary: frozenset[str] = VOCABULARY, exclude: frozenset[str] | set[str] = frozenset()) -> str | None:
    """The first word of ``name`` (camelCase or snake_case) in ``vocabulary``, stems included,
    and not in ``exclude``; None when no word of it is."""
    return next((w for w in words(name) if w not in exclude and in_vocabulary(w, vocabulary)), None)


# SQL by its shape, not a leading word (`"Update check failed"` is a message).
SQL = re.compile(r"\b(?:select\b[\s\S]*?\bfrom|insert\s+into|update\b[\s\S]{0,80}?\bset|delete\s+from|"
                  r"merge\s+into|lock\s+tables?|for\s+update|skip\s+locked|nowait|begin\s+transaction)\b", re.IGNORECASE)
