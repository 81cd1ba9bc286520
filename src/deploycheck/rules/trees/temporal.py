"""Temporal's activity, workflow and worker options, read from the syntax tree (DC713).

How a Temporal activity runs is not in its code: the workflow that calls it says how long an
attempt may take, how soon a silent worker counts as dead, how often a failure is retried and on
which task queue, and the worker says how many run at once. ``options_changed`` compares those
settings on the lines a change touches, on both sides: the `proxyActivities`/`Worker.create`
options of the TypeScript SDK (`startToCloseTimeout: '1 minute'`, `retry: { maximumAttempts }`),
Go's keyed fields (`workflow.ActivityOptions{HeartbeatTimeout: …}`, `temporal.RetryPolicy{…}`,
`worker.Options{MaxConcurrentActivityExecutionSize: …}`) and the Java builders' setters
(`ActivityOptions.newBuilder().setStartToCloseTimeout(…)`, also from Kotlin). Python's spellings
are the pattern rule DC515's (keyword arguments are text there).
"""

from __future__ import annotations

import re

from .parse import Parsed, nodes_of

# What each setting decides, by kind; the names as the SDKs spell them, compared lower-cased
# (TypeScript's `startToCloseTimeout`, Go's field `StartToCloseTimeout`, Java's
# `setStartToCloseTimeout`).
_KINDS = {
    "timeout": ("startToCloseTimeout", "scheduleToCloseTimeout", "scheduleToStartTimeout", "heartbeatTimeout",
                "workflowExecutionTimeout", "workflowRunTimeout", "workflowTaskTimeout"),
    "retry": ("retry", "retryPolicy", "retryOptions", "maximumAttempts", "initialInterval", "backoffCoefficient",
              "maximumInterval", "nonRetryableErrorTypes", "doNotRetry"),
    "queue": ("taskQueue",),
    "concurrency": ("maxConcurrentActivityTaskExecutions", "maxConcurrentWorkflowTaskExecutions",
                    "maxConcurrentLocalActivityExecutions", "maxActivitiesPerSecond", "maxTaskQueueActivitiesPerSecond",
                    "maxConcurrentActivityExecutionSize", "maxConcurrentWorkflowTaskExecutionSize",
                    "maxConcurrentLocalActivityExecutionSize", "workerActivitiesPerSecond",
                    "taskQueueActivitiesPerSecond", "maxWorkerActivitiesPerSecond",
                    "maxConcurrentActivityTaskPollers", "maxConcurrentWorkflowTaskPollers"),
}
_KIND_OF = {name.lower(): kind for kind, names in _KINDS.items() for name in names}
# The cheap test before any tree is read: a changed line that spells one of the settings.
HINTS = tuple(sorted({name.lower() for name in _KIND_OF} - {"retry"} | {"retry:"}))
# The file uses Temporal (its SDK or a NestJS wrapper of it): the settings' names are common
# words elsewhere (`retry`, `taskQueue`).
_USES_TEMPORAL = re.compile(rb"@temporalio/|nestjs-temporal|go\.temporal\.io/|\bio\.temporal\.")

CONSEQUENCES = {
    "timeout": "an attempt that runs longer is now failed and retried while the first may still be running "
               "(its side effects done twice), or a worker that died is noticed only later; a heartbeat timeout "
               "decides how soon a silent attempt is given to another worker",
    "retry": "a failed activity or workflow now runs again, sooner or more often (or no longer at all); every "
             "attempt repeats its side effects, so they must be idempotent",
    "queue": "the work now goes to the workers that poll that task queue: during a deploy, workers of the old "
             "version may still take it, or none may poll it yet",
    "concurrency": "how many activities or workflow tasks one worker runs at the same time changes, so code that "
                   "relied on running alone (or on a rate) now meets itself",
}

# What a removed setting leaves: the SDK's default.
REMOVED = {
    "timeout": "the SDK's default now applies, no such timeout or a longer one, so a worker that died or hangs is "
               "noticed later (without a heartbeat timeout, only at the start-to-close or schedule-to-close "
               "timeout) and its attempt is given to another worker only then",
    "retry": "Temporal's default retry policy now applies (an activity is retried without limit, with exponential "
             "backoff; a workflow is not retried), and every attempt repeats its side effects",
    "queue": "the workflow's own task queue now applies, so the work goes to the workers that poll that one",
    "concurrency": "the SDK's default now decides how many activities or workflow tasks one worker runs at the "
                   "same time",
}

_JS = ("javascript", "typescript", "tsx")
_JVM = ("java", "kotlin")


def uses_temporal(source: bytes | None) -> bool:
    return bool(source) and _USES_TEMPORAL.search(source) is not None  # type: ignore[arg-type]


def settings_on(p: Parsed, rows: set[int]) -> list[tuple[int, str, str]]:
    """The Temporal settings written on ``rows`` (1-based) of ``p``: (row, name as written,
    value as written), in the order of the file."""
    out = []
    if p.language in _JS:
        for n in nodes_of(p, frozenset({"pair"})):
            key, value = n.child_by_field_name("key"), n.child_by_field_name("value")
            if key is not None and value is not None and n.start_point[0] + 1 in rows:
                name = p.text(key).strip("'\"`")
                if name.lower() in _KIND_OF and (name != "retry" or value.type == "object"):
                    out.append((n.start_point[0] + 1, name, p.text(value)))
    elif p.language == "go":
        for n in nodes_of(p, frozenset({"keyed_element"})):
            parts = n.named_children
            if len(parts) == 2 and n.start_point[0] + 1 in rows and p.text(parts[0]).lower() in _KIND_OF:
                out.append((n.start_point[0] + 1, p.text(parts[0]), p.text(parts[1])))
    elif p.language in _JVM:
        for n in nodes_of(p, frozenset({"method_invocation", "call_expression"})):
            name, args = _setter(n, p)
            if name and _row_of_name(n, p) in rows:
                out.append((_row_of_name(n, p), name, args))
    return sorted(set(out))


def _setter(call, p: Parsed) -> tuple[str, str]:
    """`….setStartToCloseTimeout(d)` -> ("setStartToCloseTimeout", "d") when the setter is one of
    the settings; ("", "") otherwise."""
    if call.type == "method_invocation":
        named = call.child_by_field_name("name")
        args = call.child_by_field_name("arguments")
    else:  # Kotlin: `builder.setX(d)` or `setX(d)` inside a builder block
        callee = call.named_children[0] if call.named_child_count else None
        named = callee.named_children[-1] if callee is not None and callee.type == "navigation_expression" else callee
        if named is not None and named.type == "navigation_suffix":
            named = named.named_children[-1] if named.named_child_count else None
        args = next((c for c in call.named_children if c.type in ("call_suffix", "value_arguments")), None)
    if named is None or args is None:
        return "", ""
    name = p.text(named)
    if not name.startswith("set") or name[3:].lower() not in _KIND_OF:
        return "", ""
    return name, p.text(args).strip()[1:-1].strip() if p.text(args).strip().startswith("(") else p.text(args)


def _row_of_name(call, p: Parsed) -> int:
    """The 1-based row where a setter's name is written (a builder chain spans many lines)."""
    if call.type == "method_invocation":
        named = call.child_by_field_name("name")
        return (named or call).start_point[0] + 1
    end = next((c for c in call.named_children if c.type in ("call_suffix", "value_arguments")), call)
    return end.start_point[0] + 1


def _key(name: str) -> str:
    low = name.lower()
    return low[3:] if low.startswith("set") and low[3:] in _KIND_OF else low


def _same(a: str, b: str) -> bool:
    """Whether two values are written the same but for layout (spaces, line breaks, a trailing
    comma before a closing bracket)."""
    return _layout_free(a) == _layout_free(b)


def _layout_free(value: str) -> str:
    return re.sub(r",([}\])])", r"\1", re.sub(r"\s+", "", value)).rstrip(",;")


def options_changed(head: Parsed, base: Parsed, added: set[int], removed: set[int]) -> list[tuple]:
    """(side, line, kind, name, old, new) per setting the change adds, removes or gives another
    value: a setting on a removed line and one of the same name on an added line are paired in
    the order of the file; a pair with the same value (moved, re-indented) is no change. Sorted
    by line, and on one line the innermost setting first (`retry: { maximumAttempts: 5 }`)."""
    theirs: dict[str, list] = {}
    for row, name, value in settings_on(base, removed):
        theirs.setdefault(_key(name), []).append((row, name, value))
    mine: dict[str, list] = {}
    for row, name, value in settings_on(head, added):
        mine.setdefault(_key(name), []).append((row, name, value))
    out = []
    for key in set(theirs) | set(mine):
        old, new = theirs.get(key, []), mine.get(key, [])
        for i in range(max(len(old), len(new))):
            before = old[i] if i < len(old) else None
            after = new[i] if i < len(new) else None
            if before is not None and after is not None:
                if not _same(before[2], after[2]):
                    out.append(("head", after[0], _KIND_OF[key], after[1], before[2], after[2]))
            elif after is not None:
                out.append(("head", after[0], _KIND_OF[key], after[1], None, after[2]))
            elif before is not None:
                out.append(("base", before[0], _KIND_OF[key], before[1], before[2], None))
    return sorted(out, key=lambda f: (f[1], f[0], len(f[5] if f[5] is not None else f[4]), f[3]))


# --- DC714: what a workflow must not call ----------------------------------------------------

# Temporal replays a workflow's code from its history after a restart, a deploy or a cache
# eviction, and fails the workflow task when the replay asks for other commands than the history
# holds. Go and Java run workflow code as it is, so the clock, randomness, sleeping and threads
# of the language differ on replay (the SDKs give `workflow.Now`, `workflow.Sleep`, `workflow.Go`,
# `Workflow.currentTimeMillis`, `Workflow.randomUUID`… instead). TypeScript's and Python's
# sandboxes replace or refuse these, so they are not read here.
_GO_CALLS = {"time": {"Now", "Since", "Until", "Sleep", "After", "Tick", "NewTimer", "NewTicker", "AfterFunc"},
             "math/rand": None, "math/rand/v2": None, "crypto/rand": None,
             # A random (or clock-based) UUID differs on replay as `rand` does.
             "github.com/google/uuid": {"New", "NewString", "NewRandom", "NewUUID", "NewV6", "NewV7"}}
_GO_INSTEAD = {"time": "workflow.Now, workflow.Sleep or workflow.NewTimer", "rand": "workflow.SideEffect"}
_JVM_CALLS = {("System", "currentTimeMillis"), ("System", "nanoTime"), ("Instant", "now"), ("LocalDateTime", "now"),
              ("LocalDate", "now"), ("ZonedDateTime", "now"), ("OffsetDateTime", "now"), ("UUID", "randomUUID"),
              ("Math", "random"), ("Thread", "sleep")}
_JVM_NEW = {"Random", "Thread", "Date"}
# `ThreadLocalRandom.current().nextInt()`, and Kotlin's `Random.nextInt()` (the kotlin.random
# object; Java's Random has no static `next…`).
_JVM_RANDOM_OWNERS = frozenset({"ThreadLocalRandom", "Random"})
# A closure handed to these runs once and is recorded: what it calls is not replayed.
_RECORDED = frozenset({"SideEffect", "MutableSideEffect", "sideEffect", "mutableSideEffect", "getVersion"})


def nondeterministic(p: Parsed, base: Parsed | None, added: set[int],
                     spans: list[tuple[int, int, str]]) -> list[tuple[int, str, str]]:
    """(line, call as written, what to use instead) per call on an added line of a Go or
    Java/Kotlin workflow (a region of ``spans`` whose kind names a Temporal workflow) that reads
    the clock or randomness, sleeps or starts a thread or goroutine, where the file has more
    such calls than the base had (a call moved or re-indented is not new)."""
    workflows = [s for s in spans if s[2].startswith("Temporal workflow")]
    if not workflows or not added:
        return []
    found = []
    for row, call, instead in _calls(p):
        if row in added and any(s[0] <= row - 1 <= s[1] for s in workflows):
            found.append((row, call, instead))
    found.sort()
    if not found or base is None:
        return found
    before: dict[str, int] = {}
    for _row, call, _instead in _calls(base):
        before[call] = before.get(call, 0) + 1
    now: dict[str, int] = {}
    for _row, call, _instead in _calls(p):
        now[call] = now.get(call, 0) + 1
    return [f for f in found if now[f[1]] > before.get(f[1], 0)]


def _calls(p: Parsed) -> list[tuple[int, str, str]]:
    if "temporal.calls" not in p.memo:
        p.memo["temporal.calls"] = _go_calls(p) if p.language == "go" else _jvm_calls(p)
    return p.memo["temporal.calls"]


def _recorded(node, p: Parsed) -> bool:
    """Whether ``node`` sits in a closure handed to a side effect (`workflow.SideEffect(ctx,
    func(…) … { return time.Now() })`), which the SDK records instead of replaying."""
    while node is not None:
        if node.type in ("call_expression", "method_invocation"):
            callee = node.child_by_field_name("function") or node.child_by_field_name("name")
            if callee is None and node.named_child_count:
                callee = node.named_children[0]
            if callee is not None and re.split(r"[.\s]", p.text(callee))[-1] in _RECORDED:
                return True
        node = node.parent
    return False


def _go_imports(p: Parsed) -> dict[str, str]:
    """The file's package names for the import paths of ``_GO_CALLS`` (`time` -> "time")."""
    names = {}
    for spec in nodes_of(p, frozenset({"import_spec"})):
        path, name = spec.child_by_field_name("path"), spec.child_by_field_name("name")
        target = p.text(path).strip('"`') if path is not None else ""
        if target in _GO_CALLS:
            local = p.text(name) if name is not None else target.split("/")[-1]
            if local == "v2":
                local = "rand"
            if local == ".":
                local = "." + target  # one key per dot-imported package
            names[local] = target
    return names


def _go_calls(p: Parsed) -> list[tuple[int, str, str]]:
    packages = _go_imports(p)
    # `import . "time"`: the package's functions are called bare (`Now()`); only where the
    # names are listed (a dot import of math/rand would make every bare call a suspect).
    dotted = {name: path for local, path in packages.items() if local.startswith(".")
              for name in (_GO_CALLS[path] or ())}
    out = []
    for n in nodes_of(p, frozenset({"call_expression", "go_statement"})):
        if n.type == "go_statement":
            if not _recorded(n, p):
                out.append((n.start_point[0] + 1, "go statement", "workflow.Go"))
            continue
        fn = n.child_by_field_name("function")
        if fn is not None and fn.type == "identifier" and p.text(fn) in dotted and not _recorded(n.parent, p):
            out.append((n.start_point[0] + 1, f"{p.text(fn)}()", _GO_INSTEAD["time" if dotted[p.text(fn)] == "time" else "rand"]))
            continue
        if fn is None or fn.type != "selector_expression":
            continue
        operand, field = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
        if operand is None or field is None or operand.type != "identifier" or p.text(operand) not in packages:
            continue
        allowed = _GO_CALLS[packages[p.text(operand)]]
        if (allowed is None or p.text(field) in allowed) and not _recorded(n.parent, p):
            path = packages[p.text(operand)]
            out.append((n.start_point[0] + 1, f"{p.text(operand)}.{p.text(field)}()",
                        _GO_INSTEAD["time" if path == "time" else "rand"]))
    return out


def _jdk_simple(name: str) -> str:
    """`java.util.UUID` -> `UUID`: a JDK or Kotlin type written with its package is the same type."""
    return name.rsplit(".", 1)[-1] if name.startswith(("java.", "kotlin.")) else name


def _jvm_static_imports(p: Parsed) -> dict[str, tuple[str, str]]:
    """The clock and randomness calls the file imports by their member name (`import static
    java.lang.System.currentTimeMillis;`, Kotlin's `import java.time.Instant.now`): bare name ->
    (type, member) of ``_JVM_CALLS``."""
    out = {}
    for spec in nodes_of(p, frozenset({"import_declaration", "import_header"})):
        words = re.findall(r"[A-Za-z_]\w*", p.text(spec))
        if len(words) >= 2 and (words[-2], words[-1]) in _JVM_CALLS:
            out[words[-1]] = (words[-2], words[-1])
    return out


def _jvm_calls(p: Parsed) -> list[tuple[int, str, str]]:
    out = []
    imported = _jvm_static_imports(p)
    for n in nodes_of(p, frozenset({"method_invocation", "object_creation_expression", "call_expression"})):
        if n.type == "object_creation_expression":
            kind = n.child_by_field_name("type")
            made = _jdk_simple(p.text(kind)) if kind is not None else ""
            if made in _JVM_NEW and not _recorded(n.parent, p):
                out.append((n.start_point[0] + 1, f"new {made}()", _jvm_instead(made)))
            continue
        if n.type == "method_invocation":
            obj, name = n.child_by_field_name("object"), n.child_by_field_name("name")
            pair = (p.text(obj) if obj is not None else "", p.text(name) if name is not None else "")
        else:  # Kotlin: `Instant.now()`, `Thread.sleep(…)`, and `Random()`, `Thread { … }` built by a call
            callee = n.named_children[0] if n.named_child_count else None
            full = p.text(callee) if callee is not None else ""
            text = _jdk_simple(full)
            if text in _JVM_NEW:
                if not _recorded(n.parent, p):
                    out.append((n.start_point[0] + 1, f"{text}()", _jvm_instead(text)))
                continue
            pair = tuple(full.rsplit(".", 1)) if "." in full else ("", full)  # type: ignore[assignment]
        pair = (_jdk_simple(pair[0]), pair[1])
        if not pair[0] and pair[1] in imported:
            pair = imported[pair[1]]
        random = pair[0] in _JVM_RANDOM_OWNERS and (pair[1] == "current" or pair[1].startswith("next"))
        if (pair in _JVM_CALLS or random) and not _recorded(n.parent, p):
            out.append((n.start_point[0] + 1, f"{pair[0]}.{pair[1]}()", _jvm_instead("random" if random else pair[1])))
    return out


def _jvm_instead(what: str) -> str:
    return {"sleep": "Workflow.sleep", "Thread": "Async.function or Workflow.newTimer",
            "randomUUID": "Workflow.randomUUID", "Random": "Workflow.newRandom",
            "random": "Workflow.newRandom"}.get(what, "Workflow.currentTimeMillis")
