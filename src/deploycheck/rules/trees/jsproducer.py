"""JS/TS code that hands work to a job queue changed (DC715 for JavaScript and TypeScript).

The consumer's code is read by DC701; this module reads the producer, in any file: a changed
line that enqueues through a job library's own call (BullMQ's and Bull's `queue.add`, pg-boss's
`boss.send`, graphile-worker's `addJob`, Agenda's `agenda.now`, amqplib's `sendToQueue`, a
kafkajs producer's `send`), where its unit did not hold that same call on the base. What the job
runs with (its payload, queue, attempts, delay) is decided on that line, and a new one is one
more place that starts the job. Receivers are told by name (a `…Queue`, a `…boss`, `agenda`, a
`…producer`): the library's object is rarely typed where it is used. ``producer_changes`` takes
the language's finder of enqueues: Go's is rules/trees/goproducer.py's.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from .parse import Parsed, js_callee, walk
from .producer import flat
from .units import all_units, qualname, shown_name, units_at

# (method names, what the receiver's name must contain, the library) for a member call.
_MEMBER_CALLS = (
    (frozenset({"add", "addBulk"}), re.compile(r"queue", re.I), "a BullMQ/Bull queue"),
    (frozenset({"add", "addBulk"}), re.compile(r"flow", re.I), "a BullMQ flow"),
    (frozenset({"send", "sendAfter", "sendThrottled", "sendDebounced", "sendOnce", "sendSingleton", "insert"}),
     re.compile(r"boss", re.I), "a pg-boss queue"),
    (frozenset({"publish"}), re.compile(r"channel", re.I), "a RabbitMQ exchange (amqplib)"),
    (frozenset({"now", "schedule", "every"}), re.compile(r"^(?:this\.)?agenda$", re.I), "Agenda"),
    (frozenset({"sendToQueue"}), re.compile(r""), "a RabbitMQ queue (amqplib)"),
    (frozenset({"send", "sendBatch"}), re.compile(r"producer", re.I), "a Kafka topic (kafkajs)"),
    # trigger.dev's `tasks.trigger(id, payload, options)` and a task's own `myTask.trigger(payload)`,
    # in a file that imports its SDK (_SDK_NEEDED); Inngest's `inngest.send({ name, data })`.
    (frozenset({"trigger", "batchTrigger", "triggerAndWait", "batchTriggerAndWait", "triggerAndPoll"}),
     re.compile(r"tasks?$", re.I), "a trigger.dev task"),
    (frozenset({"send"}), re.compile(r"inngest", re.I), "an Inngest event"),
)
# Libraries whose calls count only in a file that imports their SDK (a jQuery `$task.trigger`).
_SDK_NEEDED = {"a trigger.dev task": re.compile(rb"""['"]@trigger\.dev/(?:sdk|core)(?:/[\w.-]+)?['"]""")}
# Calls whose own name says they enqueue (graphile-worker's, and wrappers keeping its name).
_NAMED_CALLS = {"addJob": "a graphile-worker queue", "quickAddJob": "a graphile-worker queue"}


def _enqueue(node, p: Parsed) -> str | None:
    """What queue ``node`` (a call_expression) hands work to, or None."""
    fn = js_callee(node)
    if fn is None:
        return None
    if fn.type == "identifier":
        return _NAMED_CALLS.get(p.text(fn))
    if fn.type != "member_expression":
        return None
    prop, obj = fn.child_by_field_name("property"), fn.child_by_field_name("object")
    if prop is None or obj is None:
        return None
    name, receiver = p.text(prop), p.text(obj)
    if name in _NAMED_CALLS:
        return _NAMED_CALLS[name]
    receiver_name = receiver.rpartition(".")[2] if name not in ("now", "schedule", "every") else receiver
    for names, holder, library in _MEMBER_CALLS:
        if name in names and holder.search(receiver_name) and not _in_memory(receiver_name, p) and (
                library not in _SDK_NEEDED or _SDK_NEEDED[library].search(p.source)
                or _imported(receiver_name, p)):  # a task of the project, imported (`digestTask.trigger`)
            return library
    return None


# The job libraries' classes a producer is built from (BullMQ's, Bull's, bee-queue's, pg-boss's).
_QUEUE_CLASSES = frozenset({"Queue", "QueuePro", "FlowProducer", "FlowProducerPro", "Bull", "BullQueue", "BeeQueue",
                            "PgBoss"})
# p-queue (an in-process concurrency limit) imported, and no job library: a `….add` runs a promise.
_P_QUEUE = re.compile(rb"""(?:from\s*|require\(\s*)['"]p-queue['"]""")
_JOB_LIBRARY = re.compile(rb"""(?:from\s*|require\(\s*)['"](?:bullmq|bull|bee-queue|pg-boss|graphile-worker)['"]""")


def _imported(name: str, p: Parsed) -> bool:
    """Whether the module imports ``name`` (a `…Task` defined by the project's trigger.dev code)."""
    return name.endswith("Task") and re.search(
        rb"\bimport\s*(?:type\s+)?\{[^}]*\b" + re.escape(name.encode()) + rb"\b[^}]*\}\s*from", p.source) is not None


def _in_memory(name: str, p: Parsed) -> bool:
    """Whether the file binds ``name`` to an in-process collection or promise queue (`const queue
    = new Set()`, `this.queue = []`, p-queue's `new PQueue(…)`): its `add` enqueues no job."""
    if not re.fullmatch(r"[A-Za-z_$][\w$]*", name):
        return False
    if _P_QUEUE.search(p.source) and not _JOB_LIBRARY.search(p.source):
        return True
    bound = re.compile(rb"(?:\b|\.)" + re.escape(name.encode()) + rb"\s*(?::[^=\n]*)?=\s*(?:new\s+([\w$.]+)|\[)")
    made = [m.group(1) for m in bound.finditer(p.source)]
    # Bound here to an array, or built from a class that is no job library's queue (a `Set`,
    # p-queue's `PQueue`, BullMQ's own `AsyncFifoQueue`): an in-process collection.
    return bool(made) and all(m is None or m.decode().rpartition(".")[2] not in _QUEUE_CLASSES for m in made)


def _flat(text: str) -> str:
    """A call's text without layout: whitespace and a formatter's trailing commas (Prettier 3)."""
    return re.sub(r",(?=[)\]}])", "", flat(text))


# Statements and expressions whose condition decides whether what they hold runs.
_CONDITIONAL = frozenset({"if_statement", "ternary_expression", "conditional_expression"})


def _guards(node, p: Parsed) -> tuple[tuple[str, bool], ...]:
    """The conditions ``node`` runs under, outermost first: (the condition without layout, whether
    ``node`` is in its `else`). An enqueue that gained or lost one (siyuan's embed index task, now
    queued only when asked, apps-q) starts the job in other cases than before."""
    out = []
    child, n = node, node.parent
    while n is not None:
        if n.type in _CONDITIONAL:
            condition = n.child_by_field_name("condition")
            if condition is not None and child.id != condition.id:
                other = n.child_by_field_name("alternative")
                out.append((_flat(p.text(condition)), other is not None and other.start_byte <= child.start_byte < other.end_byte))
        child, n = n, n.parent
    return tuple(reversed(out))


def _innermost_condition(node):
    n = node.parent
    while n is not None and n.type not in _CONDITIONAL:
        n = n.parent
    return n if n is not None else node


Finder = Callable[[Any, Parsed], "str | None"]


def producer_changes(p: Parsed, base: Parsed | None, code_rows: set[int],
                     enqueue: Finder = _enqueue) -> list[tuple[int, int, str]]:
    """(first line, last line, message) for each enqueue (a call ``enqueue`` names a queue for) on
    a changed code line of the head ``p`` that its unit (or, at the top level, the file) did not
    hold on the base ``base`` as often, under the same conditions."""
    base_units = all_units(base) if base is not None else {}
    out: dict[int, tuple[int, int, str]] = {}
    calls = [(n, enqueue(n, p)) for n in walk(p.root) if n.type == "call_expression"]
    calls = [(n, library) for n, library in calls if library is not None]

    def count(where: Parsed, scope: list, key: tuple, guarded: bool = True) -> int:
        """How many enqueue calls written as ``key`` says (text without layout, conditions) ``scope``
        (units of ``where``) holds; ``guarded=False``: whatever their conditions."""
        return sum(1 for unit in scope for n in walk(unit) if n.type == "call_expression"
                   and _flat(where.text(n)) == key[0] and (not guarded or _guards(n, where) == key[1])
                   and enqueue(n, where) is not None)

    for node, library in calls:
        first, last = node.start_point[0] + 1, node.end_point[0] + 1
        if not any(row in code_rows for row in range(first, last + 1)) or first in out:
            continue
        chain = units_at(p, node.start_point[0])
        call = (_flat(p.text(node)), _guards(node, p))
        if base is not None:
            key = qualname(chain, p)
            # The same call as often as before in its function (the file, outside named ones):
            # moved, re-indented or re-wrapped, not new. One more of it (a new route that repeats
            # an enqueue) is one more place that starts the job.
            mine = [u for u in all_units(p).get(key, []) if u.start_point[0] <= node.start_point[0] <= u.end_point[0]] \
                if chain else [p.root]
            theirs = base_units.get(key, []) if chain else [base.root]
            if count(base, theirs, call) >= count(p, mine[:1] or [p.root], call):
                continue
            if call[1] and count(base, theirs, call, False) >= count(p, mine[:1] or [p.root], call, False):
                first = _innermost_condition(node).start_point[0] + 1  # the same call, under another condition
        where = f"`{shown_name(chain, p)}`" if chain else "code outside any named function (a route's handler, a script)"
        callee = p.text(node.child_by_field_name("function"))
        out[first] = (first, last, (
            f"`{callee}(…)` hands work to {library}, new or changed in {where} (or now under other conditions): the "
            "job runs with what this line gives it (its payload, queue, attempts, delay), and a new one is one more "
            "place that starts it. Say in the checklist whether the job and the runs already queued accept it (a "
            "lock, a uniqueness key, a debounce)."))
    return [out[row] for row in sorted(out)]
