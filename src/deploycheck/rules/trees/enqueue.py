"""Work enqueued inside a database transaction, in Ruby and JS/TS (DC708).

A call that hands a job to a queue (Ruby `perform_later`, `perform_async`, `deliver_later`…; JS/TS
`queue.add`, `addBulk`, `enqueue`, `sendToQueue`) inside the block of a transaction (a call whose
name holds `transaction`: `ActiveRecord::Base.transaction`, `with_transaction`, Prisma's
`$transaction`, Sequelize's and TypeORM's `transaction`; Ruby's `with_lock`, which opens one).
A worker may take the job before the transaction commits and not find its rows, or run it
although the transaction rolls back. Python's DC340 reads the same hazard in Python.
"""

from __future__ import annotations

import re
from typing import Any

from .parse import Parsed
from .units import FUNCTIONS, shown_code

_ENQUEUES = {
    "ruby": frozenset({"perform_later", "perform_async", "perform_in", "perform_at", "perform_bulk", "deliver_later",
                       "deliver_later!"}),
    "js": frozenset({"addBulk", "enqueue", "sendToQueue"}),
}
_QUEUE_ADD = re.compile(r"queue", re.IGNORECASE)  # JS `add` only on a receiver named like a queue (not a Set)
_TRANSACTION = re.compile(r"transaction|^with_lock$|^lock!$", re.IGNORECASE)
# Blocks that run after the commit: what they enqueue is what the fix looks like.
_AFTER_COMMIT = re.compile(r"after_commit|after_all_transactions_commit|afterCommit|after_transaction", re.IGNORECASE)


def _call_name(node, p: Parsed) -> tuple[str, str] | None:
    """(receiver text, method name) of a Ruby call or a JS call expression."""
    if node.type == "call":
        method = node.child_by_field_name("method")
        receiver = node.child_by_field_name("receiver")
        return (p.text(receiver) if receiver is not None else "", p.text(method)) if method is not None else None
    if node.type == "call_expression":
        fn = node.child_by_field_name("function")
        if fn is None:
            return None
        if fn.type == "member_expression":
            prop, obj = fn.child_by_field_name("property"), fn.child_by_field_name("object")
            return (p.text(obj) if obj is not None else "", p.text(prop)) if prop is not None else None
        if fn.type == "identifier":
            return "", p.text(fn)
    return None


def _block_of(node):
    """The block or function argument a transaction call runs its body in."""
    for child in node.children:
        if child.type in ("do_block", "block"):
            return child
        if child.type == "arguments":
            for arg in child.named_children:
                if arg.type in ("arrow_function", "function_expression", "function"):
                    return arg
    return None


# ActiveRecord's callbacks that run inside the save's own transaction (`after_update`, not
# `after_update_commit`): Solidus's state-change tracking enqueued its job from `after_update`,
# which a worker could take before the order's row was committed (a new user's trial, session 28).
_SAVE_CALLBACK = re.compile(r"^(?:before|after|around)_(?:save|create|update|destroy)$")


def _is_save_callback(parts: tuple[str, str]) -> bool:
    """Whether a call's (receiver, method) is a model's own save callback: `after_update …`, bare."""
    return not parts[0] and _SAVE_CALLBACK.match(parts[1]) is not None


def _callback_methods(p: Parsed) -> dict[str, tuple]:
    """The methods a Ruby file names in a save callback (`after_update :track_state`), by name,
    with the callback's call and its parts."""
    out: dict[str, tuple] = {}
    stack = [p.root]
    while stack:
        node = stack.pop()
        if node.type == "call" and (parts := _call_name(node, p)) is not None and _is_save_callback(parts):
            arguments = node.child_by_field_name("arguments")
            for arg in arguments.named_children if arguments is not None else ():
                if arg.type == "simple_symbol":
                    out.setdefault(p.text(arg).lstrip(":"), (node, parts))
        stack.extend(node.children)
    return out


def enqueued_in_transaction(p: Parsed, lines: dict[int, str],
                            helpers: dict[str, tuple[str, int, str]] | None = None) -> list[tuple[int, str]]:
    """(line, message) for each enqueue inside a transaction's block, when the enqueue or the
    transaction call is on a changed line. ``helpers``: Ruby methods of the repository whose body
    enqueues (rules/trees/naming.py `producers`), by name, with where that enqueue is. A Ruby
    save callback's block, and a method it names, run inside the save's transaction."""
    family = "ruby" if p.language == "ruby" else "js"
    callbacks = _callback_methods(p) if family == "ruby" else {}
    out: list[tuple[int, str]] = []
    stack: list[tuple[Any, tuple | None]] = [(p.root, None)]
    while stack:
        node, tx = stack.pop()
        if node.type == "method" and tx is None and (named := node.child_by_field_name("name")) is not None \
                and p.text(named) in callbacks:
            stack.extend((child, callbacks[p.text(named)]) for child in node.children)
            continue
        parts = _call_name(node, p)
        if parts is not None and _AFTER_COMMIT.search(parts[1]):
            continue  # what runs after the commit is the safe place
        if parts is not None and tx is None and (_TRANSACTION.search(parts[1]) or (
                family == "ruby" and _is_save_callback(parts))):
            block = _block_of(node)
            if block is not None:
                for child in node.children:  # the body is the block (Ruby) or inside the arguments (JS)
                    holds = child.start_byte <= block.start_byte and block.end_byte <= child.end_byte
                    stack.append((child, (node, parts) if holds else None))
                continue
        if parts is not None and tx is not None:
            receiver, method = parts
            helper = (helpers or {}).get(method) if node.type == "call" else None
            if method in _ENQUEUES[family] or (family == "js" and method == "add" and _QUEUE_ADD.search(receiver)) \
                    or helper is not None:
                line, tx_line = node.start_point[0] + 1, tx[0].start_point[0] + 1
                if line in lines or tx_line in lines:
                    name = f"{receiver}.{method}" if receiver else method
                    through = f" (through {helper[0]}:{helper[1]}: `{shown_code(helper[2])}`)" if helper is not None \
                        and method not in _ENQUEUES[family] else ""
                    out.append((line, f"`{name}` enqueues work{through} inside a transaction (`{tx[1][1]}`, line "
                                      f"{tx_line}): a worker can take it before the transaction commits and not find "
                                      "its rows, or run it although the transaction rolls back. Enqueue after the "
                                      "commit, or, when the queue is stored in the same database (good_job, "
                                      "solid_queue, que, pg-boss), say so in the checklist."))
        if node.type in FUNCTIONS and node.type not in ("block", "do_block", "arrow_function", "function_expression") \
                and tx is not None:
            continue  # a method defined inside the block runs when it is called, not here
        stack.extend((child, tx) for child in node.children)
    return out
