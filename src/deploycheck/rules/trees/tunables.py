"""A retry, backoff or concurrency setting's value changed in a JS/TS object, a Go or a Ruby setting (DC718).

Job libraries' own options are read by the packs where the library is imported (DC510, DC521);
this reads them where applications keep them: a configuration module's object (`maxAttempts: 5`,
`waitForComputePropertiesMaxAttempts: parseMaxAttempts(raw, 5)`), whose key says what it tunes
and whose value holds a number on a changed line. Dittofeed's journey activity polled three times
10 s apart, then five times 36 s apart, from its config module (apps-i).
"""

from __future__ import annotations

import re

from .parse import Parsed, nodes_of
from .units import all_units, qualname, shown_code, units_at

# A key that names how often work is tried, how long it waits between tries, or how much runs at
# once: `attempts`, `maxRetries`, `retryDelayMs`, `backoff`, `concurrency`, `workerConcurrency`.
TUNABLE_KEY = re.compile(r"attempts?$|retr(?:y|ies)|backoff|concurrency$|concurrency[A-Z_]|prefetch", re.I)
_NUMBER = re.compile(r"(?<![\w.])\d[\d_]*(?:\.\d+)?(?![\w.])")
_PAIRS = frozenset({"pair"})
# Go's durations are numbers with a unit (`default:"30s"`, `time.ParseDuration("1m30s")`).
_GO_NUMBER = re.compile(r"(?<![\w.])\d[\d_]*(?:\.\d+)?(?:(?:ns|us|µs|ms|s|m|h)+(?![\w.])|(?![\w.]))")


def _tunable_pairs(p: Parsed):
    """(pair, key as written, value, (unit, key)) for each object property of ``p`` whose key
    names a retry, backoff or concurrency setting."""
    for n in nodes_of(p, _PAIRS):
        key, value = n.child_by_field_name("key"), n.child_by_field_name("value")
        if key is None or value is None:
            continue
        name = p.text(key).strip("'\"`")
        if TUNABLE_KEY.search(name):
            yield n, name, value, (qualname(units_at(p, n.start_point[0]), p), name)


# Go's settings are named the same way, and for how many run at once also by what is counted:
# hatchet's `subMaxChans = 100` (the RabbitMQ subscribers' channel pool, cut to 10 by a new
# user's trial, session 27), `defaultOperatorSlots`, `numWorkers`, `poolSize`, `MaxConns`.
GO_TUNABLE_NAME = re.compile(
    r"attempts?$|retr(?:y|ies)|backoff|concurrency|prefetch|parallelism"
    r"|(?:max|num|min|default)\w*(?:chans?|channels?|conns?|connections?|slots?|goroutines?|inflight"
    r"|consumers?|senders?|handlers?)$|slots$|(?:pool|queue)_?size$",
    re.I)
# Named like one, set by a person or for bytes: a login lockout's attempts, an I/O buffer.
_GO_NOT_TUNABLE = re.compile(r"login|signin|password|passcode|otp|pin$|byte|buffer|unlock|lockout", re.I)
# A value that is a message, not a setting: `errors.New("backoff_limit must be >= 0")`.
_GO_MESSAGE = re.compile(r"^(?:errors|xerrors|fmt|pkgerrors)\.(?:New|Errorf|Wrap\w*)$|^(?:status|grpc)\.Errorf?$")
# What the go pack's DC519 reads already: a count named for workers anywhere; and in a file
# importing a job library, the packs' DC519 and DC713 read its options (``in_job_library_file``).
_GO_WORKER_COUNT = re.compile(r"(?i)workers?(?:count|num|number|poolsize|limit)?$")
_GO_JOB_LIBRARY = re.compile(rb'"(?:github\.com/(?:hibiken/asynq|riverqueue/river|RichardKnop/machinery|gocraft/work'
                             rb'|go-co-op/gocron|ThreeDotsLabs/watermill|adjust/rmq|vmihailenco/taskq'
                             rb'|contribsys/faktory_worker_go|bsm/redislock)|go\.temporal\.io/sdk)')
_GO_SPECS = frozenset({"const_spec", "var_spec", "keyed_element", "field_declaration"})
_GO_STRINGS = frozenset({"interpreted_string_literal", "raw_string_literal"})
_GO_DEFAULT_TAG = re.compile(r'\bdefault:"([^"]*)"')


def _go_tunables(p: Parsed):
    """(node, name, value, (unit, name)) for each Go constant or variable with one value, keyed
    field of a composite literal, and struct field with a `default:"…"` tag (envconfig's, viper's
    settings structs) whose name says how often work is tried or how much runs at once; not those
    the go pack's DC519 reads."""
    for n in nodes_of(p, _GO_SPECS):
        if n.type == "keyed_element":
            if n.named_child_count != 2:
                continue
            key, value = n.named_children
            name = p.text(key)
        elif n.type == "field_declaration":
            names = [c for c in n.named_children if c.type == "field_identifier"]
            tag = n.child_by_field_name("tag")
            if len(names) != 1 or tag is None or not _GO_DEFAULT_TAG.search(p.text(tag)):
                continue
            name, value = p.text(names[0]), tag
        else:
            names = [c for c in n.named_children if c.type == "identifier"]
            value = n.child_by_field_name("value")
            if len(names) != 1 or value is None or value.named_child_count != 1:
                continue
            name = p.text(names[0])
        if n.type != "field_declaration" and _go_message(value, p):
            continue  # `ErrNegativeBackoffLimit = errors.New("backoff_limit must be >= 0")`
        if GO_TUNABLE_NAME.search(name) and not _GO_WORKER_COUNT.search(name) and not _GO_NOT_TUNABLE.search(name):
            yield n, name, value, (qualname(units_at(p, n.start_point[0]), p), name)


def _go_message(value, p: Parsed) -> bool:
    """Whether a Go value is text: a string, or an error built from one. A call that also takes a
    string is not (`envInt("MAX_RETRIES", 3)`, `flag.Int("max-retries", 3, "…")`: the red team,
    session 27)."""
    if value.type in ("expression_list",) and value.named_child_count == 1:
        value = value.named_children[0]
    if value.type in _GO_STRINGS:
        return True
    callee = value.child_by_field_name("function") if value.type == "call_expression" else None
    return callee is not None and _GO_MESSAGE.match(p.text(callee)) is not None


# Ruby's settings: a pair (`retries: 3`, `'max_threads' => 4`), a setter call with the key first
# (traject's `provide 'solr_writer.thread_pool', 3` or `store …`, Sinatra's `set :concurrency, 5`),
# an assignment (`config.x.worker_threads = 8`, `MAX_RETRIES = 2`), Puma's `workers 2` and
# `threads 5, 5`, a pool's size (`Concurrent::FixedThreadPool.new(4)`, `ConnectionPool.new(size:
# 5)`). Named for tries, backoff or how much runs at once, threads counted (not Active Job's
# `retry_jitter`: DC527's): bibdata's MARC indexing job posted to Solr from a pool of three threads
# instead of one, set by a line added to its traject settings (apps-ad e95eb01b).
RUBY_TUNABLE_NAME = re.compile(
    r"attempts?$|retr(?:y|ies)$|retry_(?!jitter)|backoff|concurrency|prefetch|parallelism|thread_?pool"
    r"|threads?(?:_count)?$|pool_?size$|processes$", re.I)
_RUBY_SETTERS = frozenset({"provide", "set", "store"})
_RUBY_SERVER_SETTINGS = frozenset({"workers", "threads"})  # Puma's configuration DSL
_RUBY_POOL = re.compile(r"(?:ThreadPool\w*|Pool)$")
_RUBY_NODES = frozenset({"pair", "call", "assignment"})
_RUBY_KEYS = frozenset({"string", "simple_symbol", "hash_key_symbol"})
# A file where a job library's options are written: the ruby pack reads those (DC164, DC527). And
# Devise's settings, whose attempts are a person's (`config.maximum_attempts`).
_RUBY_JOB_LIBRARY = re.compile(rb"\bsidekiq_options\b|\bretry_on\b|\bgood_job_control_concurrency_with\b|\bDevise\.setup\b")


# A record's count of what happened, not a setting (`failed_attempts`, Devise's lockable column).
_RUBY_COUNTED = re.compile(r"(?i)failed_")


def _ruby_tunables(p: Parsed):
    """(node, name, value, (unit, name)) for each Ruby pair, setter call, assignment or pool
    whose key names a retry, backoff or concurrency setting."""
    for n in nodes_of(p, _RUBY_NODES):
        if n.type == "pair":
            key, value = n.child_by_field_name("key"), n.child_by_field_name("value")
            if key is None or value is None or key.type not in _RUBY_KEYS:
                continue
            name = p.text(key).strip("'\":")
            if name in ("size", "max_size") and _in_a_pool(n, p):
                name = "pool size"
        elif n.type == "call":
            method, arguments = n.child_by_field_name("method"), n.child_by_field_name("arguments")
            receiver = n.child_by_field_name("receiver")
            if method is None or arguments is None or not arguments.named_children:
                continue
            first = arguments.named_children[0]
            if receiver is None and p.text(method) in _RUBY_SETTERS and arguments.named_child_count == 2 \
                    and first.type in _RUBY_KEYS:
                key, value = arguments.named_children
                name = p.text(key).strip("'\":")
            elif receiver is None and p.text(method) in _RUBY_SERVER_SETTINGS and arguments.named_child_count <= 2:
                name, value = p.text(method), arguments
            elif receiver is not None and p.text(method) == "new" and _RUBY_POOL.search(p.text(receiver)) \
                    and first.type not in ("pair",):
                name, value = f"{p.text(receiver)} size", first
            else:
                continue
        else:
            key, value = n.child_by_field_name("left"), n.child_by_field_name("right")
            if key is not None and key.type == "call":
                key = key.child_by_field_name("method")
            if key is None or value is None or key.type not in ("identifier", "constant"):
                continue
            name = p.text(key)
        if (RUBY_TUNABLE_NAME.search(name) or name in _RUBY_SERVER_SETTINGS or name.endswith(" size")) \
                and not _GO_NOT_TUNABLE.search(name) and not _RUBY_COUNTED.match(name):
            yield n, name, value, (qualname(units_at(p, n.start_point[0]), p), name)


def _in_a_pool(pair, p: Parsed) -> bool:
    """Whether a Ruby pair is an argument of `X.new(…)` for a pool (`ConnectionPool.new(size: 5)`)."""
    call = pair.parent.parent if pair.parent is not None else None
    if call is not None and call.type == "hash":
        call = call.parent.parent if call.parent is not None else None
    receiver = call.child_by_field_name("receiver") if call is not None and call.type == "call" else None
    return receiver is not None and _RUBY_POOL.search(p.text(receiver)) is not None


def tunables_changed(p: Parsed, base: Parsed | None, rows: set[int]) -> list[tuple[int, str]]:
    """(line, message) for each tunable pair of the head whose value, holding a number on a
    changed row, differs from the same key's in the same unit of the base."""
    if in_job_library_file(p):
        return []
    settings = _numbered(_SETTINGS.get(p.language, _tunable_pairs))
    before = {where: "".join(base.text(value).split()) for _n, _name, value, where in settings(base)} \
        if base is not None else {}
    # A Ruby setting added to a block or method that was there replaces a default (traject's
    # one Solr writer thread); elsewhere a new setting is new code, read as such.
    defaults = set(all_units(base)) | {"(top level)"} if base is not None and p.language == "ruby" else set()
    out = []
    number = _GO_NUMBER if p.language == "go" else _NUMBER
    for n, name, value, where in settings(p):
        changed = [row + 1 for row in range(value.start_point[0], value.end_point[0] + 1)
                   if row + 1 in rows and number.search(p.line(row).decode("utf-8", "replace"))]
        if not changed:
            continue
        was = before.get(where)
        # A pair added is an argument or a record's attribute as often as a setting (`update!(failed_attempts: 0)`,
        # a serializer's `max_attempts:`: the red team of session 37): only its value changing is read.
        if was == "".join(p.text(value).split()) or was is None and (
                where[0] not in defaults or where[2] > 1 or n.type == "pair"):
            continue
        line = shown_code(_code(p.line(changed[0] - 1).decode("utf-8", "replace")), 60)
        verb = "changed" if was is not None else "set where its default applied before"
        out.append((changed[0], (
            f"`{name}` {verb} (line {changed[0]} now reads `{line}`): it decides how often work is tried again, how long it waits "
            "between tries, or how much of it runs at once. A retry repeats what a failed attempt "
            "already did, and more at once meets itself: say in the checklist what it runs and "
            "whether that is safe twice or in parallel.")))
    return sorted(set(out))


_SETTINGS = {"go": _go_tunables, "ruby": _ruby_tunables}


def _numbered(settings):
    """``settings`` with each key told apart by its place among the unit's settings of that name:
    two queues' `threads:` in one function are two settings (the red team of session 37: the
    second overwrote the first, and a queue's 1 -> 10 passed)."""
    def numbered(p: Parsed):
        seen: dict[tuple, int] = {}
        for n, name, value, where in settings(p):
            seen[where] = seen.get(where, 0) + 1
            yield n, name, value, (*where, seen[where])
    return numbered


def _code(line: str) -> str:
    """The line without a trailing `//` or `#` comment (a rough cut: enough for a message)."""
    return re.sub(r"\s(?://|#).*$", "", line)


def in_job_library_file(p: Parsed) -> bool:
    """A file importing a job library whose options the packs read where it is imported (DC510,
    DC521): they speak for its settings there."""
    library = {"go": _GO_JOB_LIBRARY, "ruby": _RUBY_JOB_LIBRARY}.get(p.language, _JOB_LIBRARY)
    return library.search(p.source) is not None


_JOB_LIBRARY = re.compile(rb"""['"](?:bullmq|bull|bee-queue|@nestjs/bullmq?|agenda|@hokify/agenda|kafkajs|amqplib"""
                          rb"""|amqp-connection-manager)['"]""")
