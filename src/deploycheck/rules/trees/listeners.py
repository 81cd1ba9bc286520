"""JS/TS: an event handler that now runs for every event where it ran for the first only, or the
other way round (DC719).

`socket.once('error', onError)` becomes `socket.on('error', onError)`: Haraka's outbound delivery
(apps-ag ea039e911e) let a second socket error, one after a timeout, reach the handler that
releases and retries the delivery, where the first had already done so. The reverse leaves the
second event with no handler: a second `'error'` with no listener ends a Node process. Both are
one word on one line, and each changes how often code runs that was written to run once (or to
run every time). A registration is keyed by its receiver and its event, within its function; it
is reported when its function on the base registered the same key only the other way.
"""

from __future__ import annotations

from .parse import Parsed, walk
from .units import all_units, qualname, shown_name, units_at

# EventEmitter's registrations, by how often the handler runs.
_EVERY = {"on", "addListener", "prependListener"}
_FIRST = {"once", "prependOnceListener"}


def _registrations(p: Parsed, root) -> dict[tuple[str, str], set[bool]]:
    """(receiver, event) -> {whether once} for each `R.on('e', …)`/`R.once('e', …)` under ``root``."""
    out: dict[tuple[str, str], set[bool]] = {}
    for node in walk(root):
        key = _key(node, p)
        if key is not None:
            out.setdefault(key[:2], set()).add(key[2])
    return out


def _key(node, p: Parsed) -> tuple[str, str, bool] | None:
    """(receiver, event, once) of a registration call with a string event, else None."""
    if node.type != "call_expression":
        return None
    callee = node.child_by_field_name("function")
    args = node.child_by_field_name("arguments")
    if callee is None or args is None or callee.type != "member_expression":
        return None
    method = callee.child_by_field_name("property")
    receiver = callee.child_by_field_name("object")
    if method is None or receiver is None:
        return None
    name = p.text(method)
    if name not in _EVERY and name not in _FIRST:
        return None
    first = next((a for a in args.named_children if a.type != "comment"), None)
    if first is None or first.type not in ("string", "template_string"):
        return None
    return " ".join(p.text(receiver).split()), p.text(first)[1:-1], name in _FIRST


def listener_changes(p: Parsed, base: Parsed, code_rows: set[int]) -> list[tuple[int, str]]:
    """(line, message) for each registration on a changed code line of ``p`` whose function on
    ``base`` registered the same receiver's same event only with the other multiplicity."""
    base_units = all_units(base)
    seen: dict[int, dict[tuple[str, str], set[bool]]] = {}
    out: list[tuple[int, str]] = []
    for node in walk(p.root):
        if node.type != "call_expression" or node.start_point[0] + 1 not in code_rows:
            continue
        key = _key(node, p)
        if key is None:
            continue
        receiver, event, once = key
        chain = units_at(p, node.start_point[0])
        held = base_units.get(qualname(chain, p), []) if chain else [base.root]
        before: set[bool] = set()
        for unit in held:
            # Read once per base unit: a Socket.IO file's hundreds of handlers in one callback
            # walked the whole base once each (the red team of session 40: 3 s -> 34 s).
            if unit.id not in seen:
                seen[unit.id] = _registrations(base, unit)
            before |= seen[unit.id].get((receiver, event), set())
        if not before or once in before:
            continue  # new, or registered this way before too
        where = f" in `{shown_name(chain, p)}`" if chain else ""
        if once:
            message = (f"`{receiver}`'s `'{event}'` handler{where} now runs for the first event only, where it ran for "
                       "every one: a second event finds no handler (a second `'error'` with no listener ends a Node "
                       "process). Check that nothing can emit it twice (a timeout and an error, a retry).")
        else:
            message = (f"`{receiver}`'s `'{event}'` handler{where} now runs for every event, where it ran for the "
                       "first only: code written to run once (a release, a retry, a count, a reply) can run again "
                       "when two events arrive (an error after a timeout). Check that it is safe to run twice.")
        out.append((node.start_point[0] + 1, message))
    return out
