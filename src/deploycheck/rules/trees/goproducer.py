"""Go code that hands work to a job queue changed (DC715 for Go): the enqueues
``jsproducer.producer_changes`` looks for in Go. asynq's `Enqueue`, machinery's `SendTask…`,
River's `Insert…` in a file importing the library, and a repository's own task queue: a call named
for appending, enqueueing or submitting a task or a job, on an imported package or handed a
function (siyuan's `task.AppendTaskWithTimeout(…)`, apps-q).
"""

from __future__ import annotations

import re

from .machinery import imported_packages
from .parse import Parsed

# (method names, the import path the file must hold, the library): asynq's client, machinery's
# server, River's client.
_GO_LIBRARY_CALLS = (
    (frozenset({"Enqueue", "EnqueueContext"}), b"github.com/hibiken/asynq", "an asynq queue"),
    (frozenset({"SendTask", "SendTaskWithContext", "SendChain", "SendChainWithContext", "SendGroup",
                "SendGroupWithContext", "SendChord", "SendChordWithContext"}), b"RichardKnop/machinery", "a machinery queue"),
    (frozenset({"Insert", "InsertTx", "InsertMany", "InsertManyTx", "InsertManyFast", "InsertManyFastTx"}),
     b"github.com/riverqueue/river", "a River queue"),
)
# A repository's own task queue: a call named for appending, enqueueing or submitting a task or a
# job (siyuan's `task.AppendTaskWithTimeout(action, timeout, fn, args…)`), handed a function.
_GO_OWN_QUEUE = re.compile(r"^(?:Append|Enqueue|Submit|Schedule|Push|Add)\w*(?:Task|Job)\w*$|^Enqueue\w*$")


def go_enqueue(node, p: Parsed) -> str | None:
    """What queue ``node`` (a Go call_expression) hands work to, or None."""
    fn = node.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression":
        return None
    field = fn.child_by_field_name("field")
    name = p.text(field) if field is not None else ""
    for names, imported, library in _GO_LIBRARY_CALLS:
        if name in names and imported in p.source:
            return library
    if not _GO_OWN_QUEUE.match(name):
        return None
    operand, args = fn.child_by_field_name("operand"), node.child_by_field_name("arguments")
    # A package's function (`task.AppendTask…`), or a method handed a function to run later.
    if (operand is not None and p.text(operand) in imported_packages(p)) or (
            args is not None and any(_function_value(a, p) for a in args.named_children)):
        return f"the repository's own task queue (`{p.text(fn)}`)"
    return None


def _function_value(node, p: Parsed) -> bool:
    """A function handed on as a value: a literal, or the name of a function the file declares."""
    if node.type == "func_literal":
        return True
    if node.type != "identifier":
        return False
    name = p.text(node)
    return any(n.type == "function_declaration" and p.text(n.child_by_field_name("name")) == name
               for n in p.root.named_children)
