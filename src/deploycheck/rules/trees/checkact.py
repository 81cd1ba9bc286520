"""Check-then-act in Ruby and JS/TS, read from the tree (DC705).

In one function: a call that checks whether a row exists (Ruby `exists?`, `find_by`, `where(…)
.any?`, …; JS/TS `findOne`, `findFirst`, `findUnique`, `findOneBy`, `findByPk`, `findById`,
`count`, `exists`) and, later in the same function, a call that creates or saves one through the
same receiver (`Model.create!`, `prisma.user.create`, or `save` on a variable assigned from
`Model.new`/`build`). Two workers can both see "absent" and both create. Reported at the act, when the
check or the act is on a changed line.
"""

from __future__ import annotations

from .parse import Parsed
from .units import FUNCTIONS

_CHECKS = {
    "ruby": {"exists?", "exist?", "find_by", "any?", "present?", "none?", "empty?", "blank?", "count", "first",
             "find_by_id", "size"},
    "js": {"findOne", "findFirst", "findUnique", "findOneBy", "findByPk", "findById", "count", "exists", "exist",
           "countBy", "findOneOrFail"},
}
_ACTS = {
    "ruby": {"create", "create!", "insert", "insert!", "save", "save!"},
    "js": {"create", "insert", "insertOne", "save", "createOne"},
}
_NEW = {"new", "build"}


def _family(language: str) -> str:
    return "ruby" if language == "ruby" else "js"


def _call_parts(node, p: Parsed) -> tuple[str, str] | None:
    """(receiver root, method) of a call: ``Sub.where(x).exists?`` -> ("Sub", "exists?")."""
    if node.type == "call":
        method, recv = node.child_by_field_name("method"), node.child_by_field_name("receiver")
        if method is None or recv is None:
            return None
        while recv is not None and recv.type == "call" and recv.child_by_field_name("receiver") is not None:
            recv = recv.child_by_field_name("receiver")
        return p.text(recv), p.text(method)
    if node.type == "call_expression":
        fn = node.child_by_field_name("function")
        if fn is None or fn.type != "member_expression":
            return None
        prop, obj = fn.child_by_field_name("property"), fn.child_by_field_name("object")
        if prop is None or obj is None:
            return None
        return p.text(obj).replace("?.", ".").replace("this.", ""), p.text(prop)
    return None


def check_then_act(p: Parsed, lines: dict[int, str]) -> list[tuple[int, str]]:
    """(line of the act, message) for each check followed by an act on the same receiver."""
    family = _family(p.language)
    checks, acts = _CHECKS[family], _ACTS[family]
    out: list[tuple[int, str]] = []
    seen: set[int] = set()
    stack = [p.root]
    while stack:
        n = stack.pop()
        if n.type in FUNCTIONS and n.type not in ("block", "do_block"):
            out += _in_function(n, p, lines, checks, acts, seen)
        stack.extend(n.children)
    return out


def _in_function(fn, p: Parsed, lines, checks, acts, seen) -> list[tuple[int, str]]:
    calls, aliases = [], {}
    stack = [fn]
    while stack:
        n = stack.pop()
        if n is not fn and n.type in FUNCTIONS and n.type not in ("block", "do_block"):
            continue  # a nested function is judged on its own
        parts = _call_parts(n, p)
        if parts is not None:
            calls.append((n.start_byte, n.start_point[0] + 1, parts))
        if n.type in ("assignment", "variable_declarator"):
            left = n.child_by_field_name("left") or n.child_by_field_name("name")
            right = n.child_by_field_name("right") or n.child_by_field_name("value")
            if left is not None and right is not None:
                while right.type in ("await_expression",) and right.named_child_count:
                    right = right.named_children[0]
                made = _call_parts(right, p)
                if made is not None and made[1] in _NEW:
                    aliases[p.text(left)] = made[0]
        stack.extend(n.children)
    calls.sort()
    out = []
    for index, (_, line, (root, method)) in enumerate(calls):
        if method not in checks:
            continue
        for _, act_line, (act_root, act) in calls[index + 1 :]:
            if act not in acts or aliases.get(act_root, act_root) != root or act_line in seen:
                continue
            if act.startswith("save") and act_root not in aliases:
                continue  # saving a row that was read is an update (DC350/DC351), not a creation
            if line in lines or act_line in lines:
                seen.add(act_line)
                out.append((act_line, f"`{root}.{method}` (line {line}) checks, then `{act_root}.{act}` acts "
                                      "in a separate step: two workers can both pass the check and both write."))
            break
    return out
