"""A conditional write's guard changed, in JS/TS ORM calls (DC709).

An update whose filter names a field that the same update sets (Prisma's
`updateMany({ where: { id, status: { not: 'SIGNED' } }, data: { status: 'SIGNED' } })`,
Sequelize's `update({ status }, { where: { id, status: 'pending' } })`) is a compare-and-set: of
two callers that both read the row before, only one changes it; the other matches nothing. When
a function present on both sides writes the same model with a different such guard (one added,
dropped or changed), the outcome of two concurrent calls changes, whether they are jobs or
requests: reported at the write on the head, or on the base when its guarded write is gone.
"""

from __future__ import annotations

from typing import Any

from .parse import Parsed
from .units import all_units, qualname, units_at

_WRITES = frozenset({"update", "updateMany", "updateOne", "updateAll"})


def _keys(node, p: Parsed) -> set[str] | None:
    """The top-level property names of an object literal, or None when ``node`` is not one (or
    spreads another object into it: its keys are unknown)."""
    if node is None or node.type != "object":
        return None
    keys = set()
    for child in node.named_children:
        if child.type == "pair":
            key = child.child_by_field_name("key")
            if key is None:
                return None
            keys.add(p.text(key).strip("'\""))
        elif child.type == "shorthand_property_identifier":
            keys.add(p.text(child))
        elif child.type == "spread_element":
            return None
    return keys


def _value(obj, name: str, p: Parsed):
    for child in obj.named_children if obj is not None and obj.type == "object" else ():
        if child.type == "pair":
            key = child.child_by_field_name("key")
            if key is not None and p.text(key).strip("'\"") == name:
                return child.child_by_field_name("value")
    return None


def _write(node, p: Parsed) -> tuple[str, str, frozenset[str], frozenset[str]] | None:
    """(model, method, guarded fields, fields set) of an ORM update call: the guarded fields are
    those its filter names that its data also sets. None for any other call, or when either side
    of it is not a literal."""
    fn = node.child_by_field_name("function")
    if fn is None or fn.type != "member_expression":
        return None
    prop, obj = fn.child_by_field_name("property"), fn.child_by_field_name("object")
    if prop is None or obj is None or p.text(prop) not in _WRITES:
        return None
    args = node.child_by_field_name("arguments")
    objects = [a for a in args.named_children if a.type == "object"] if args is not None else []
    where = data = None
    if len(objects) == 1 and _value(objects[0], "where", p) is not None:  # Prisma: { where, data }
        where, data = _value(objects[0], "where", p), _value(objects[0], "data", p)
    elif len(objects) == 2 and _value(objects[1], "where", p) is not None:  # Sequelize: (values, { where })
        where, data = _value(objects[1], "where", p), objects[0]
    filtered, written = _keys(where, p), _keys(data, p)
    if filtered is None or written is None:
        return None
    while obj.type == "call_expression":  # `Document.unscoped().update`: the model is `Document`
        inner = obj.child_by_field_name("function")
        if inner is None or inner.type != "member_expression" or inner.child_by_field_name("object") is None:
            return None
        obj = inner.child_by_field_name("object")
    model = p.text(obj).rsplit(".", 1)[-1]
    return model, p.text(prop), frozenset(filtered & written), frozenset(written)


def _writes(p: Parsed) -> dict[tuple[str, str], list[tuple[Any, str, frozenset[str], frozenset[str]]]]:
    """The file's updates by (innermost unit, model): (call node, method, guard, fields set). The
    callback of a `$transaction` belongs to the function that opens it."""
    out: dict[tuple[str, str], list[tuple[Any, str, frozenset[str], frozenset[str]]]] = {}
    stack = [p.root]
    while stack:
        n = stack.pop()
        if n.type == "call_expression":
            found = _write(n, p)
            if found is not None:
                model, method, guard, sets = found
                out.setdefault((qualname(units_at(p, n.start_point[0]), p), model), []).append((n, method, guard, sets))
        stack.extend(n.children)
    return out


def _rows(node) -> range:
    return range(node.start_point[0] + 1, node.end_point[0] + 2)


def _fields(guard: frozenset[str]) -> str:
    return ", ".join(f"`{f}`" for f in sorted(guard))


def guards_changed(head: Parsed, base: Parsed, added: dict[int, str], removed: dict[int, str]) -> list[tuple[str, int, str]]:
    """(side, line, message) for each update on changed lines whose guard differs from those of
    the base's updates of the same model, in the same function, that set any of the same fields
    (the same write, before)."""
    out: list[tuple[str, int, str]] = []
    mine, theirs = _writes(head), _writes(base)
    for key, writes in mine.items():
        model = key[1]
        for call, method, guard, sets in writes:
            before = [g for _, _, g, s in theirs.get(key, []) if s & sets]
            if not before:
                continue  # nothing of the base wrote these fields here: new code, not a changed guard
            if guard in before or not any(r in added for r in _rows(call)):
                continue
            old = _fields(frozenset().union(*before))
            if guard and not any(before):
                message = (f"`{model}.{method}` now writes only where {_fields(guard)} does not already hold what it sets "
                           f"(a compare-and-set); on the base this function's update of `{model}` had no such "
                           "condition. Of two concurrent calls that both read the row before, one now matches "
                           "nothing: say what that caller does then.")
            elif not guard:
                message = (f"`{model}.{method}` no longer checks {old} in its filter before setting it: two concurrent "
                           "calls that both read the row before can now both write it (a lost update, a double "
                           "transition).")
            else:
                message = f"`{model}.{method}` now guards {_fields(guard)} instead of {old}: which of two concurrent calls wins changes."
            out.append(("head", call.start_point[0] + 1, message))
    present = set(all_units(head))  # a guarded write gone with its whole function is judged as removed code
    for key, writes in theirs.items():
        if key in mine:
            continue  # judged above, from the head's writes
        for call, method, guard, _sets in writes:
            if guard and any(r in removed for r in _rows(call)) and key[0] in present:
                out.append(("base", call.start_point[0] + 1,
                            f"`{key[1]}.{method}`, which wrote only where {_fields(guard)} did not already hold what it "
                            "set (a compare-and-set), is gone from this function: two concurrent calls can now both act "
                            "on the row."))
    return out
