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

from ..vocabulary import SQL as _SQL, TYPE_VOCABULARY, VOCABULARY, named_with, words
from .parse import Parsed, walk

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
    # Go's read locks, and `recover`: a goroutine's panic ends the process unless recovered.
    "rLock", "rUnlock", "tryRLock", "recover",
    # Ruby changing a class at run time: the class is state every thread shares.
    "define_method", "define_singleton_method", "undef_method", "remove_method", "class_eval", "module_eval",
    "instance_variable_set", "class_variable_set", "const_set", "remove_const",
    # Ruby's Mutex/Monitor lock; Atomic* updates; Go timers and JS event-loop turns that run code later
    # or on another goroutine; Kotlin coroutine builders.
    "synchronize", "mon_synchronize", "updateAndGet", "getAndUpdate", "accumulateAndGet", "getAndAccumulate",
    "AfterFunc", "NewTimer", "NewTicker", "Tick", "setImmediate", "nextTick", "async", "coroutineScope",
    "supervisorScope",
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
_PROMISE_COMBINATORS = frozenset({"Promise.all", "Promise.allSettled", "Promise.race", "Promise.any"})
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
                       "compute", "computeIfAbsent", "computeIfPresent", "putIfAbsent", "shift", "unshift",
                       "splice", "append", "prepend", "drainTo", "take", "offerFirst", "offerLast", "pollFirst",
                       "pollLast", "putFirst", "putLast", "takeFirst", "takeLast",
                       # Go's spelling, first letter lowered (`Store`, `CompareAndSwap`, `PushBack`, `Done`)
                       "swap", "compareAndSwap", "loadOrStore", "loadAndDelete", "loadAndStore", "pushBack",
                       "pushFront", "moveToFront", "moveToBack", "insertBefore", "insertAfter", "reset", "done"})
# In place outside Ruby (Ruby's `sort`/`reverse` return a copy; its in-place forms end in `!`).
_IN_PLACE = frozenset({"sort", "reverse", "fill", "copyWithin"})
_RUBY_MUTATORS = frozenset({"<<", "concat", "delete_if", "keep_if", "delete_at", "fill"})
# Go built-ins that change their first argument (`close` is a concurrency construct of its own).
_GO_BUILTIN_MUTATORS = frozenset({"delete", "clear", "copy"})
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


def _target(node, p: Parsed, local: set[str], aliases: set[str] = frozenset()) -> str | None:  # type: ignore[assignment]
    """The field an assignment's or a mutating call's target names, if it is one: `this.x`, `x`
    not bound locally, `Outer.CACHE`, a local that ``aliases`` names (bound to a field); None for
    a local variable or a class (`MDC.put` is a static call)."""
    if node is None:
        return None
    if node.type in ("instance_variable", "class_variable", "global_variable"):
        return p.text(node)  # Ruby's @x, @@x, $x outlive the call; its bare names are locals
    if node.type == "constant" and p.language == "ruby" and p.text(node).isupper():
        return p.text(node)  # `HANDLERS[name] = k`: a constant's hash is the process's; `Foo` is a class
    if node.type in ("identifier", "simple_identifier") and p.text(node) in aliases:
        return p.text(node)
    if node.type in ("index_expression", "subscript_expression", "element_reference", "array_access"):
        inner = node.child_by_field_name("operand") or node.child_by_field_name("object") or (
            node.child_by_field_name("array")) or (node.named_children[0] if node.named_children else None)
        if inner is not None and inner.type in ("this", "self"):
            return p.text(node)  # `this[key] = v` writes a field by a computed name
        return _target(inner, p, local, aliases)
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
        if name in local or name == "_" or (name[:1].isupper() and name not in _fields(p)):
            return None  # a local, or a class (`MDC.put`, `Executors.x`) unless a field is so named
        if p.language == "go" and name in imported_packages(p):
            return None  # `strings.ReplaceAll(…)`: a package's function, not a field's method
        return name
    if node.type == "expression_list":  # Go's `a.b, c = …`: any target that is a field counts
        return next((t for t in (_target(c, p, local, aliases) for c in node.named_children) if t), None)
    if node.type == "directly_assignable_expression":
        return _target(node.named_children[0] if node.named_children else None, p, local, aliases)
    return None


def _mutates(name: str, p: Parsed) -> bool:
    """Whether a call of method ``name`` changes the object it is made on."""
    if p.language == "go":
        name = name[:1].lower() + name[1:]
    if p.language == "ruby":
        return name in _MUTATORS or name in _RUBY_MUTATORS or name.endswith("!")
    return name in _MUTATORS or name in _IN_PLACE


# A local bound to what one of these reads is an alias of shared state (`l = this.done`, `m := s.seen`,
# `jobs = @jobs`, `const { active } = this`): a mutation through it changes the field.
_FIELD_READS = {"field_access", "member_expression", "selector_expression", "navigation_expression",
                "instance_variable", "class_variable", "global_variable", "this", "self"}


def _aliases(node, p: Parsed) -> set[str]:
    """The locals of ``node`` bound directly to a field (not to a call's result)."""
    names: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        stack.extend(n.children)
        pairs = []
        if n.type == "variable_declarator":  # Java, JS/TS
            pairs.append((n.child_by_field_name("name"), n.child_by_field_name("value")))
        elif n.type == "assignment" and p.language == "ruby":
            pairs.append((n.child_by_field_name("left"), n.child_by_field_name("right")))
        elif n.type in ("short_var_declaration", "assignment_statement") and p.language == "go":
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            if left is not None and right is not None and len(left.named_children) == len(right.named_children):
                pairs.extend(zip(left.named_children, right.named_children))
        elif n.type == "property_declaration" and p.language == "kotlin":
            decl = next((c for c in n.named_children if c.type == "variable_declaration"), None)
            value = n.named_children[-1] if n.named_children else None
            pairs.append((decl.named_children[0] if decl is not None and decl.named_children else None, value))
        for name, value in pairs:
            if name is None or value is None or value.type not in _FIELD_READS:
                continue
            if value.type == "selector_expression" and value.named_children and value.named_children[0].type == "identifier" \
                    and p.text(value.named_children[0]) in imported_packages(p):
                continue  # Go `x := time.Second`: a package's member, not a field
            if name.type in ("object_pattern", "array_pattern"):
                names.update(p.text(c) for c in name.named_children
                             if c.type in ("shorthand_property_identifier_pattern", "identifier"))
            elif name.type in ("identifier", "simple_identifier"):
                names.add(p.text(name))
    return names


def imported_packages(p: Parsed) -> set[str]:
    """The names a Go file's imports bind: an alias, or every spelling ``go_package_names`` gives an
    unnamed import (used by rules/trees/moved.py too)."""
    memo = p.memo.get("machinery.packages")
    if memo is None:
        memo = set()
        for child in p.root.children:
            if child.type == "import_declaration":
                for spec in (n for n in walk(child) if n.type == "import_spec"):
                    name = spec.child_by_field_name("name")
                    path = spec.child_by_field_name("path")
                    if name is not None:
                        memo.add(p.text(name))
                    elif path is not None:
                        memo.update(go_package_names(p.text(path).strip('"`')))
        p.memo["machinery.packages"] = memo
    return memo


def go_package_names(path: str) -> set[str]:
    """The names an unnamed Go import of ``path`` may bind: its last element, without a major
    version suffix, a `gopkg.in` version or a `go-`/`-go` affix. The package clause of the imported
    code decides; these are the spellings that convention gives it."""
    parts = [x for x in path.split("/") if x]
    if len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]):
        parts.pop()
    last = parts[-1].split(".v")[0] if parts else ""
    names = {last, last.removeprefix("go-"), last.removesuffix("-go"), last.removesuffix(".go"),
             last.replace("-", "_"), last.replace("-", "")}
    return {n for n in names if n}


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
    """The first piece of evidence that ``node`` (a unit) is worker machinery, or None; read once
    per unit (the changed unit is asked first, then again by its file's fixpoint)."""
    if node is None:
        return "top-level code"
    memo = p.memo.setdefault("machinery.evidence", {})
    if node.id not in memo:
        memo[node.id] = _evidence(node, p)
    return memo[node.id]


def _evidence(node, p: Parsed) -> str | None:
    from .hazards import CONCURRENT

    aliases = _aliases(node, p)
    local = _locals(node, p) - aliases
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
            if named_with(name, vocabulary):
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
            go_name = name[:1].lower() + name[1:] if p.language == "go" else name  # Go's `mu.Lock()`
            if go_name in _CONCURRENCY_CALLS or name.lower() in _STORAGE_CALLS:
                return f"a call to `{name}`"
            if fn is not None and p.text(fn) in _PROMISE_COMBINATORS:
                return f"`{p.text(fn)}` runs promises at once"
            if p.language == "go" and fn is not None and fn.type == "identifier":
                args = n.child_by_field_name("arguments")
                first = args.named_children[0] if args is not None and args.named_children else None
                if name == "close":
                    return "a channel close"
                if name in _GO_BUILTIN_MUTATORS and not constructing and _target(first, p, local, aliases):
                    return f"`{name}({p.text(first)}, …)` changes a field"
            if _mutates(name, p) and not constructing and _target(receiver, p, local, aliases):
                return f"`{p.text(receiver)}.{name}` changes a field"
            if (p.language == "go" and _mutates(name, p) and not constructing and receiver is not None
                    and receiver.type == "identifier" and p.text(receiver) in imported_packages(p)):
                # A package's mutator handed a field (`heap.Push(&s.pending, e)`): the field changes.
                args = n.child_by_field_name("arguments")
                first = args.named_children[0] if args is not None and args.named_children else None
                if first is not None and first.type == "unary_expression" and first.named_children:
                    first = first.named_children[-1]
                if _target(first, p, local, aliases):
                    return f"`{p.text(fn)}({p.text(first)}, …)` changes a field"
        if t == "binary" and p.language == "ruby" and not constructing and n.child_count == 3 and (
                n.children[1].type == "<<" and _target(n.children[0], p, local, aliases)):
            return f"`{p.text(n.children[0])} <<` changes a field"  # Ruby's append
        if t == "unary_expression" and n.child_count == 2 and n.children[0].type == "delete" and not constructing:
            field = _target(n.children[1], p, local, aliases)  # JS `delete this.active[id]`
            if field is not None:
                return f"`delete` of `{field}`"
        if t in _ASSIGNMENTS and not constructing:
            left = n.child_by_field_name("left") or (n.named_children[0] if n.named_children else None)
            # Rebinding a local that held a field's value (`title = fm.Title`, then `title = x`) changes no field.
            targets = left.named_children if left is not None and left.type == "expression_list" else [left]
            field = next((written for written in (_target(each, p, local, aliases) for each in targets
                                                  if not (each is not None and each.type in ("identifier", "simple_identifier")
                                                          and p.text(each) in aliases))
                          if written is not None), None)
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
    memo = _file_machinery_memo(p, all_units, name_of)
    return memo.get(node.id) if node is not None else None


def _names_used(node, p: Parsed) -> set[str]:
    used, stack = set(), [node]
    while stack:
        n = stack.pop()
        if n.type in _IDENTIFIERS:
            used.add(p.text(n))
        stack.extend(n.children)
    return used


def calls_to_machinery_changed(node, p: Parsed, theirs, other: Parsed, name_of) -> str | None:
    """Whether ``node`` (no machinery itself) calls the machinery functions of its file
    differently on the two sides: calling a field-writing helper once more, no more, or in another
    order changes what the workers share. Reading a field is no such call."""
    def uses(n, q: Parsed) -> list[str]:
        names = _machinery_names(q, name_of)
        local = _locals(n, q) if q.language == "ruby" else set()
        return [name for name in _callees(n, q, local) if name in names]

    mine, before = uses(node, p), uses(theirs, other)
    if mine != before:
        which = sorted(set(mine) ^ set(before)) or sorted(set(mine))
        return f"its uses of `{'`, `'.join(which[:3])}` (machinery of the same file) changed"
    return None


def _callees(node, p: Parsed, local: set[str]) -> list[str]:
    """The names ``node`` calls, in order: a call's function or method name, and in Ruby a bare
    name that is no local (`mark` calls `mark`)."""
    out, stack = [], [node]
    while stack:
        x = stack.pop()
        stack.extend(reversed(x.children))
        if x.type not in _IDENTIFIERS:
            continue
        parent = x.parent
        if parent is None:
            continue
        if parent.type in _CALLS:
            fn = parent.child_by_field_name("name") or parent.child_by_field_name("method") or (
                parent.child_by_field_name("function"))
            if fn is None and parent.named_children:
                fn = parent.named_children[0]  # Kotlin's call_expression
            if fn is not None and fn.id == x.id:
                out.append(p.text(x))
                continue
            if p.language == "ruby" and parent.child_by_field_name("receiver") is not None and (
                    parent.child_by_field_name("receiver").id == x.id):
                continue
        elif parent.type in ("member_expression", "selector_expression", "navigation_expression", "navigation_suffix",
                             "field_access"):
            call = parent.parent if parent.type != "navigation_suffix" else parent.parent.parent
            last = parent.named_children[-1] if parent.named_children else None
            if call is not None and call.type in _CALLS and last is not None and last.id == x.id:
                out.append(p.text(x))
            continue
        if p.language == "ruby" and x.type == "identifier" and p.text(x) not in local:
            out.append(p.text(x))
    return out


def suspensions_changed(node, p: Parsed, theirs, other: Parsed) -> str | None:
    """JS/TS: whether an `await` or an `async` was added or removed: where a function yields
    decides what other jobs run in between and whether a failure is waited for at all."""
    if p.language not in ("javascript", "typescript", "tsx"):
        return None

    def count(n) -> int:
        total, stack = 0, [n]
        while stack:
            x = stack.pop()
            total += x.type in ("await_expression", "async", "await")
            stack.extend(x.children)
        return total

    return "an `await` or `async` was added or removed" if count(node) != count(theirs) else None


def _machinery_names(p: Parsed, name_of) -> set[str]:
    """The bare names of the file's machinery units (evidence of their own or reached)."""
    memo = p.memo.get("machinery.names")
    if memo is None:
        from .units import all_units as units_of

        _file_machinery_memo(p, units_of(p), name_of)
        memo = p.memo["machinery.names"]
    return memo


def _file_machinery_memo(p: Parsed, all_units: dict[str, list], name_of) -> dict[int, str]:
    memo = p.memo.get("machinery.file")
    if memo is None:
        memo = p.memo["machinery.file"] = _file_machinery(p, all_units, name_of)
    return memo


def _file_machinery(p: Parsed, all_units: dict[str, list], name_of) -> dict[int, str]:
    """Unit id -> why it is machinery, for every unit of the file that machinery reaches by name
    (a fixpoint over the file's units; containers are left out: a class is not called)."""
    from .units import CONTAINERS, FUNCTIONS

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
    p.memo["machinery.names"] = {bare[n.id] for n in units if n.id in reached and bare[n.id] and n.type in FUNCTIONS}
    return {k: v for k, v in reached.items() if v}


def machinery_name(path: str, containers: list, p: Parsed, system: str, name_of) -> str | None:
    """The unit, a class around it, or the file, named for scheduling, retrying or locking
    (`CronExpression`, `JobLockManager.java`): its members are that machinery. The job system's
    own name is no such name (every file of solid_queue sits in `module SolidQueue`)."""
    own = set(words(system.rpartition("/")[2]))
    names = [name_of(n, p) for n in containers] + [path.rpartition("/")[2].partition(".")[0]]
    for name in names:
        word = named_with(name, exclude=own)
        if word is not None:
            return f"it belongs to `{name}` ({vocabulary_word(word)})"
    return None


def vocabulary_word(word: str) -> str:
    return f"the word `{word}` is in deploycheck's scheduling, retry and locking vocabulary"


def explained(why: str) -> str:
    """The machinery evidence for a reader who never saw the rule: a name is evidence through one
    of its words, so the message names that word ("the name `setTimeout`" alone read as a riddle
    in a new-user trial)."""
    m = re.fullmatch(r"the name `([^`]+)`", why)
    if m is None:
        return why
    word = named_with(m.group(1), VOCABULARY | TYPE_VOCABULARY)
    return f"{why} ({vocabulary_word(word)})" if word else why
