"""Concurrency primitives weakened, read from the trees of both sides (DC704).

Per unit (method, field, function) present on both sides: a `synchronized` method or block, a
`volatile` field, a concurrent type (ConcurrentHashMap, AtomicLong, …, Go sync.Mutex/atomic) that
(Ruby: concurrent-ruby's types, `Mutex`, `Monitor`, `synchronize`)
the unit had and no longer has is reported `high` when the whole file has fewer of it too, or
when another unit both sides hold gained it instead (moved into a new helper is not removed). One the unit gained, and the file too, is a
`warning`: the change says the state is shared (openhab's script engine factories, a HashMap
made a ConcurrentHashMap, apps-q), and what else touches it is for the checklist. A Go channel whose buffering changed (buffered to
unbuffered: senders now block until a receiver takes the value) is a `warning`, `high` when it
became unbuffered. A Java/Kotlin unit whose stream pipelines became parallel or sequential
(`parallelStream()`/`.parallel()` added or removed) is a `warning`: its lambdas move on or off the
JVM's shared fork-join pool.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from ..counters import new_counter
from .parse import Parsed, js_function_name, nodes_of, walk
from .producer import flat
from .units import CONTAINERS, index_units, node_name, qualname, units_at

CONCURRENT = frozenset({
    "ConcurrentHashMap", "ConcurrentMap", "ConcurrentSkipListMap", "ConcurrentSkipListSet", "ConcurrentLinkedQueue",
    "ConcurrentLinkedDeque", "CopyOnWriteArrayList", "CopyOnWriteArraySet", "LinkedBlockingQueue",
    "ArrayBlockingQueue", "BlockingQueue", "AtomicLong", "AtomicInteger", "AtomicBoolean", "AtomicReference",
    "AtomicLongArray", "AtomicIntegerArray", "LongAdder", "ReentrantLock", "ReentrantReadWriteLock", "StampedLock",
    "Semaphore", "CountDownLatch", "Mutex", "RWMutex", "WaitGroup", "Once",
    # A collection wrapped to lock on every call (`Collections.synchronizedMap(WeakHashMap())`,
    # Suwayomi's source cache, a new user's trial, session 30).
    "synchronizedMap", "synchronizedList", "synchronizedSet", "synchronizedCollection", "synchronizedSortedMap",
    "synchronizedSortedSet", "synchronizedNavigableMap", "synchronizedNavigableSet",
})
KEYWORDS = frozenset({"synchronized", "volatile", "Synchronized", "Volatile"})
# Ruby's: concurrent-ruby's types (`Concurrent::Map`, `Concurrent::AtomicFixnum`…, read whole), the
# standard library's `Mutex` and `Monitor`, and the calls that hold them (`@lock.synchronize do`).
# Issue 17: a `Concurrent::Map` swapped for a plain `Hash` that jobs share.
RUBY_PRIMITIVES = frozenset({"Mutex", "Monitor", "MonitorMixin", "synchronize", "mon_synchronize"})
LANGUAGES = ("go", "java", "kotlin", "ruby")
# Substrings (lower-case) of the changed lines that make this check worth a parse.
HINTS = (b"synchronized", b"volatile", b"atomic", b"concurrent", b"mutex", b"chan", b"lock", b"blockingqueue",
         b"semaphore", b"countdownlatch", b"longadder", b"waitgroup", b"sync.", b"parallel", b"synchronize", b"monitor",
         b"copyonwrite")
# Of them, those that make a Ruby file worth reading for itself (`lock` alone is every `with_lock`).
RUBY_HINTS = (b"concurrent::", b"mutex", b"monitor", b"synchronize")
# Calls that make a Java stream run its stages on the common fork-join pool, several elements at
# once (`Collection.parallelStream()`, `BaseStream.parallel()`).
PARALLEL_CALLS = frozenset({"parallelStream", "parallel"})


# Where a primitive's name is no use of it: a class literal (`ConcurrentHashMap.class` in an
# allow-list, Kotlin's `ConcurrentHashMap::class`), an import, a string or a comment.
_NOT_A_USE = {"class_literal", "import_declaration", "import", "import_header", "import_list", "package_declaration",
              "package_header", "import_spec", "import_declaration_list"}


def _class_reference(n, p: Parsed) -> bool:
    kinds = [c.type for c in n.children]
    return n.type == "navigation_expression" and "::" in kinds and p.text(n.children[-1]) == "class"


# A method's own local (`final AtomicInteger row = new AtomicInteger()` counting inside a lambda,
# Go's `var wg sync.WaitGroup`): no other thread holds it through the object, so one gained there
# says nothing of shared state (a red-team case, session 24). Its loss is still read.
_LOCALS = frozenset({"local_variable_declaration", "short_var_declaration"})


def _local(n, p: Parsed) -> bool:
    if n.type in _LOCALS:
        return True
    if n.type in ("var_declaration", "property_declaration"):  # Go's `var` and Kotlin's `val` in a body
        up = n.parent
        while up is not None and up.type not in ("block", "function_body", "source_file", "class_body"):
            up = up.parent
        return up is not None and up.type in ("block", "function_body")
    return False


def _primitives(node, p: Parsed, locals_too: bool = True, own: bool = False) -> Counter:
    """The primitives used in ``node``; ``own``: not in the methods and functions it declares."""
    found: Counter = Counter()
    stack = [node]
    while stack:
        n = stack.pop()
        if "comment" in n.type or "string" in n.type or n.type in _NOT_A_USE or _class_reference(n, p):
            continue
        if own and n is not node and n.type in _DECLARED_FUNCTIONS:
            continue
        if not locals_too and _local(n, p):
            continue
        if p.language == "ruby" and n.type == "scope_resolution" and p.text(n).startswith("Concurrent::"):
            found[p.text(n)] += 1  # `Concurrent::Map`, `Concurrent::Array`: the type is the whole name
            continue
        if n.child_count == 0:
            text = p.text(n)
            if p.language == "ruby":
                if text in RUBY_PRIMITIVES:
                    found[text] += 1
                continue
            if text in CONCURRENT:
                found[text] += 1
            elif text in KEYWORDS:  # Kotlin's @Synchronized/@Volatile are Java's keywords
                found[text.lower()] += 1
            elif p.language == "go" and text == "atomic":
                found["sync/atomic"] += 1
            continue
        if p.language == "go":
            if n.type == "qualified_type" and p.text(n).startswith("atomic."):
                continue  # `var total atomic.Int64` declares; its calls below are the uses
            if n.type == "call_expression" and _typed_atomic_call(n, p):
                found["sync/atomic"] += 1  # `total.Add(n)`, as `atomic.AddInt64(&total, n)` was
        stack.extend(n.children)
    return found


# `go fix`'s atomic types: `atomic.AddInt64(&total, n)` becomes `total.Add(n)` on a `var total
# atomic.Int64`, the same operation (rclone 77f9c70cf read as sync/atomic dropped, a false high,
# in a new user's trial, session 40). A typed atomic's operations are counted as the package
# calls they replace, and its type, a declaration, as none.
_ATOMIC_METHODS = frozenset({"Add", "Load", "Store", "Swap", "CompareAndSwap", "And", "Or"})
_ATOMIC_DECLARERS = frozenset({"var_spec", "field_declaration", "parameter_declaration", "const_spec"})


def _typed_atomic_names(p: Parsed) -> frozenset[str]:
    """The names the Go file declares with a `sync/atomic` type (`n atomic.Int64`, `p *atomic.Pointer[T]`)."""
    names = p.memo.get("hazards.typed-atomics")
    if names is None:
        found: set[str] = set()
        if b"atomic." in p.source:
            for n in walk(p.root):
                if n.type != "qualified_type" or not p.text(n).startswith("atomic."):
                    continue
                up = n.parent
                while up is not None and up.type in ("pointer_type", "generic_type", "type_arguments"):
                    up = up.parent
                if up is not None and up.type in _ATOMIC_DECLARERS:
                    found.update(p.text(c) for c in up.children_by_field_name("name"))
        names = p.memo["hazards.typed-atomics"] = frozenset(found)
    return names


def _typed_atomic_call(n, p: Parsed) -> bool:
    """Whether a Go call is an operation of a value the file declares with an atomic type."""
    fn = n.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression":
        return False
    field, operand = fn.child_by_field_name("field"), fn.child_by_field_name("operand")
    if field is None or operand is None or p.text(field) not in _ATOMIC_METHODS:
        return False
    if operand.type == "selector_expression":
        operand = operand.child_by_field_name("field") or operand
    return p.text(operand) in _typed_atomic_names(p)


_DECLARED_FUNCTIONS = frozenset({"method_declaration", "constructor_declaration", "function_declaration", "method",
                                 "singleton_method", "method_definition"})


def _channels(node, p: Parsed) -> list[tuple[int, str, str]]:
    """Go ``make(chan T[, n])`` in the unit, in order: (element type, capacity or "")."""
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if n.type == "call_expression":
            fn, args = n.child_by_field_name("function"), n.child_by_field_name("arguments")
            if fn is not None and p.text(fn) == "make" and args is not None and args.named_child_count:
                first = args.named_children[0]
                if first.type == "channel_type":
                    cap = p.text(args.named_children[1]) if args.named_child_count > 1 else ""
                    out.append((n.start_point[0] + 1, p.text(first), cap))
        stack.extend(reversed(n.children))
    return out


_OWN_UNITS = frozenset({"method_declaration", "constructor_declaration", "function_declaration"})


def _parallel_calls(node, p: Parsed) -> list[int]:
    """The lines of the unit's calls that make a stream parallel (Java `x.parallelStream()`,
    `s.parallel()`; Kotlin `x.parallelStream()`), in order. A name that is not called (a field or
    variable called `parallel`) is none."""
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if "comment" in n.type or "string" in n.type or (n is not node and n.type in _OWN_UNITS):
            continue  # a nested method's calls are its own unit's, not its class's
        if n.type == "method_invocation":
            name = n.child_by_field_name("name")
            if name is not None and p.text(name) in PARALLEL_CALLS and n.child_by_field_name("object") is not None:
                out.append(name.start_point[0] + 1)
        elif n.type == "call_expression" and n.named_child_count and n.named_children[0].type == "navigation_expression":
            suffix = n.named_children[0].named_children[-1]
            if suffix.type == "navigation_suffix" and p.text(suffix).lstrip("?.").strip() in PARALLEL_CALLS:
                out.append(suffix.start_point[0] + 1)
        stack.extend(n.children)
    return sorted(out)


def _next_code_line(p: Parsed, number: int) -> int:
    """The first line from ``number`` on that is not blank (``number`` when none is)."""
    last = p.source.count(b"\n") + 1
    return next((n for n in range(number, last + 1) if p.line(n - 1).strip()), number)


def _naming(changed: list[int], lines: dict[int, str], names: Counter, unit) -> list[int]:
    """The changed lines of ``unit`` (its nested units' too) that name a primitive of ``names``,
    else ``changed``: a class that gained a `synchronizedList` field is pointed at that field, not
    at the first changed line of the class (an annotation: nextcloud's thumbnail generator, a new
    user's trial, session 40)."""
    words = {"atomic" if name == "sync/atomic" else name.lstrip("@") for name in names}
    inside = range(unit.start_point[0] + 1, unit.end_point[0] + 2)
    return [n for n in sorted(lines) if n in inside and any(word in lines[n] for word in words)] or changed


def _gained(key: str, gain: Counter) -> str:
    names = ", ".join(f"`{name}`" for name in sorted(gain))
    nulls = (" A concurrent map also refuses null keys and values: a `put` or `get` of null that the plain map took "
             "now throws.") if gain.keys() & {"ConcurrentHashMap", "ConcurrentMap", "ConcurrentSkipListMap"} else ""
    return (f"`{key}` now uses {names} (and the file has more of it): the change says this state is shared between "
            "threads or goroutines. Whatever else reads or writes it without the new guard still races, a read "
            "then a write are still two steps, and a lock has costs of its own (held across a slow call, taken in "
            f"another order than a second lock).{nulls}")


def _only_new_counters(lines: dict[int, str], unit, gain: Counter, head: Parsed, base: Parsed) -> bool:
    """Whether what ``unit`` gained is only new metric counters beside the class's others
    (rules/counters.py): new state guarding itself, not a guard on state that was there. The
    changed lines inside it that name what it gained, a new property's own among them."""
    if head.language not in ("java", "kotlin"):
        return False
    declaring = [n for n, text in lines.items() if unit.start_point[0] < n <= unit.end_point[0] + 1
                 and any(name in text for name in gain)]
    head_text = head.source.decode("utf-8", "replace")
    base_text = base.source.decode("utf-8", "replace")
    return bool(declaring) and all(new_counter(lines[n], head_text, base_text) for n in declaring)


def _moved_to(key: str, lost: Counter, base: Parsed, head: Parsed, side: str, mine: dict, theirs: dict):
    """(primitive, unit) when a primitive ``key`` lost went to another unit both sides hold (a
    `synchronized` moved from the writer to the reader: the file has as many, the writer none),
    not to a unit new on the head (a helper it was extracted into) nor to one around or inside it."""
    heads, bases = (mine, theirs) if side == "head" else (theirs, mine)
    for other in heads:
        if other in (key, "(top level)") or other not in bases or other.startswith(key + "::") \
                or key.startswith(other + "::"):
            continue
        gained = _primitives(heads[other], head) - _primitives(bases[other], base)
        for name in sorted(lost):
            if gained[name]:
                return name, other
    return None


def _called_outside(node, p: Parsed) -> bool:
    """Whether the file calls ``node``'s name outside it: its body may have been inlined there,
    without the lock, when it was removed."""
    name = node_name(node, p).split("(")[0].rsplit(".", 1)[-1].rsplit("::", 1)[-1]
    calls = re.compile(rf"\b{re.escape(name)}\s*\(".encode()) if name else None
    return calls is not None and any(not (node.start_byte <= m.start() < node.end_byte) for m in calls.finditer(p.source))


def _in_removed_units(unit, base: Parsed, base_units: dict, head_units: dict) -> Counter:
    """The primitives of the units nested in ``unit`` (a class) that the head no longer has at all."""
    out: Counter = Counter()
    for key, node in base_units.items():
        if key not in head_units and node.id != unit.id and unit.start_byte <= node.start_byte \
                and node.end_byte <= unit.end_byte and not _called_outside(node, base):
            out += _primitives(node, base)
    return out


# A field's name in its declaration: Java's `variable_declarator`, Kotlin's property, Go's and
# JS/TS's field names.
_FIELD_DECLARATIONS = frozenset({"field_declaration", "property_declaration", "public_field_definition", "field_definition"})
_FIELD_NAMES = frozenset({"identifier", "simple_identifier", "field_identifier", "property_identifier"})
# Where a node is one statement (or one member) of its block.
_STATEMENT_BLOCKS = frozenset({"block", "statements", "class_body", "field_declaration_list", "constructor_body",
                               "function_body", "statement_block", "statement_list", "declaration_list"})


# A field that is only a lock (`mu sync.Mutex`, `final Object lock = new Object()`) is the guard,
# not the state it guards: removed with its calls, the state it guarded is still there.
_LOCK_FIELD = re.compile(r"\bsync\.(?:RW)?Mutex\b|\b(?:ReentrantLock|ReentrantReadWriteLock|ReadWriteLock|StampedLock"
                         r"|Semaphore|Mutex|Lock)\b|\bnew\s+Object\s*\(\s*\)|=\s*Any\s*\(\s*\)")


def _removed_fields(base: Parsed, head: Parsed) -> frozenset[str]:
    """The fields the base file declares whose names the head file no longer has at all, but
    fields that are only a lock."""
    key = ("hazards.removed-fields", head.source)  # the other side's text, not its id(), which may be reused
    if key not in base.memo:
        words = set(re.findall(rb"\w+", head.source))
        names = set()
        for declaration in nodes_of(base, _FIELD_DECLARATIONS):
            if _LOCK_FIELD.search(base.text(declaration)):
                continue
            for n in walk(declaration):
                if n.type in _FIELD_NAMES and n.parent is not None and (n.parent.type in _FIELD_DECLARATIONS or n.parent.type in (
                        "variable_declarator", "variable_declaration")) and n.parent.child_by_field_name("value") is not n:
                    names.add(base.text(n))
        base.memo[key] = frozenset(name for name in names if name.encode() not in words)
    return base.memo[key]


def _tokens(node, p: Parsed, cut: list) -> list[str]:
    """The leaf tokens of ``node`` but comments and the ``cut`` subtrees."""
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if "comment" in n.type or any(n.id == c.id for c in cut):
            continue
        if n.child_count == 0:
            out.append(p.text(n))
        stack.extend(reversed(n.children))
    return out


def _went_with_its_state(b, base: Parsed, h, head: Parsed, base_units: dict, head_units: dict) -> list[str]:
    """The fields, when base unit ``b`` is head unit ``h`` plus only statements and members that
    name a field the head file no longer has (and methods removed whole): its primitives went
    with the state they guarded, and nothing took their place here; else []. Geyser's
    per-address connection counters (`Map<InetAddress, AtomicInteger>` in a `ConcurrentHashMap`)
    were moved into a library with every use, and the session manager read as "no longer uses
    `AtomicInteger`", high (a new user's trial, session 41). A counter turned into a plain field
    is new code here: not excused."""
    gone = _removed_fields(base, head)
    if not gone:
        return []
    removed_units = {node.id for key, node in base_units.items() if key not in head_units}
    cut, stack, fields = [], list(b.children), set()
    while stack:
        n = stack.pop()
        if n.id in removed_units:
            cut.append(n)
            continue
        # A block inside a block (Go's `statement_list` in a function's `block`) is no statement.
        statement = (n.parent is not None and n.parent.type in _STATEMENT_BLOCKS and n.type not in _STATEMENT_BLOCKS) \
            or n.type in _FIELD_DECLARATIONS
        named = {base.text(leaf) for leaf in walk(n) if leaf.type in _FIELD_NAMES} & gone \
            if statement and n.type not in CONTAINERS and not n.type.startswith(("method", "function", "constructor")) else set()
        if named:
            cut.append(n)
            fields.update(named)
            continue
        stack.extend(n.children)
    return sorted(fields) if cut and _tokens(b, base, cut) == _tokens(h, head, []) else []


def weakened(p: Parsed, other: Parsed, lines: dict[int, str], side: str) -> list[tuple[int, int, str, str]]:
    """(first line, last line, severity, message) per unit whose primitives weakened. ``p`` is the
    side the lines belong to; a removal is judged base -> head either way."""
    base, head = (other, p) if side == "head" else (p, other)
    file_drop = _primitives(base.root, base) - _primitives(head.root, head)
    file_gain = _primitives(head.root, head, False) - _primitives(base.root, base, False)
    groups: dict[str, list[int]] = {}
    for number in sorted(lines):
        groups.setdefault(qualname(units_at(p, number - 1), p), []).append(number)
    mine, theirs = index_units(p), index_units(other)
    out = []
    for key, changed in groups.items():
        if key == "(top level)" or key not in mine or key not in theirs:
            continue
        # A blank line is no place to point at (OpenRefine's job ids, a new user's trial, pointed at
        # one added among a class's fields): the unit's changed code, else the next line of code.
        changed = [n for n in changed if lines[n].strip()] or [_next_code_line(p, changed[0])]
        b, h = (theirs[key], mine[key]) if side == "head" else (mine[key], theirs[key])
        lost = _primitives(b, base) - _primitives(h, head)
        drop = lost & file_drop
        base_units, head_units = (theirs, mine) if side == "head" else (mine, theirs)
        if drop and drop <= _in_removed_units(b, base, base_units, head_units):
            continue  # it went with a method removed whole (airsonic's unused `toISO8601`): nothing left to race
        if drop:
            left = _primitives(h, head)
            gone = ", ".join(f"`{name}`" for name in sorted(drop) if not left[name])
            fewer = ", ".join(f"`{name}`" for name in sorted(drop) if left[name])
            # A unit that still has one of them uses fewer, not none (Geyser's session manager kept
            # its `sessions` ConcurrentHashMap, a new user's trial, session 41).
            said = " and ".join(part for part in (gone and f"no longer uses {gone}", fewer and f"uses fewer {fewer}") if part)
            named = _naming(changed, lines, drop, b) if side == "base" else changed
        if drop and (fields := _went_with_its_state(b, base, h, head, base_units, head_units)):
            # Gone from this file, not proved gone: the red team of session 41 moved the counters to
            # a plain HashMap in another file. Said, as a warning that names the field.
            held = ", ".join(f"`{name}`" for name in fields)
            out.append((named[0], named[-1], "warning",
                        f"`{key}` {said}, removed with {held}, the state it guarded, and every use of it in this file: "
                        "nothing here can race on it now. If that state lives on elsewhere (another file, a library), "
                        "it needs the same guard there: say where it went in the checklist."))
            continue
        if drop:
            out.append((named[0], named[-1], "high",
                        f"`{key}` {said} (and the file has fewer of it): what it protected may now "
                        "race between threads or goroutines."))
            continue
        if lost and (moved := _moved_to(key, lost, base, head, side, mine, theirs)):
            gone, into = moved
            out.append((changed[0], changed[-1], "high",
                        f"`{key}` no longer uses `{gone}`, which `{into}` gained instead: what `{key}` does is no longer "
                        "guarded by it, and may now race between threads or goroutines."))
            continue
        # A class's own gain, not its methods': a method that gained one is its own unit, reported
        # there; the class was told it "now uses `synchronized`" at unchanged methods beside moved
        # ones (Conversations' WebRTC wrapper, a new user's trial, session 37).
        own = getattr(h, "type", None) in CONTAINERS
        gain = (_primitives(h, head, False, own) - _primitives(b, base, False, own)) & file_gain
        # Said on the head side only: a unit whose removed lines alone changed gains nothing, so
        # the head side has changed lines there too, and a base-side "now uses" contradicted
        # itself beside it (nextcloud's upload worker, a new user's trial, session 40).
        if gain and side == "head" and not _only_new_counters(lines, h, gain, head, base):
            named = _naming(changed, lines, gain, h)
            out.append((named[0], named[-1], "warning", _gained(key, gain)))
        if p.language in ("java", "kotlin"):
            before_calls, after_calls = _parallel_calls(b, base), _parallel_calls(h, head)
            if len(before_calls) != len(after_calls):
                more = len(after_calls) > len(before_calls)
                mine_calls = after_calls if side == "head" else before_calls
                where = [line for line in mine_calls if line in lines] or changed
                what = ("now runs a stream in parallel: its lambdas run on the JVM's shared fork-join pool, several "
                        "elements at once and beside every other parallel stream, so what they touch (a collection, "
                        "a counter, a non-thread-safe formatter, a thread-local such as the request or the "
                        "transaction) is shared between threads" if more else
                        "no longer runs a stream in parallel: its work now runs on the calling thread only, one "
                        "element at a time (slower on large inputs, and no longer competing for the shared "
                        "fork-join pool)")
                out.append((where[0], where[-1], "warning", f"`{key}` {what}."))
                continue
        if p.language == "go":
            before = [(t, c) for _, t, c in _channels(b, base)]
            after = [(line, t, c) for line, t, c in _channels(h, head)]
            for index, (line, elem, cap) in enumerate(after):
                if index < len(before) and before[index][0] == elem and before[index][1] != cap:
                    old = before[index][1]
                    severity = "high" if old and not cap else "warning"
                    what = (f"buffered ({old}) to unbuffered: a send now blocks until a receiver takes it"
                            if old and not cap else f"buffer {old or 'none'} to {cap or 'none'}")
                    at = line if side == "head" else changed[0]
                    out.append((at, at, severity, f"`{key}`: the {elem} channel changed from {what}."))
    return out


# --- a lock taken elsewhere, on something else or for longer ------------------------------------

# A call that takes a lock: Go's `mu.Lock()`, an application's locker (`c.locker.LockBranch(ctx,
# repoID, branch, ttl)`), Java's `lock.tryLock(…)`, a semaphore's `acquire()`. Not the calls that
# give one back or ask about one (`Unlock`, `IsLocked`), nor a lock registry's `obtain(key)`: DC361
# reads its key and expiry. A name that says more than the lock API's own (`LockBranch`,
# `AcquireLease`) counts only on a receiver named for a lock (`c.locker`, `semaphore`):
# `s.users.LockAccount(…)` sets a column and `pool.Acquire(ctx)` takes a connection (the red team,
# session 26).
_TAKES_A_LOCK = re.compile(r"^(?:[Tt]ry)?(?:R|r)?[Ll]ock(?![a-z])\w*$|^(?:[Tt]ry)?[Aa]cquire\w*$|^lockInterruptibly$")
_LOCK_API = re.compile(r"^(?:[Tt]ry)?(?:R|r)?[Ll]ock$|^lockInterruptibly$")  # `acquire` is a pool's too (pgxpool)
_LOCK_HOLDER = re.compile(r"(?i)lock|mutex|(?:^|\.)r?mu$|sem|lease|latch")
_CALLS = {"go": ("call_expression", "function", "selector_expression", "field", "operand"),
          "java": ("method_invocation", None, None, "name", "object")}


def _lock_call(n, p: Parsed) -> str | None:
    """The called method's name when ``n`` is a call that takes a lock on some receiver, else None."""
    kind, fn_field, selector, name_field, object_field = _CALLS[p.language]
    if n.type != kind:
        return None
    fn = n.child_by_field_name(fn_field) if fn_field else n
    if fn is None or (selector and fn.type != selector) or fn.child_by_field_name(object_field) is None:
        return None
    name = fn.child_by_field_name(name_field)
    text = p.text(name) if name is not None else ""
    if not _TAKES_A_LOCK.match(text) or text.endswith("ed"):
        return None
    holder = fn.child_by_field_name(object_field)
    return text if _LOCK_API.match(text) or (holder is not None and _LOCK_HOLDER.search(p.text(holder))) else None


def _calls_of(unit, p: Parsed) -> list[tuple[Any, str]]:
    """The unit's calls in source order, each with its text without layout."""
    kind = _CALLS[p.language][0]
    out, stack = [], [unit]
    while stack:
        n = stack.pop()
        if n.type == kind:
            out.append((n, flat(p.text(n))))
        stack.extend(reversed(n.children))
    return out


def lock_calls_changed(p: Parsed, base: Parsed, lines: dict[int, str]) -> list[tuple[int, int, str]]:
    """(first line, last line, message) for each lock of a changed unit of the head ``p`` that its
    unit did not take so on ``base``: on a changed line, another lock, key or duration (harness's
    merge lock made one per target branch, apps-s 828c7abf); on any line, the same lock with
    other calls now under it or before it (harness's merge endpoint, which now locks before it
    reads the commits it merges, apps-s 97c3715a; a call moved across a lock whose own line did
    not change). Go and Java."""
    if p.language not in _CALLS:
        return []
    mine, theirs = index_units(p), index_units(base)
    out: list[tuple[int, int, str]] = []
    done: set[str] = set()
    seen: set[int] = set()  # a lock of a nested function is one of its enclosing unit's calls too
    for number in sorted(lines):
        chain = units_at(p, number - 1)
        key = qualname(chain, p)
        if not chain or key in done or key not in mine or key not in theirs:
            continue
        done.add(key)  # each unit read once, however many of its lines changed
        calls, before = _calls_of(mine[key], p), _calls_of(theirs[key], base)
        head_count, base_count = Counter(t for _, t in calls), Counter(t for _, t in before)
        for call, text in calls:
            first, last = call.start_point[0] + 1, call.end_point[0] + 1
            if first in seen or _lock_call(call, p) is None:
                continue
            seen.add(first)
            shown = p.text(call).split("(")[0]
            changed = any(row in lines for row in range(first, last + 1))
            if changed and base_count[text] < head_count[text]:
                out.append((first, last, (
                    f"`{shown}(…)` in `{key}` takes a lock that the base's `{key}` did not take so (another lock, key, "
                    "scope or duration): what it makes exclusive, and against whom, changed. Say in the checklist "
                    "what runs under it now and what two callers (requests, workers) may still do at once.")))
            elif base_count[text] == head_count[text] == 1 and (
                    moved := _lock_moved(call, text, calls, before, head_count, base_count)):
                # A lock on no changed line is read for a move only: a call moved across it changes
                # what it guards as surely (a rate limiter's bucket lookup moved above its lock).
                where = f"is taken at another point of `{key}`" if changed else f"guards other calls of `{key}`"
                out.append((first, last, (
                    f"`{shown}(…)` {where} than on the base: {moved}. What runs under the lock changed: say in "
                    "the checklist what must not interleave with what it guards.")))
    return out


# --- JS/TS: what runs under a lock the code takes ---------------------------------------------

# A lock a JS/TS server takes around work: Redlock's `redlock.acquire([key], ttl)` and
# `redlock.using([key], ttl, fn)`, async-mutex's `mutex.acquire()`/`mutex.runExclusive(fn)`, an
# application's `…Lock.acquire(…)`. The receiver names a lock (not a pool's `acquire`).
_JS_LOCK_CALLS = frozenset({"acquire", "using", "runExclusive", "lock", "acquireLock"})
_JS_LOCK_HOLDER = re.compile(r"(?i)lock|mutex|sem(?:aphore)?\b")
_JS_RELEASES = frozenset({"release", "unlock", "releaseLock"})
_JS_FUNCTIONS = frozenset({"function_declaration", "method_definition", "arrow_function", "function_expression",
                           "function", "generator_function_declaration"})


def js_work_under_a_lock(p: Parsed, lines: dict[int, str]) -> list[tuple[int, str]]:
    """(line, message) for the first changed line of each function that runs it while holding a
    lock the function takes: what the lock makes exclusive changed (erxes's call-event handler,
    whose find-or-create of a call session runs under a Redlock, apps-q 873cd3cf). The lock's own
    line is DC250's."""
    out: list[tuple[int, str]] = []
    done: set[int] = set()
    locks: dict[int, list[tuple[str, int, int]]] = {}  # each function's locks, read once
    for number in sorted(lines):
        row = number - 1
        node = p.root.named_descendant_for_point_range((row, 0), (row, 0))
        while node is not None and node.type not in _JS_FUNCTIONS:
            node = node.parent
        while node is not None:  # the innermost function with a lock around this row
            if node.id not in done:
                if node.id not in locks:
                    locks[node.id] = _js_locks(node, p)
                shown = next((call for call, first, last in locks[node.id] if first <= row <= last), None)
                if shown is not None:
                    done.add(node.id)
                    out.append((number, _under_a_lock(_function_name(node, p), f"{shown}(…)")))
                    break
            node = node.parent
            while node is not None and node.type not in _JS_FUNCTIONS:
                node = node.parent
    return out


def _under_a_lock(function: str, shown: str) -> str:
    return (f"changed code of `{function}` runs while `{shown}` holds its lock (or semaphore): what it makes "
            "exclusive, or limits, changed. Say in the checklist what two holders (requests, workers, threads, "
            "instances) must not do at once, and whether the changed code can run longer than the lock is held.")


def _js_locks(function, p: Parsed) -> list[tuple[str, int, int]]:
    """The locks ``function`` takes, each as (the call as written, the first and last 0-based rows
    that run holding it)."""
    if not any(name.encode() in p.source[function.start_byte:function.end_byte] for name in _JS_LOCK_CALLS):
        return []
    stack, taken, releases = [function], [], []
    while stack:
        n = stack.pop()
        if n.type in _JS_FUNCTIONS and n.id != function.id and not _callback_of_a_lock(n, p):
            continue  # another function's own work
        if n.type == "call_expression":
            fn = n.child_by_field_name("function")
            if fn is not None and fn.type == "member_expression":
                prop, obj = fn.child_by_field_name("property"), fn.child_by_field_name("object")
                name = p.text(prop) if prop is not None else ""
                holder = p.text(obj).rpartition(".")[2] if obj is not None else ""
                if name in _JS_LOCK_CALLS and _JS_LOCK_HOLDER.search(holder):
                    taken.append(n)
                elif name in _JS_RELEASES and _JS_LOCK_HOLDER.search(holder) and _unconditional(n, function):
                    releases.append(n.start_point[0])  # a lock's, not a pooled client's `release()`
            elif fn is not None and fn.type == "identifier" and p.text(fn) in _JS_RELEASES \
                    and _unconditional(n, function):
                releases.append(n.start_point[0])  # async-mutex's `const release = await mutex.acquire()`
        stack.extend(n.named_children)
    out = []
    for call in taken:
        shown = p.text(call.child_by_field_name("function"))
        args = call.child_by_field_name("arguments")
        callbacks = [a for a in (args.named_children if args is not None else []) if a.type in _JS_FUNCTIONS]
        if callbacks:  # `redlock.using(keys, ttl, async (signal) => …)`, `mutex.runExclusive(…)`
            out += [(shown, cb.start_point[0], cb.end_point[0]) for cb in callbacks]
            continue
        start = call.end_point[0]
        end = min([r for r in releases if r > start] or [function.end_point[0]])
        out.append((shown, start + 1, end - 1))  # after the call, before its release
    return out


def _unconditional(call, function) -> bool:
    """Whether ``call`` runs on every path of ``function`` (not in an `if`, a `switch` or a
    `catch`): a release on an early return leaves the lock held on the other path."""
    return not any(a.type in ("if_statement", "switch_statement", "catch_clause", "ternary_expression")
                   for a in _ancestors(call, function))


def _function_name(function, p: Parsed) -> str:
    """A JS/TS function's name as written (`handleCallEvent`, a method's, a variable's), else
    "the function"."""
    name = js_function_name(function)
    return p.text(name) if name is not None else "the function"


def _callback_of_a_lock(fn, p: Parsed) -> bool:
    """Whether the function ``fn`` is handed to a lock's call (`redlock.using(…, async () => …)`)."""
    call = fn.parent.parent if fn.parent is not None and fn.parent.type == "arguments" else None
    callee = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    prop = callee.child_by_field_name("property") if callee is not None and callee.type == "member_expression" else None
    return prop is not None and p.text(prop) in _JS_LOCK_CALLS


# --- Go, Java, Kotlin: what runs under a lock the code takes ----------------------------------

# The calls that give a lock back, and the callback forms that hold one while they run: mox's
# `acc.WithRLock(func() {…})`, Kotlin's `lock.withLock { … }`, a semaphore's `withPermit { … }`.
_GIVES_BACK = re.compile(r"^(?:R|r)?[Uu]nlock$|^release$")
_HOLDS_WHILE = re.compile(r"^(?:[Ww]ith\w*(?:Lock|Permit)\w*|[Ll]ocked)$")
_KOTLIN_HOLDS = frozenset({"read", "write"})  # ReentrantReadWriteLock's `rw.read { … }`, on a lock's name only
_HOLDERS = frozenset({"synchronized_statement", "call_expression", "method_invocation"})
# Where code runs as a function of its own: a row inside one started later (a goroutine, a task
# handed to an executor, a coroutine launched) does not run under the lock around its start.
_FUNCTION_NODES = frozenset({"function_declaration", "method_declaration", "func_literal", "constructor_declaration",
                             "lambda_expression", "lambda_literal", "anonymous_function", "class_body"})
# Calls that run the function handed to them later or elsewhere: an executor's, a scheduler's, a
# coroutine builder's, a thread's (`scope.launch { … }`, `pool.submit(() -> …)`, `thread { … }`).
_RUNS_LATER = re.compile(r"^(?:submit|execute|invokeAll|invokeAny|schedule\w*|runAsync|supplyAsync|\w+Async|launch|"
                         r"async|thread|Thread|post|postDelayed|runOnUiThread|invokeLater|timer|fixedRateTimer|go|"
                         r"AfterFunc|Go)$")
# Where an unlock does not end the lock for what follows it: a branch that returns (`if !ok {
# mu.Unlock(); return }`), a deferred closure (`defer func() { mu.Unlock() }()`).
_BRANCHES = frozenset({"if_statement", "expression_switch_statement", "type_switch_statement", "select_statement",
                       "switch_expression", "switch_statement", "catch_clause", "communication_case",
                       "expression_case", "default_case", "if_expression", "when_expression", "defer_statement"})


def work_under_a_lock(p: Parsed, lines: dict[int, str], reworded: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """(line, message) for the first changed line of each Go, Java or Kotlin unit that runs it in a
    critical section the code scopes (a `synchronized` block, `mu.Lock()` to its `Unlock()`,
    `withLock { … }`; not a lock held for the whole function: _held_regions), when the lock's own
    line did not change (DC250/DC253
    read that): what the lock makes exclusive changed (jicofo's ICE-restart bookkeeping under its
    session manager's `synchronized(syncRoot)`, mox's pending changes applied in `WithRLock`,
    apps-x; OpenRefine's workspace save in `synchronized (this)`, a new user's trial). A line that
    only logs, or whose change is only in its strings (``reworded``: the removed lines' text with
    strings blanked), guards nothing new."""
    held = _held_regions(p)
    if not held:
        return []
    out: list[tuple[int, str]] = []
    done: set[str] = set()
    for number in sorted(lines):
        row = number - 1
        around = [(shown, head, owner) for shown, head, first, last, owner in held if first <= row <= last]
        if not around or any(head + 1 in lines for _, head, _ in around):
            continue  # the lock's own line changed too: the rules on locks say so
        if blank_strings(lines[number]).strip() in reworded or only_logs(p, row):
            continue
        runs_in = _running_function(p, row)
        holding = [shown for shown, _, owner in around if owner == runs_in]
        if not holding:
            continue  # a goroutine, task or coroutine started under the lock runs without it
        unit = qualname(units_at(p, row), p) or "the code"
        if unit not in done:
            done.add(unit)
            out.append((number, _under_a_lock(unit, holding[-1])))
    return out


_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`|\'(?:[^\'\\\n]|\\.)*\'')


def blank_strings(text: str) -> str:
    return _STRING.sub('""', text)


# Go's conversions (`[]byte(s)`, `string(b)`, `int64(n)`): a value, computed from the argument alone.
_CONVERSION = re.compile(r"^(?:byte|rune|string|bool|u?int(?:8|16|32|64)?|float(?:32|64))$")
_BOUND = re.compile(r"^\s*(?:var\s+|val\s+|final\s+)?(?:[\w<>\[\],.]+\s+)?([A-Za-z_]\w*)\s*(?::=|=)\s*(.+?);?\s*$")


def reworded_lines(removed: dict[int, str]) -> frozenset[str]:
    """The removed lines' text with strings blanked: a head line that matches one changed its
    strings only (an error's or a log's wording). With them, each removed line again with a
    removed local's value written in its place, when that value calls nothing but a library's
    pure helpers (_SAYS_NOTHING): ntfy's `auth := base64.StdEncoding.EncodeToString(…)` inlined
    into `s.basicAuth = …` under its session mutex guards nothing new (apps-i d38c1492)."""
    texts = {blank_strings(t).strip() for t in removed.values()}
    values = []
    for text in removed.values():
        m = _BOUND.match(text)
        if m and "(" in m.group(2) and all(c.startswith(_SAYS_NOTHING) or _CONVERSION.match(c)
                                           for c in re.findall(r"[\w.]+(?=\s*\()", m.group(2))):
            values.append((m.group(1), blank_strings(m.group(2)).strip()))
    inlined = {_inline(t, name, value) for name, value in values for t in texts if re.search(rf"\b{re.escape(name)}\b", t)}
    return frozenset(texts | inlined)


def _inline(text: str, name: str, value: str) -> str:
    """``text`` with the word ``name`` replaced by ``value``, taken as written (no group references)."""
    return re.sub(rf"\b{re.escape(name)}\b", value.replace("\\", "\\\\"), text)


def only_logs(p: Parsed, row: int) -> bool:
    """Whether ``row`` lies in a statement that only logs (``units.is_logging``), however many lines
    its arguments take."""
    from .units import is_logging

    node = _node_at_line_start(p, row)
    while node is not None and node.parent is not None and node.parent.type not in (
            "block", "statements", "statement_list", "function_body", "lambda_literal", "constructor_body",
            "class_body", "source_file", "program"):
        node = node.parent
    return node is not None and is_logging(node, p)


def _node_at_line_start(p: Parsed, row: int):
    """The innermost named node at the first character of line ``row`` that is not blank."""
    text = p.line(row)
    col = len(text) - len(text.lstrip())
    return p.root.named_descendant_for_point_range((row, col), (row, col))


def _running_function(p: Parsed, row: int):
    """The id of the function whose run executes ``row``: the innermost function around it,
    passing through those that run in place (an inline lambda, a callback run before the call
    returns) and stopping at one started later (_RUNS_LATER, a `go` statement)."""
    node = _node_at_line_start(p, row)
    while node is not None:
        if node.type in _FUNCTION_NODES and (
                node.type in ("function_declaration", "method_declaration", "constructor_declaration")
                or _started_later(node, p) or _holds_itself(node, p)):
            return node.id
        node = node.parent
    return None


def _started_later(fn, p: Parsed) -> bool:
    """Whether the function literal ``fn`` is started by a `go` statement or handed to a call that
    runs it later (_RUNS_LATER), or is an anonymous class's body (a `Runnable` handed on)."""
    if fn.type == "class_body":
        return True
    up = fn.parent
    while up is not None and up.type in ("annotated_lambda", "value_argument", "value_arguments", "call_suffix",
                                         "argument_list", "arguments"):
        up = up.parent
    if up is None:
        return False
    if up.type == "go_statement" or (up.type == "call_expression" and up.parent is not None
                                      and up.parent.type == "go_statement"):
        return True
    if up.type in ("call_expression", "method_invocation"):
        name = up.child_by_field_name("name") or up.child_by_field_name("function")
        if name is None and up.named_children:
            name = up.named_children[0]
        called = p.text(name).rsplit(".", 1)[-1] if name is not None else ""
        return _RUNS_LATER.match(called) is not None
    return False


def _holds_itself(fn, p: Parsed) -> bool:
    """Whether the function literal ``fn`` is the callback a lock runs holding it (a region's owner)."""
    return any(owner == fn.id for *_, owner in _held_regions(p))


def _held_regions(p: Parsed) -> list[tuple[str, int, int, int, int]]:
    """(the lock as written, its 0-based row, the first and last rows run holding it, the id of the
    function that runs holding it) for each critical section the file's code scopes, outermost
    first: a `synchronized` block, a lock's callback, a lock taken and given back in the function.
    Not a lock held for a whole function (a `synchronized` method, `mu.Lock(); defer
    mu.Unlock()`): every line of such a function is under it, and on the corpus a change anywhere
    there was mostly routine (docs/design-notes.md, session 31); a scoped section is the author's
    own statement of what must not interleave."""
    if "hazards.held" in p.memo:
        return p.memo["hazards.held"]
    out: list[tuple[str, int, int, int, int]] = []
    for n in sorted(nodes_of(p, _HOLDERS), key=lambda n: (n.start_byte, -n.end_byte)):
        if n.type == "synchronized_statement":  # Java `synchronized (x) { … }`
            body = n.named_children[-1] if n.named_children else None
            owner = _declaring_function(n)
            if body is not None and body.type == "block" and owner is not None:
                out.append((flat(p.text(n)[:p.text(n).find("{")]).strip() or "synchronized", n.start_point[0],
                            body.start_point[0], body.end_point[0], owner.id))
        elif n.type == "call_expression" and p.language == "kotlin":
            out += _kotlin_held(n, p)
        elif n.type == "call_expression" and p.language == "go":
            out += _go_callback_held(n, p)
        if p.language in _CALLS and n.type == _CALLS[p.language][0] and _lock_call(n, p) is not None:
            region = _until_given_back(n, p)
            if region is not None:
                out.append(region)
    p.memo["hazards.held"] = out
    return out


def _declaring_function(node):
    """The function, method or lambda whose body holds ``node``."""
    up = node.parent
    while up is not None and up.type not in _FUNCTION_NODES:
        up = up.parent
    return up


def _kotlin_held(call, p: Parsed) -> list[tuple[str, int, int, int, int]]:
    """Kotlin's `synchronized(x) { … }`, `lock.withLock { … }`, `rw.write { … }`: the lambda's rows."""
    lam = next((c for c in call.named_children if c.type == "annotated_lambda"), None)
    head = call.named_children[0] if call.named_children else None
    if lam is None or head is None:
        return []
    if head.type == "call_expression" and head.named_children and p.text(head.named_children[0]) == "synchronized":
        shown = flat(p.text(head))
    elif head.type == "navigation_expression" and head.named_children:
        name, holder = p.text(head.named_children[-1]).lstrip("."), p.text(head.named_children[0])
        if not (_HOLDS_WHILE.match(name) or name in _KOTLIN_HOLDS and _LOCK_HOLDER.search(holder.rpartition(".")[2])):
            return []
        shown = flat(p.text(head))
    else:
        return []
    body = next((c for c in lam.named_children if c.type == "lambda_literal"), lam)
    return [(shown, call.start_point[0], lam.start_point[0], lam.end_point[0], body.id)]


def _go_callback_held(call, p: Parsed) -> list[tuple[str, int, int, int, int]]:
    """Go's `acc.WithRLock(func() { … })`: the function literal's rows."""
    fn, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
    field = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else None
    if field is None or args is None or not _HOLDS_WHILE.match(p.text(field)):
        return []
    return [(f"{flat(p.text(fn))}(…)", call.start_point[0], a.start_point[0], a.end_point[0], a.id)
            for a in args.named_children if a.type == "func_literal"]


def _until_given_back(call, p: Parsed) -> tuple[str, int, int, int, int] | None:
    """A Go or Java lock taken by a call: the rows after it, to the first call giving the same
    holder's lock back on every path (not one in a branch that returns), or to the end of the
    function; None when it is given back by a deferred call (held for the whole function:
    _held_regions). A `tryLock()` tested in an `if` holds in the branch where it succeeded: the
    `if`'s body, or what follows an `if (!…)`."""
    _kind, fn_field, _selector, _name, object_field = _CALLS[p.language]
    fn = call.child_by_field_name(fn_field) if fn_field else call
    holder = p.text(fn.child_by_field_name(object_field)) if fn is not None else ""
    function = _declaring_function(call)
    if function is None:
        return None
    start, end = call.end_point[0], function.end_point[0]
    condition = _tested_in(call)
    if condition is not None:
        negated, branch = condition
        if negated:
            start = branch.end_point[0]  # held after `if (!lock.tryLock()) { return; }`
        else:
            start, end = branch.start_point[0], branch.end_point[0]
    for n, obj in _unlocks(p):
        if not (function.start_byte <= n.start_byte < function.end_byte) or n.start_point[0] <= start \
                or obj != holder:
            continue
        if any(a.type == "defer_statement" for a in _ancestors(n, function)):
            return None  # held to the function's end: see _held_regions
        if _in_a_branch(n, function) and not _in_a_branch(call, function):
            continue  # `if !ok { mu.Unlock(); return }`: the other path still holds it
        end = min(end, n.start_point[0] - 1)
    return (flat(p.text(call)), call.start_point[0], start + 1, end, function.id) if end > start else None


def _unlocks(p: Parsed) -> list[tuple[Any, str]]:
    """(call, holder as written) for each call of the file that gives a lock back, read once."""
    if "hazards.unlocks" not in p.memo:
        kind, fn_field, _selector, name_field, object_field = _CALLS[p.language]
        out = []
        for n in nodes_of(p, frozenset({kind})):
            f = n.child_by_field_name(fn_field) if fn_field else n
            name = f.child_by_field_name(name_field) if f is not None else None
            obj = f.child_by_field_name(object_field) if f is not None else None
            if name is not None and obj is not None and _GIVES_BACK.match(p.text(name)):
                out.append((n, p.text(obj)))
        p.memo["hazards.unlocks"] = out
    return p.memo["hazards.unlocks"]


def _ancestors(node, stop):
    up = node.parent
    while up is not None and up.id != stop.id:
        yield up
        up = up.parent


def _in_a_branch(node, function) -> bool:
    return any(a.type in _BRANCHES for a in _ancestors(node, function))


def _tested_in(call):
    """(negated, branch) when the lock call is an `if`'s condition (`if (lock.tryLock()) { … }`,
    `if !mu.TryLock() { return }`): the branch that runs holding it, or the one that runs without."""
    up, negated = call.parent, False
    while up is not None and up.type in ("unary_expression", "prefix_expression", "parenthesized_expression",
                                         "condition"):
        negated = negated or _negation(up)
        up = up.parent
    if up is None or up.type not in ("if_statement", "if_expression"):
        return None
    branch = up.child_by_field_name("consequence") or next(
        (c for c in up.named_children if c.type in ("block", "control_structure_body")), None)
    return (negated, branch) if branch is not None else None


def _negation(node) -> bool:
    return node.type in ("unary_expression", "prefix_expression") and node.text.lstrip().startswith(b"!")


# Calls that build an error or a log line, or compute a value from their arguments alone (a
# standard library's encoders, formatters and parsers): moved across a lock, they change nothing it
# guards (ntfy's `base64.StdEncoding.EncodeToString(…)` moved under its session mutex, apps-i).
_SAYS_NOTHING = ("fmt.", "errors.", "log.", "logger.", "LOG.", "String.format", "base64.", "hex.", "strings.",
                 "strconv.", "bytes.", "math.", "sort.", "utf8.", "unicode.", "json.Marshal", "json.Unmarshal",
                 "url.", "path.", "filepath.", "Math.", "Objects.", "Integer.", "Long.", "Arrays.", "String.valueOf")


def _lock_moved(call, own: str, calls: list, before: list, head_count: Counter, base_count: Counter) -> str | None:
    """How the calls that run before the lock ``call`` (its text ``own``) changed, among those both
    sides make once; None if none did (or only errors and log lines moved across it)."""
    common = {t for t in head_count if head_count[t] == 1 and base_count.get(t) == 1} - {own}
    was = next(c for c, t in before if t == own)
    ahead = {t for c, t in calls if c.start_byte < call.start_byte and not _inside(c, call)} & common
    was_ahead = {t for c, t in before if c.start_byte < was.start_byte and not _inside(c, was)} & common
    if ahead == was_ahead:
        return None
    # Named in the head's order, method calls first (a builtin's `append(…)` says little).
    order = {t: i for i, t in reversed(list(enumerate(t for _, t in calls)))}
    ranked = sorted((t for t in was_ahead ^ ahead if not t.startswith(_SAYS_NOTHING)),
                    key=lambda t: ("." not in t.split("(")[0], order.get(t, 0)))
    shown = [f"`{t.split('(')[0]}(…)` now runs {'under it' if t in was_ahead else 'before it'}" for t in ranked[:3]]
    return ", ".join(shown) or None


def _inside(c, call) -> bool:
    return call.start_byte <= c.start_byte and c.end_byte <= call.end_byte


# --- a Go channel's capacity changed where it comes from -------------------------------------


def _go_params(fn, p: Parsed) -> list[str]:
    """A Go function's parameter names, in order (`a, b int` is two)."""
    params = fn.child_by_field_name("parameters")
    return [p.text(c) for decl in (params.named_children if params is not None else ())
            for c in decl.named_children if c.type == "identifier"]


def _go_constants(p: Parsed) -> dict[str, tuple[str, int]]:
    """The file's top-level `const`/`var` names with one value: name -> (value text, line)."""
    out = {}
    for spec in nodes_of(p, frozenset({"const_spec", "var_spec"})):
        names = [c for c in spec.named_children if c.type == "identifier"]
        value = spec.child_by_field_name("value")
        up = spec.parent
        while up is not None and up.type in ("const_declaration", "var_declaration", "var_spec_list"):
            up = up.parent
        if len(names) == 1 and value is not None and value.named_child_count == 1 and up is not None \
                and up.type == "source_file":
            out[p.text(names[0])] = (p.text(value.named_children[0]), spec.start_point[0] + 1)
    return out


def _int_value(text: str) -> str | None:
    """The value of a Go integer constant expression written with literals only (`1 << 10`,
    `32 * 1024`, `1_000`), as decimal text; None for anything else."""
    import ast

    if not re.fullmatch(r"[\d\s+\-*/%<>()_xXa-fA-F]+", text) or not re.search(r"\d", text):
        return None
    try:
        tree = ast.parse(text.replace("/", "//"), mode="eval")
    except SyntaxError:
        return None
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Add, ast.Sub, ast.Mult, ast.FloorDiv,
               ast.Mod, ast.LShift, ast.RShift, ast.USub, ast.UAdd)
    if not all(isinstance(n, allowed) for n in ast.walk(tree)) or any(
            isinstance(n, ast.Constant) and not isinstance(n.value, int) for n in ast.walk(tree)):
        return None
    if any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.LShift) and not (
            isinstance(n.right, ast.Constant) and isinstance(n.right.value, int) and n.right.value <= 64)
           for n in ast.walk(tree)):
        return None  # a shift by an expression, or wider than any Go integer: not computed
    try:
        return str(eval(compile(tree, "<capacity>", "eval"), {"__builtins__": {}}))  # literals and operators only
    except (ArithmeticError, ValueError):
        return None


def _compared(given, p: Parsed, constants: dict[str, tuple[str, int]]) -> tuple[str, str, tuple[int, ...]]:
    """(text as written, text to compare, lines it comes from) of a capacity: a constant's value
    (from the argument's line and the constant's), an integer expression's value, and a parameter
    of the calling function named by its position (`cfg.Size` and `conf.Size` are one when `cfg`
    became `conf`)."""
    text = p.text(given)
    line: tuple[int, ...] = (given.start_point[0] + 1,)
    if text in constants:
        text, declared = constants[text]
        line += (declared,)
    value = _int_value(text)
    if value is not None:
        return text, value, line
    caller = given.parent
    while caller is not None and caller.type not in ("function_declaration", "method_declaration", "func_literal"):
        caller = caller.parent
    params = _go_params(caller, p) if caller is not None and caller.type != "func_literal" else []
    head = re.match(r"[A-Za-z_]\w*", text)
    if head is not None and head.group(0) in params:
        return text, f"${params.index(head.group(0))}" + text[head.end():], line
    return text, flat(text), line


def _capacities(p: Parsed) -> dict[tuple[str, str], list[tuple[str, str, tuple[int, ...]]]]:
    """Per (function or method, element type) of a Go `make(chan T, n)` whose `n` is a parameter
    of its function or a top-level constant: the values it is made with, one step back, in the
    order of the file (``_compared``), and the line each comes from (the call that passes it, the
    constant's declaration)."""
    constants = _go_constants(p)
    units = nodes_of(p, frozenset({"function_declaration", "method_declaration"}))
    calls = nodes_of(p, frozenset({"call_expression"}))
    out: dict[tuple[str, str], list[tuple[str, str, tuple[int, ...]]]] = {}
    for fn in units:
        name = p.text(fn.child_by_field_name("name"))
        params = _go_params(fn, p)
        for _, elem, cap in _channels(fn, p):
            values = out.setdefault((name, elem), [])
            if cap in constants:
                text, line = constants[cap]
                values.append((text, _int_value(text) or flat(text), (line,)))
            elif cap in params:
                index = params.index(cap)
                for call in calls:
                    callee, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
                    called = callee.child_by_field_name("field") if callee is not None and \
                        callee.type == "selector_expression" else callee
                    if called is None or args is None or p.text(called) != name or index >= args.named_child_count:
                        continue
                    values.append(_compared(args.named_children[index], p, constants))
    return out


def capacity_flows(head: Parsed, base: Parsed, lines: dict[int, str]) -> list[tuple[int, str]]:
    """(line, message) for each Go channel whose capacity, followed one step back to the argument
    that fills its function's parameter or to the constant it names, changed on a changed line,
    while the `make` itself did not (answer's mail worker queue, 128 made an environment setting
    with a default of 1024, apps-t e06311a5). With as many callers on both sides, each is compared
    with its own; otherwise a value no caller of the base passed is one."""
    before, out = _capacities(base), []
    for (function, elem), values in _capacities(head).items():
        old = before.get((function, elem), [])
        if not old or not values:
            continue
        pairs = list(zip(values, old)) if len(old) == len(values) else [
            (value, None) for value in values if value[1] not in {was for _, was, _ in old}]
        for (text, compared, origins), was in pairs:
            line = next((n for n in origins if n in lines), None)
            if line is None or (was is not None and was[1] == compared):
                continue
            shown = f"`{was[0]}`" if was is not None else ", ".join(sorted({f"`{w}`" for w, _, _ in old}))
            out.append((line, f"`{text}` (was {shown}) is now the capacity of the `{elem}` that `{function}` makes: when "
                              "it is full, its senders block or drop their work, and more or less work waits in memory, "
                              "lost on a restart."))
            break
    return out
