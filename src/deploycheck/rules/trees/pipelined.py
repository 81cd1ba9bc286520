"""JS/TS: a call that waited in a promise continuation now runs before the promise settles (DC707).

Per function present on both sides: a call (by its callee's text, ``this._sendNext``) that the
base made only inside a callback given to ``.then``/``.catch``/``.finally`` of that function and
the head makes outside any such callback. The work it starts (the next send, the next job, the
next poll) no longer waits for the current one: several are in flight at once, and state both
touch (a queue of unconfirmed messages, a cursor, a counter) is now used concurrently, while the
code around it may still assume one at a time (``list.shift()`` on completion takes the oldest,
not the one that completed).
"""

from __future__ import annotations

from collections import Counter

from .parse import Parsed
from .units import FUNCTIONS, index_units, is_logging, qualname, units_at

_CONTINUATIONS = {"then", "catch", "finally"}
_CALLBACKS = {"arrow_function", "function_expression", "function"}


def _in_continuation(node, unit, p: Parsed) -> bool:
    """Whether ``node`` sits in a callback passed to ``.then``/``.catch``/``.finally`` inside ``unit``."""
    n = node.parent
    while n is not None and n.id != unit.id:
        if n.type in _CALLBACKS and n.parent is not None and n.parent.type == "arguments":
            call = n.parent.parent
            fn = call.child_by_field_name("function") if call is not None else None
            prop = fn.child_by_field_name("property") if fn is not None and fn.type == "member_expression" else None
            if prop is not None and p.text(prop) in _CONTINUATIONS:
                return True
        n = n.parent
    return False


def _calls(unit, p: Parsed) -> tuple[Counter, Counter, dict[str, list[int]]]:
    """(calls inside continuations, calls outside, 1-based lines of the calls outside) by callee."""
    inside, outside, lines = Counter[str](), Counter[str](), dict[str, list[int]]()
    stack = list(unit.children)
    while stack:
        n = stack.pop()
        if n.type in FUNCTIONS and n.type not in _CALLBACKS:
            continue  # a nested method or declaration is its own unit
        if n.type == "call_expression" and not is_logging(n, p):
            fn = n.child_by_field_name("function")
            callee = p.text(fn) if fn is not None else ""
            if callee and "\n" not in callee and fn.type in ("member_expression", "identifier"):
                if _in_continuation(n, unit, p):
                    inside[callee] += 1
                else:
                    outside[callee] += 1
                    lines.setdefault(callee, []).append(n.start_point[0] + 1)
        stack.extend(n.children)
    return inside, outside, lines


def pipelined(head: Parsed, base: Parsed, lines: dict[int, str]) -> list[tuple[int, str]]:
    """(head line, message) for each call that moved out of a promise continuation."""
    groups: dict[str, list[int]] = {}
    for number in sorted(lines):
        chain = units_at(head, number - 1)
        if chain:
            groups.setdefault(qualname(chain, head), []).append(number)
    if not groups:
        return []
    mine, theirs = index_units(head), index_units(base)
    out = []
    for key in groups:
        if key not in mine or key not in theirs:
            continue
        b_in, b_out, _ = _calls(theirs[key], base)
        h_in, h_out, h_lines = _calls(mine[key], head)
        for callee, count in b_in.items():
            if b_out[callee] or h_in[callee] >= count or not h_out[callee]:
                continue
            at = [line for line in h_lines[callee] if line in lines]
            if at:
                out.append((at[0], f"`{callee}(…)` ran only once a promise of `{key}` had settled (in `.then`/`.catch`), "
                                   "and now runs before it does: what it does (take the next item, start the next piece "
                                   "of work, update shared state) now happens while the current work is in flight, and "
                                   "code that assumed one at a time (`pending.shift()` on completion, a counter, a "
                                   "cursor) may now see several."))
    return out
