"""Which units of a job system's own source are its worker machinery (DC701's scope there).

In an application, DC701 carries the burden of proof only inside background regions (a job class,
a handler, a task given to an executor). In the repository of a job system (Quartz, JobRunr,
Sidekiq…) every source file runs inside workers, yet most of its code (a client query API, a
serializer's allow-list, an update checker, metrics) does not decide how workers interact. A
changed unit is worker machinery when, on either side, it shows one of the kinds of evidence
below; then the burden of proof holds as in a background region. A unit with none is `info`.
The evidence is read from the unit's own syntax tree (and, for a field, from the units of its
file that read it), so what a unit reaches through calls into other files is not seen: the
limit is documented in docs/limitations.md.

Evidence, any of:
- a concurrency construct: `synchronized`, `volatile`, a java.util.concurrent / Kotlin coroutine
  / Go `sync` type, thread and executor calls (`submit`, `sleep`, `wait`, `lock`…);
- storage or broker work: SQL text, transaction and commit calls, `@Transactional`, JPA locks;
- a write to state that outlives the call: an assignment to or mutation of a field, not a local;
- a name (of the unit, a call, a field or variable it uses) made of the vocabulary of scheduling,
  retrying and locking (`retry`, `interval`, `lease`, `heartbeat`, `state`, `poll`…);
- a framework annotation that makes it background code (`@Scheduled`, `@KafkaListener`…).
"""

from __future__ import annotations

import re

from .parse import Parsed

# Types whose use is a concurrency construct (besides hazards.CONCURRENT, imported below).
_CONCURRENCY_TYPES = frozenset({
    "Thread", "ThreadFactory", "Executor", "ExecutorService", "ScheduledExecutorService", "Executors",
    "ThreadPoolExecutor", "ScheduledThreadPoolExecutor", "ForkJoinPool", "CompletableFuture", "Future",
    "ScheduledFuture", "CompletionStage", "Lock", "ReadWriteLock", "Condition", "CyclicBarrier", "Phaser",
    "Exchanger", "Timer", "TimerTask", "ThreadLocal", "LockSupport", "TaskExecutor", "TaskScheduler",
    "ThreadPoolTaskExecutor", "ThreadPoolTaskScheduler", "AsyncTaskExecutor", "Mutex", "Channel",
    "CoroutineScope", "Deferred", "Dispatchers", "TransactionTemplate", "PlatformTransactionManager",
    "TransactionStatus", "LockModeType", "KafkaConsumer", "KafkaProducer",
})
# Calls that act on threads, locks, storage or brokers.
_CONCURRENCY_CALLS = frozenset({
    "wait", "notify", "notifyAll", "sleep", "interrupt", "yield", "lock", "unlock", "tryLock",
    "lockInterruptibly", "await", "signal", "signalAll", "submit", "invokeAll", "invokeAny",
    "schedule", "scheduleAtFixedRate", "scheduleWithFixedDelay", "runAsync", "supplyAsync", "thenApply",
    "thenAccept", "thenCompose", "whenComplete", "compareAndSet", "compareAndExchange", "getAndSet",
    "getAndIncrement", "getAndDecrement", "incrementAndGet", "decrementAndGet", "getAndAdd", "addAndGet",
    "commit", "rollback",
    "setAutoCommit", "setTransactionIsolation", "executeUpdate", "executeBatch", "addBatch", "persist",
    "saveAndFlush", "acknowledge", "commitSync", "commitAsync", "seek", "launch", "runBlocking", "withContext",
    "withLock", "synchronized", "shutdownNow", "awaitTermination", "countDown", "release", "acquire", "tryAcquire",
    # Ruby changing a class at run time: the class is state every thread shares.
    "define_method", "define_singleton_method", "undef_method", "remove_method", "class_eval", "module_eval",
    "instance_variable_set", "class_variable_set", "const_set", "remove_const",
})
# Storage, Redis and ORM calls that write or lock, whatever they are called on (compared lower-cased:
# Go's client spells them `ZAdd`, `TxPipelined`).
_STORAGE_CALLS = frozenset({
    "incr", "incrby", "decr", "decrby", "hincrby", "lpush", "rpush", "lpop", "rpop", "blpop", "brpop", "rpoplpush",
    "brpoplpush", "lmove", "blmove", "zadd", "zrem", "zincrby", "zpopmin", "zpopmax", "bzpopmin", "sadd", "srem",
    "spop", "hset", "hsetnx", "hdel", "hmset", "setnx", "setex", "psetex", "getset", "getdel", "expire", "pexpire",
    "expireat", "persist", "xadd", "xack", "xclaim", "xautoclaim", "xreadgroup", "publish", "multi", "exec",
    "watch", "unwatch", "eval", "evalsha", "pipelined", "txpipelined", "with_lock", "lock!", "increment!",
    "decrement!", "update_counters", "update_all", "update_column", "update_columns", "delete_all", "destroy_all",
    "insert_all", "upsert_all", "find_or_create_by", "find_or_create_by!", "create_or_find_by", "$transaction",
    "findoneandupdate", "findoneanddelete", "updatemany", "deletemany", "bulkwrite", "upsert", "findorcreate",
    "increment", "decrement", "begintx", "begin", "committx", "for_update", "forupdate", "skiplocked",
    "setlock", "lockforupdate", "subscribe", "psubscribe",
})
# Syntax that is itself a concurrency construct.
_CONSTRUCT_NODES = {"go_statement": "a goroutine", "send_statement": "a channel send",
                    "select_statement": "a `select`", "synchronized_statement": "a `synchronized` block"}
_ANNOTATIONS = frozenset({
    "Transactional", "Lock", "Version", "Scheduled", "Async", "Retryable", "KafkaListener", "RabbitListener",
    "SqsListener", "JmsListener", "KafkaHandler", "RabbitHandler", "Synchronized", "Volatile", "SchedulerLock",
    "DisallowConcurrentExecution", "PersistJobDataAfterExecution",
})
_MODIFIERS = frozenset({"synchronized", "volatile"})
# A class literal (`ConcurrentHashMap.class` in an allow-list) names a type and uses nothing.
_NOT_A_USE = {"class_literal"}
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
})
# Of a type's name only these words count (`IllegalStateException` is no job state).
TYPE_VOCABULARY = frozenset({"lock", "locks", "mutex", "thread", "concurrent", "atomic", "semaphore", "latch",
                             "executor", "future", "transaction"})
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|\b|_)|[A-Z]?[a-z]+|[A-Z]+")
# SQL by its shape, not a leading word (`"Update check failed"` is a message).
_SQL = re.compile(r"\b(?:select\b[\s\S]*?\bfrom|insert\s+into|update\b[\s\S]{0,80}?\bset|delete\s+from|"
                  r"merge\s+into|lock\s+tables?|for\s+update|skip\s+locked|nowait|begin\s+transaction)\b", re.IGNORECASE)
_IDENTIFIERS = {"identifier", "type_identifier", "simple_identifier", "field_identifier", "constant",
                "property_identifier", "shorthand_property_identifier", "package_identifier",
                "hash_key_symbol", "simple_symbol"}  # Ruby's `locked: false`, `:claimed_at` name columns
_STRINGS = {"string_literal", "text_block", "string", "line_string_literal", "multi_line_string_literal",
            "string_content", "template_string", "interpreted_string_literal", "raw_string_literal"}
_CALLS = {"method_invocation", "call_expression", "call", "method_call"}
_ANNOTATION_NODES = {"annotation", "marker_annotation", "decorator"}
# Assignments and their target field (Java `this.x = …`, a bare field name; Kotlin `x = …`).
_ASSIGNMENTS = {"assignment_expression", "assignment", "update_expression", "augmented_assignment_expression",
                "directly_assignable_expression", "postfix_expression", "prefix_expression", "op_assignment",
                "operator_assignment", "inc_statement", "dec_statement", "assignment_statement"}
# Calls that change the collection they are made on (a field's collection is shared state).
_MUTATORS = frozenset({"add", "addAll", "put", "putAll", "remove", "removeAll", "removeIf", "clear", "set",
                       "offer", "poll", "push", "pop", "addFirst", "addLast", "removeFirst", "removeLast",
                       "replace", "replaceAll", "retainAll", "increment", "decrement", "store", "update",
                       "insert", "delete", "save", "create", "destroy", "enqueue", "dequeue", "merge",
                       "compute", "computeIfAbsent", "computeIfPresent", "putIfAbsent"})
# Local declarations: the names they bind are not fields.
_LOCAL_BINDERS = {"local_variable_declaration", "formal_parameter", "catch_formal_parameter", "resource",
                  "enhanced_for_statement", "lambda_expression", "inferred_parameters", "spread_parameter",
                  "variable_declaration", "parameter", "class_parameter", "lambda_parameters", "for_statement",
                  "catch_block", "lexical_declaration", "formal_parameters", "required_parameter", "optional_parameter",
                  "parameter_declaration", "variadic_parameter_declaration", "short_var_declaration", "var_spec",
                  "range_clause", "expression_list", "method_parameters", "block_parameters",
                  "for_in_statement", "catch_clause", "arrow_function", "object_pattern", "array_pattern"}
# A Go `a, b := f()` binds its left list; any other expression_list is no binder.
_GO_BINDERS = {"short_var_declaration", "range_clause"}


def words(name: str) -> list[str]:
    """`lockAtMostFor` -> ["lock", "at", "most", "for"]; `MAX_RETRIES` -> ["max", "retries"]."""
    return [w.lower() for w in _WORD.findall(name)]


_SUFFIXES = ("able", "ing", "ers", "er", "ed", "es", "s")


def in_vocabulary(word: str, vocabulary: frozenset[str] = VOCABULARY) -> bool:
    """Whether ``word`` or its stem (`claimable` -> `claim`, `pollers` -> `poll`) is in ``vocabulary``."""
    if word in vocabulary:
        return True
    return any(word.endswith(x) and len(word) - len(x) >= 3 and word[: -len(x)] in vocabulary for x in _SUFFIXES)


def _locals(node, p: Parsed) -> set[str]:
    names: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type in _LOCAL_BINDERS:
            if n.type == "expression_list" and (n.parent is None or n.parent.type not in _GO_BINDERS
                                                or n.parent.child_by_field_name("left") != n):
                stack.extend(n.children)
                continue
            for c in n.named_children:
                if c.type == "variable_declarator":
                    name = c.child_by_field_name("name")
                    if name is not None:
                        names.add(p.text(name))
                elif c.type in ("identifier", "simple_identifier", "shorthand_property_identifier_pattern"):
                    names.add(p.text(c))
                elif c.type in ("variable_declaration", "parameter", "formal_parameter", "required_parameter",
                                "optional_parameter"):
                    first = next((x for x in c.named_children if x.type in ("identifier", "simple_identifier")), None)
                    if first is not None:
                        names.add(p.text(first))
            name = n.child_by_field_name("name")
            if name is not None:
                names.add(p.text(name))
        stack.extend(n.children)
    return names


# Where a write to a field initialises an object no other thread can see yet.
_CONSTRUCTORS = {"constructor_declaration", "static_initializer", "secondary_constructor", "anonymous_initializer",
                 "compact_constructor_declaration"}
_CONSTRUCTOR_NAMES = {"constructor", "initialize"}  # JS/TS and Ruby


def _constructs(n, p: Parsed) -> bool:
    if n.type in _CONSTRUCTORS:
        return True
    if n.type in ("method_definition", "method"):
        name = n.child_by_field_name("name")
        return name is not None and p.text(name) in _CONSTRUCTOR_NAMES
    return False


def _target(node, p: Parsed, local: set[str]) -> str | None:
    """The field an assignment's or a mutating call's target names, if it is one: `this.x`, `x`
    not bound locally, `Outer.CACHE`; None for a local variable or a class (`MDC.put` is a static
    call)."""
    if node is None:
        return None
    if node.type in ("instance_variable", "class_variable", "global_variable"):
        return p.text(node)  # Ruby's @x, @@x, $x outlive the call; its bare names are locals
    if node.type in ("index_expression", "subscript_expression", "element_reference"):
        inner = node.child_by_field_name("operand") or node.child_by_field_name("object") or (
            node.named_children[0] if node.named_children else None)
        return _target(inner, p, local)
    if node.type in ("field_access", "navigation_expression", "member_expression", "selector_expression", "call"):
        text = p.text(node)
        if text.startswith(("this.", "self.")):
            return text
        parts = text.split(".")
        if len(parts) > 1 and parts[-1][:1].isupper() and all(part.islower() for part in parts[:-1]):
            return None  # a class named by its package (`org.slf4j.MDC`): a static call
        return text if "." in text else None
    if p.language == "ruby":
        return None
    if node.type in ("identifier", "simple_identifier"):
        name = p.text(node)
        if name in local or (name[:1].isupper() and name not in _fields(p)):
            return None  # a local, or a class (`MDC.put`, `Executors.x`) unless a field is so named
        return name
    if node.type == "expression_list":  # Go's `a.b, c = …`: any target that is a field counts
        return next((t for t in (_target(c, p, local) for c in node.named_children) if t), None)
    if node.type == "directly_assignable_expression":
        return _target(node.named_children[0] if node.named_children else None, p, local)
    return None


def _fields(p: Parsed) -> set[str]:
    """The names of the fields and properties the file declares."""
    memo = p.memo.get("machinery.fields")
    if memo is None:
        memo = set()
        stack = [p.root]
        while stack:
            n = stack.pop()
            if n.type in ("field_declaration", "property_declaration", "constant_declaration"):
                for c in n.named_children:
                    name = c.child_by_field_name("name") if c.type == "variable_declarator" else None
                    if name is None and c.type in ("variable_declaration", "simple_identifier", "identifier"):
                        name = c if c.type != "variable_declaration" else next(
                            (x for x in c.named_children if x.type == "simple_identifier"), None)
                    if name is not None:
                        memo.add(p.text(name))
            stack.extend(n.children)
        p.memo["machinery.fields"] = memo
    return memo


def evidence(node, p: Parsed) -> str | None:
    """The first piece of evidence that ``node`` (a unit) is worker machinery, or None."""
    if node is None:
        return "top-level code"
    from .hazards import CONCURRENT

    local = _locals(node, p)
    strings: list[str] = []
    stack = [(node, _constructs(node, p))]
    while stack:
        n, constructing = stack.pop()
        t = n.type
        if "comment" in t or t in _NOT_A_USE:
            continue
        if t in _STRINGS:
            strings.append(p.text(n).strip("\"'`"))
            continue
        if t in _MODIFIERS or (n.child_count == 0 and p.text(n) in _MODIFIERS):
            return f"`{p.text(n)}`"
        if t in _ANNOTATION_NODES:
            name = p.text(n).lstrip("@").split("(")[0].split(".")[-1].strip()
            if name in _ANNOTATIONS:
                return f"`@{name}`"
        if t in _IDENTIFIERS:
            name = p.text(n)
            if name in CONCURRENT or name in _CONCURRENCY_TYPES:
                return f"`{name}`"
            vocabulary = TYPE_VOCABULARY if t == "type_identifier" or _names_a_type(n, p) else VOCABULARY
            if any(in_vocabulary(w, vocabulary) for w in words(name)):
                return f"the name `{name}`"
            continue
        if t in _CONSTRUCT_NODES:
            return _CONSTRUCT_NODES[t]
        if t == "unary_expression" and p.language == "go" and n.child_count and n.children[0].type == "<-":
            return "a channel receive"
        if t in _CALLS:
            fn = n.child_by_field_name("name") or n.child_by_field_name("method") or n.child_by_field_name("function")
            receiver = n.child_by_field_name("object") or n.child_by_field_name("receiver")
            if fn is not None and fn.type in ("member_expression", "selector_expression", "navigation_expression"):
                receiver = fn.child_by_field_name("object") or fn.child_by_field_name("operand") or (
                    fn.named_children[0] if fn.named_children else None)
            name = p.text(fn).rpartition(".")[2] if fn is not None else ""
            if name in _CONCURRENCY_CALLS or name.lower() in _STORAGE_CALLS:
                return f"a call to `{name}`"
            if name in _MUTATORS and not constructing and _target(receiver, p, local):
                return f"`{p.text(receiver)}.{name}` changes a field"
        if t in _ASSIGNMENTS and not constructing:
            left = n.child_by_field_name("left") or (n.named_children[0] if n.named_children else None)
            field = _target(left, p, local)
            if field is not None and n.type != "directly_assignable_expression":
                return f"a write to `{field}`"
        stack.extend((c, constructing or _constructs(c, p)) for c in n.children)
    sql = next((text for text in strings if _SQL.search(text)), None) or (
        "…" if _SQL.search(" ".join(strings)) else None)
    if sql is not None:
        return f"SQL text ({sql[:40].strip()})"
    return None


def _names_a_type(n, p: Parsed) -> bool:
    """A capitalised name that is a type: in `new X(…)`, a declaration's type, a class literal or a
    static call's receiver."""
    name = p.text(n)
    return bool(name[:1].isupper()) and not name.isupper()


def called_by_machinery(node, p: Parsed, all_units: dict[str, list], name_of) -> str | None:
    """Whether machinery of the same file uses ``node`` by name (a private helper of a poll loop, a
    constant a retry reads), directly or through other units of the file that it uses: then the
    unit is part of that machinery. Uses across files are not followed."""
    memo = p.memo.get("machinery.file")
    if memo is None:
        memo = p.memo["machinery.file"] = _file_machinery(p, all_units, name_of)
    return memo.get(node.id) if node is not None else None


def _names_used(node, p: Parsed) -> set[str]:
    used, stack = set(), [node]
    while stack:
        n = stack.pop()
        if n.type in _IDENTIFIERS:
            used.add(p.text(n))
        stack.extend(n.children)
    return used


def _file_machinery(p: Parsed, all_units: dict[str, list], name_of) -> dict[int, str]:
    """Unit id -> why it is machinery, for every unit of the file that machinery reaches by name
    (a fixpoint over the file's units; containers are left out: a class is not called)."""
    from .units import CONTAINERS

    units = [n for nodes in all_units.values() for n in nodes if n.type not in CONTAINERS]
    bare = {n.id: name_of(n, p).partition("(")[0].rpartition(".")[2] for n in units}
    used = {n.id: _names_used(n, p) for n in units}
    reached: dict[int, str] = {}
    frontier = [n for n in units if evidence(n, p)]
    for n in frontier:
        reached[n.id] = ""
    while frontier:
        caller = frontier.pop()
        for n in units:
            if n.id not in reached and bare[n.id] and bare[n.id] in used[caller.id]:
                reached[n.id] = f"`{name_of(caller, p)}` of the same file, which is machinery, uses it"
                frontier.append(n)
    return {k: v for k, v in reached.items() if v}
