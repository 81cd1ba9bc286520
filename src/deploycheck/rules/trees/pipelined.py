"""JS/TS: work that waited for other work now runs beside it (DC707).

Per function present on both sides: a call (by its callee's text, ``this._sendNext``) that the
base made only inside a callback given to ``.then``/``.catch``/``.finally`` of that function and
the head makes outside any such callback. The work it starts (the next send, the next job, the
next poll) no longer waits for the current one: several are in flight at once, and state both
touch (a queue of unconfirmed messages, a cursor, a counter) is now used concurrently, while the
code around it may still assume one at a time (``list.shift()`` on completion takes the oldest,
not the one that completed).

And in any server file: calls a function's base awaited one after another, now run at once by a
`Promise.all` (``awaits_at_once``), when two writes run at once (two get-or-creates of one row).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from .parse import Parsed, walk
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


# --- awaits made one after another, now at once (`Promise.all`) ---------------------------------

_AT_ONCE = frozenset({"Promise.all", "Promise.allSettled"})
# A callee named for a write, a hand-off or a get-or-create: what two of them at once can race
# on (the same row created twice, events emitted out of order). Reads (`getAccount`, `toJsonLd`)
# run at once harmlessly, as far as a name can tell.
_WRITES = re.compile(
    r"^(?:create|insert|update|upsert|save|ensure|set|put|delete|remove|destroy|emit|increment|decrement|add"
    r"|write|store|sync|record|publish|send|process|handle|enqueue|push|mark|claim|assign|register|apply|import"
    r"|migrate|commit|persist|append|lock|release|acquire|transfer|charge|refund|reserve|consume|ack|notify"
    r"|dispatch|trigger|run|exec|follow|unfollow|like|unlike|link|unlink|attach|detach|move|rename|merge)"
    r"(?![a-z])")


def _combinator(call, p: Parsed) -> bool:
    fn = call.child_by_field_name("function")
    return fn is not None and p.text(fn) in _AT_ONCE


def _under_combinator(node, unit, p: Parsed) -> bool:
    return any(n.type == "call_expression" and _combinator(n, p) for n in _ancestors(node, unit))


def _awaited_in_turn(unit, p: Parsed) -> set[str]:
    """Callees the unit's body awaits one statement at a time (`await this.save(x)`, also in a
    loop), not inside a `Promise.all` nor a callback handed to a call (`forEach(async …)` does not
    wait); a function the unit returns is its body still (`(deps) => async function handle(…)`)."""
    found: set[str] = set()
    stack = list(unit.children)
    while stack:
        n = stack.pop()
        if n.type in FUNCTIONS and n.parent is not None and n.parent.type == "arguments":
            continue
        if n.type == "await_expression" and n.named_children and n.named_children[0].type == "call_expression":
            fn = n.named_children[0].child_by_field_name("function")
            if fn is not None and "\n" not in p.text(fn) and not _under_combinator(n, unit, p):
                found.add(p.text(fn))
        stack.extend(n.children)
    return found


def _run_at_once(args, p: Parsed) -> list[tuple[Any, str, int]]:
    """(node, callee, runs) for each call a combinator's arguments make: a call inside a callback
    (`ids.map((id) => save(id))`) or a function handed to `map` by name (`ids.map(save)`) runs once
    per item, so twice at least; a dynamic `import()` loads a module and writes nothing."""
    out = []
    for n in walk(args):
        if n.type != "call_expression":
            continue
        fn = n.child_by_field_name("function")
        callee = p.text(fn) if fn is not None else ""
        if not callee or callee == "import" or "\n" in callee:
            continue
        repeated = any(a.type in _CALLBACKS for a in _ancestors(n, args))
        out.append((n, callee, 2 if repeated else 1))
        if fn is not None and fn.type == "member_expression" and p.text(fn.child_by_field_name("property")) == "map":
            given = n.child_by_field_name("arguments")
            first = given.named_children[0] if given is not None and given.named_children else None
            if first is not None and first.type in ("identifier", "member_expression"):
                out.append((first, p.text(first), 2))  # `contacts.map(upsertContact)`
    return out


def _ancestors(node, top):
    n = node.parent
    while n is not None and n.id != top.id:
        yield n
        n = n.parent


def _a_write(callee: str) -> bool:
    name = callee.rpartition(".")[2]
    return _WRITES.match(name[:1].lower() + name[1:]) is not None


def awaits_at_once(head: Parsed, base: Parsed, lines: dict[int, str]) -> list[tuple[int, str]]:
    """(head line, message) for each `Promise.all`/`allSettled` that now runs at once a call its
    function's base awaited one after another, on a changed line, beside at least one more write
    (or itself once per item): what two writes at once can race on. A call's name tells a write
    (``_WRITES``). ActivityPub's inbox handlers resolved two accounts with a get-or-create each in
    turn, then at once (a new user's trial, session 38)."""
    units: tuple[dict, dict] | None = None  # both sides' units, indexed once a combinator is on a changed line
    out = []
    for node in walk(head.root):
        if node.type != "call_expression" or not _combinator(node, head):
            continue
        args = node.child_by_field_name("arguments")
        if args is None:
            continue
        changed = node.start_point[0] + 1 in lines
        calls = _run_at_once(args, head)
        if not changed and not any(n.start_point[0] + 1 in lines for n, _, _ in calls):
            continue
        chain = units_at(head, node.start_point[0])
        key = qualname(chain, head) if chain else None
        mine, theirs = units = units or (index_units(head), index_units(base))
        if key is None or key not in mine or key not in theirs:
            continue
        before = _awaited_in_turn(theirs[key], base)
        moved = sorted({callee for n, callee, _ in calls if callee in before and _a_write(callee)
                        and (changed or n.start_point[0] + 1 in lines)})
        writes = sum(runs for _, callee, runs in calls if _a_write(callee))
        if moved and writes >= 2:
            named = " and ".join(f"`{c}(…)`" for c in moved)
            fn = head.text(node.child_by_field_name("function"))
            out.append((node.start_point[0] + 1, (
                f"`{fn}` now runs {named} at once with other writes, where `{key}` awaited "
                f"{'them' if len(moved) > 1 else 'it'} one call after another "
                "on the base: what they write (the same row got or created twice, a counter, the order of events) "
                "now overlaps, and code after them that assumed one had finished first may see both in flight.")))
    return sorted(out)
