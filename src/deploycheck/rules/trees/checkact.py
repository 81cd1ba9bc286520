"""Check-then-act in Ruby and JS/TS, read from the tree (DC705).

In one function: a call that checks whether a row exists (Ruby `exists?`, `find_by`, `where(…)
.any?`, …; JS/TS `findOne`, `findFirst`, `findUnique`, `findOneBy`, `findByPk`, `findById`,
`count`, `exists`) and, later in the same function, a call that creates or saves one through the
same receiver (`Model.create!`, `prisma.user.create`, or `save` on a variable assigned from
`Model.new`/`build`). Two workers can both see "absent" and both create. Ruby's read-or-create
of a `has_one` association too (`user.profile || user.create_profile!`, `… unless user.profile`).
Reported at the act, when the check or the act is on a changed line, and only when the base did
not already check, then act, alike in the same function: an edit beside a race that was there is
not one the change makes (erxes's login handler lost its debug logging, apps-q).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Container

from .jvm import in_synchronized
from .parse import Parsed, walk
from .units import FUNCTIONS, qualname, units_at

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


class _Every:
    """Every line of a file, as the changed lines: what the base already did."""

    def __contains__(self, line: object) -> bool:
        return True


Finder = Callable[[Parsed, Container[int]], list[tuple[int, str]]]


def new_in_head(find: Finder, p: Parsed, lines: Container[int],
                base_of: Callable[[], Parsed | None]) -> list[tuple[int, str]]:
    """``find``'s findings on the head's changed ``lines`` beyond those the base (parsed only when
    there are some) already had in the same function (its name and the message's words, line
    numbers aside), as many times: a second pair in a method, or a new route's handler at the top
    level beside an old one, is the change's."""
    found = find(p, lines)
    base = base_of() if found else None
    if base is None:
        return found

    def key(q: Parsed, line: int, message: str) -> tuple[str, str]:
        return qualname(units_at(q, line - 1), q), re.sub(r"line \d+", "line", message)

    before = Counter(key(base, line, message) for line, message in find(base, _Every()))
    after = Counter(key(p, line, message) for line, message in find(p, _Every()))
    out = []
    for line, message in found:
        k = key(p, line, message)
        if after[k] > before[k] or _decided_anew(p, lines, _check_line(message), line):
            out.append((line, message))
    return out


def _check_line(message: str) -> int | None:
    """The line of the check a finding's message names (``(line 12)``, ``line 12 reads``)."""
    check = re.search(r"line (\d+)", message)
    return int(check.group(1)) if check else None


def check_then_act(p: Parsed, lines: Container[int]) -> list[tuple[int, str]]:
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
        elif family == "ruby" and n.type in ("binary", "operator_assignment", *_MODIFIERS, "if", "unless"):
            found = _association_or_create(n, p, lines) if n.type in ("binary", "operator_assignment") \
                else _created_unless_present(n, p, lines)
            if found is not None and found[0] not in seen:
                seen.add(found[0])
                out.append(found)
        stack.extend(n.children)
    return out


_BRANCHING = {"if_statement", "if", "unless", "elsif", "conditional", "ternary_expression"}
_MODIFIERS = {"if_modifier": True, "unless_modifier": False}  # Ruby's `x if c` / `x unless c`
_ARMS = {"when", "else", "switch_case", "switch_default"}  # a `case`'s or a `switch`'s arms
_LEAVES = {"return", "return_statement", "throw_statement", "next", "break", "break_statement", "continue_statement"}


# Statements that decide whether the act is reached: changed between the check and the act, they
# change the check-then-act itself, though the two calls are the base's (usesend's sign-up moved
# its refusal of a missing email inside the locked check, apps-f).
# Statements only: a ternary inside a logging call's argument decides nothing (erxes's login
# handler logged `account ? account._id : null` between its lookup and its creation, apps-q).
_DECIDING = (_BRANCHING - {"conditional", "ternary_expression"}) | _LEAVES | {
    "else_clause", "else", "switch_statement", "case", "try_statement", "catch_clause", "rescue", "begin",
    "unless_modifier", "if_modifier"}


def _decided_anew(p: Parsed, lines: Container[int], check: int | None, act: int) -> bool:
    """Whether a changed line between the ``check`` and the ``act`` opens a statement that decides
    whether the act runs (also after a closing brace: `} else if (…) {`, `} catch (e) {`)."""
    if check is None:
        return False
    for number in range(check + 1, act):
        text = p.line(number - 1)
        if number not in lines or not text.strip():
            continue
        row, start = number - 1, len(text) - len(text.lstrip())
        stack = [p.root.descendant_for_point_range((row, start), (row, len(text.rstrip())))]
        node = stack[0].parent
        while node is not None and node.start_point[0] == row:  # a statement the line opens, around it
            stack.append(node)
            node = node.parent
        while stack:
            n = stack.pop()
            if n.start_point[0] == row and n.type in _DECIDING:
                return True
            stack.extend(c for c in n.children if c.start_point[0] <= row <= c.end_point[0])
    return False


def _branches(node, p: Parsed) -> set[tuple[str, bool]]:
    """(condition's text, which branch) of each `if` (ternary, `unless`, a modifier) around
    ``node``, outside their conditions: True for the branch that runs when the condition holds."""
    out = set()
    child, parent = node, node.parent
    while parent is not None:
        condition = parent.child_by_field_name("condition")
        if parent.type in _BRANCHING and condition is not None:
            for field, holds in (("consequence", True), ("alternative", False)):
                branch = parent.child_by_field_name(field)
                if branch is not None and branch.id == child.id:
                    out.add((p.text(condition), holds != (parent.type == "unless")))
        elif parent.type in _MODIFIERS and condition is not None and condition.id != child.id:
            out.add((p.text(condition), _MODIFIERS[parent.type]))
        child, parent = parent, parent.parent
    return out


def _arms(node) -> dict[int, int]:
    """The `case`/`switch` around ``node``: its id, with the id of the arm ``node`` is in."""
    out = {}
    child, parent = node, node.parent
    while parent is not None:
        if child.type in _ARMS:
            out[parent.id] = child.id
        child, parent = parent, parent.parent
    return out


def _left_early(check, act) -> bool:
    """Whether ``check`` sits in an `if`'s branch that ends by leaving (`return`, `throw`, Ruby's
    `raise`, `next`…) and ``act`` comes after that `if`, not in it: only one of them runs
    (tianji's save written with an early return)."""
    child, parent = check, check.parent
    while parent is not None:
        condition = parent.child_by_field_name("condition")
        if parent.type in _BRANCHING and condition is not None and child.id != condition.id \
                and not parent.start_byte <= act.start_byte < parent.end_byte:
            statements = [c for c in child.named_children if c.type != "comment"] or [child]
            last = statements[-1]
            if last.type in _LEAVES or re.match(rb"(?:raise|fail)\b", last.text or b""):
                return True
        child, parent = parent, parent.parent
    return False


def _exclusive(a, b, p: Parsed) -> bool:
    """Whether only one of ``a`` and ``b`` runs: they sit in opposite branches of one `if`, or of
    two `if`s on the same condition (tianji's `if (input.id)` lookup, then `if (input.id) … else
    create`), in two arms of one `case`/`switch`, or ``a`` in a branch that leaves before ``b``."""
    theirs = _branches(b, p)
    if any((condition, not holds) in theirs for condition, holds in _branches(a, p)):
        return True
    arms_b = _arms(b)
    if any(case in arms_b and arms_b[case] != arm for case, arm in _arms(a).items()):
        return True
    return _left_early(a, b)


# A save of what was built: `.save`, `.save!`, `tap(&:save!)` (not a name holding "save").
_SAVES = re.compile(r"(?:\.|&:)save!?(?!\w)")


def _read_then_created(owner: str, association: str, method: str) -> str:
    return (f"`{owner}.{association}` is read, and `{owner}.{method}` creates it when there is none, in a separate "
            "step: two workers or requests can both read none and both create one.")


def _association_or_create(n, p: Parsed, lines: Container[int]) -> tuple[int, str] | None:
    """Ruby's read-or-create of a `has_one` association in one expression: `user.profile ||
    user.create_profile!(…)`, `user.queue || user.build_queue.tap(&:save!)` (summer-of-making's
    admin refill), `user.settings ||= …`. Two requests both read none and both create one."""
    left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
    operator = n.child_by_field_name("operator")
    if left is None or right is None or left.type != "call" or p.text(operator) not in ("||", "||="):
        return None
    recv, name = left.child_by_field_name("receiver"), left.child_by_field_name("method")
    if recv is None or name is None or left.child_by_field_name("arguments") is not None:
        return None
    owner, association = p.text(recv), p.text(name)
    for call in walk(right):
        if call.type != "call" or call.child_by_field_name("receiver") is None:
            continue
        method = p.text(call.child_by_field_name("method"))
        if p.text(call.child_by_field_name("receiver")) != owner:
            continue
        creates = method in (f"create_{association}", f"create_{association}!")
        if not creates and not (method == f"build_{association}" and _SAVES.search(p.text(right))):
            continue
        line = call.start_point[0] + 1
        if line in lines or left.start_point[0] + 1 in lines:
            return line, _read_then_created(owner, association, method)
        return None
    return None


def _created_unless_present(n, p: Parsed, lines: Container[int]) -> tuple[int, str] | None:
    """The statement form of the read-or-create: `user.create_profile! unless user.profile`,
    `… if user.profile.nil?` (or in an `if`/`unless` block)."""
    condition = n.child_by_field_name("condition")
    if condition is None:
        return None
    body = [c for c in n.children if c.id != condition.id]
    for part in body:
        for call in walk(part):
            if call.type != "call" or call.child_by_field_name("receiver") is None:
                continue
            m = re.fullmatch(r"create_(\w+?)!?", p.text(call.child_by_field_name("method")))
            owner = p.text(call.child_by_field_name("receiver"))
            if m is None or not re.search(rf"(?<![\w.]){re.escape(owner)}\.{m.group(1)}(?!\w)", p.text(condition)):
                continue
            line = call.start_point[0] + 1
            if line in lines or condition.start_point[0] + 1 in lines:
                return line, _read_then_created(owner, m.group(1), p.text(call.child_by_field_name("method")))
            return None
    return None


def _in_function(fn, p: Parsed, lines, checks, acts, seen) -> list[tuple[int, str]]:
    calls, aliases = [], {}
    stack = [fn]
    while stack:
        n = stack.pop()
        if n is not fn and n.type in FUNCTIONS and n.type not in ("block", "do_block"):
            continue  # a nested function is judged on its own
        parts = _call_parts(n, p)
        if parts is not None:
            calls.append((n.start_byte, n.start_point[0] + 1, parts, n))
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
    calls.sort(key=lambda c: c[0])
    out = []
    for index, (_, line, (root, method), check) in enumerate(calls):
        if method not in checks:
            continue
        for _, act_line, (act_root, act), act_node in calls[index + 1 :]:
            if act not in acts or aliases.get(act_root, act_root) != root or act_line in seen:
                continue
            if _exclusive(check, act_node, p):
                continue  # an update's lookup in one branch, a creation in the other (tianji's save)
            if act.startswith("save") and act_root not in aliases:
                continue  # saving a row that was read is an update (DC350/DC351), not a creation
            if line in lines or act_line in lines:
                seen.add(act_line)
                out.append((act_line, f"`{root}.{method}` (line {line}) checks, then `{act_root}.{act}` acts "
                                      "in a separate step: two workers can both pass the check and both write."))
            break
    return out


# --- Java: a concurrent map's entry read, then put -------------------------------------------

# A field declared as, or built from, a concurrent map: each of its calls is atomic, so its author
# meant it to be shared by threads, but a `get`/`containsKey` then a `put` of the same key is two
# calls another thread can come between (streampark's checkpoint-failure counters, reset by a
# `put` after a `get` found none or an old one). `computeIfAbsent`, `compute`, `merge` and
# `putIfAbsent` do it in one.
_CONCURRENT_MAP = ("ConcurrentHashMap", "ConcurrentMap", "ConcurrentSkipListMap")


def concurrent_map_check_then_put(p: Parsed, lines: Container[int]) -> list[tuple[int, str]]:
    """(line of the put, message) for each Java method that reads a concurrent map field's entry
    and later puts the same key, outside `synchronized`, when the read or the put is changed."""
    fields = _concurrent_map_fields(p)
    if not fields:
        return []
    out = []
    for method in _nodes(p.root, "method_declaration"):
        body = method.child_by_field_name("body")
        if body is None or in_synchronized(body):  # the method itself is `synchronized`
            continue
        reads: dict[tuple[str, str], int] = {}
        for call in _nodes(body, "method_invocation"):
            obj, name, args = (call.child_by_field_name(f) for f in ("object", "name", "arguments"))
            if obj is None or name is None or args is None or not args.named_children or in_synchronized(call):
                continue
            field = p.text(obj).removeprefix("this.")
            if field not in fields:
                continue
            key = (field, p.text(args.named_children[0]))
            line = call.start_point[0] + 1
            if p.text(name) in ("get", "containsKey", "getOrDefault"):
                reads.setdefault(key, line)
            elif p.text(name) == "put" and key in reads and (line in lines or reads[key] in lines):
                out.append((line, f"`{field}` is a concurrent map shared by threads: line {reads[key]} reads the "
                                  f"entry for `{key[1]}` and this `put` writes it in a separate call, so two threads "
                                  "can both read the old entry and the second `put` discards the first's (use "
                                  "`compute`, `computeIfAbsent` or `merge`)."))
                del reads[key]
    return sorted(out)


# --- Java: an entity's field checked, then set and the entity written --------------------------

# The calls that write an entity back (Spring Data's `save`, JPA's `merge`/`persist`, a service's
# or DAO's `update(context, entity)`, MyBatis-Plus's `updateById`).
_WRITES_ENTITY = frozenset({"save", "saveAndFlush", "update", "merge", "persist", "updateById", "store"})
_GETTER = re.compile(r"^(?:get|is)([A-Z]\w*)$")


def guarded_field_write(p: Parsed, lines: Container[int]) -> list[tuple[int, str]]:
    """(line of the `if`, message) for each Java `if` whose condition reads an entity's field
    through its getter (`ePerson.getSessionSalt()`) and whose body sets that field
    (`ePerson.setSessionSalt(…)`) and writes the entity back (`ePersonService.update(context,
    ePerson)`), outside `synchronized`, when the `if`, the setter or the write is changed: two
    requests or workers that read the row at once both pass the check and both write (DSpace's
    session salt, generated when blank at every short-lived token, apps-s 3286162d)."""
    out = []
    for branch in _nodes(p.root, "if_statement"):
        condition, body = branch.child_by_field_name("condition"), branch.child_by_field_name("consequence")
        if condition is None or body is None or in_synchronized(branch):
            continue
        read = {}
        for call in _nodes(condition, "method_invocation"):
            key = _getter(call, p)
            if key is not None:
                read[key] = call
        # A getter's value kept in a local first (`String salt = e.getSessionSalt(); if (isBlank(salt))`).
        idents = _nodes(condition, "identifier")
        kept_getters = _kept_getters(branch, p) if idents else {}
        for ident in idents:
            kept = kept_getters.get(p.text(ident))
            if kept is not None:
                read.setdefault(kept[0], kept[1])
        if not read:
            continue
        calls = _nodes(body, "method_invocation")
        for call in calls:
            obj, name = call.child_by_field_name("object"), call.child_by_field_name("name")
            if obj is None or name is None or not p.text(name).startswith("set"):
                continue
            key = (p.text(obj), p.text(name)[3:])
            if key not in read:
                continue
            write = next((c for c in calls if c.start_byte > call.start_byte and _writes(c, key[0], p)), None)
            rows = {branch.start_point[0] + 1, call.start_point[0] + 1} | ({write.start_point[0] + 1} if write else set())
            if write is None or not any(row in lines for row in rows):
                continue
            out.append((branch.start_point[0] + 1, (
                f"`{key[0]}.{p.text(read[key].child_by_field_name('name'))}()` is checked here, "
                f"then `{key[0]}.{p.text(name)}(…)` (line {call.start_point[0] + 1}) and `{p.text(write).split('(')[0]}(…)` (line {write.start_point[0] + 1}) "
                "write the row in a separate step: two requests or workers that read it at once both pass the check and "
                "both write, the last one's value winning. Hold a row lock or a version (`@Version`), or write "
                "conditionally (`… where the field is still unset`).")))
            break
    return sorted(out)


def _getter(call, p: Parsed) -> tuple[str, str] | None:
    """(entity, field) of a getter call on a variable (`ePerson.getSessionSalt()`), else None."""
    obj, name, args = (call.child_by_field_name(f) for f in ("object", "name", "arguments"))
    m = _GETTER.match(p.text(name)) if name is not None else None
    if m and obj is not None and obj.type == "identifier" and args is not None and not args.named_children:
        return p.text(obj), m.group(1)
    return None


def _kept_getters(branch, p: Parsed) -> dict[str, tuple[tuple[str, str], object]]:
    """The locals of the method around ``branch`` declared from a getter, before it: name ->
    ((entity, field), the getter call)."""
    method = branch.parent
    while method is not None and method.type not in ("method_declaration", "constructor_declaration"):
        method = method.parent
    out: dict[str, tuple[tuple[str, str], object]] = {}
    for decl in _nodes(method, "variable_declarator") if method is not None else ():
        name, value = decl.child_by_field_name("name"), decl.child_by_field_name("value")
        if decl.start_byte < branch.start_byte and name is not None and value is not None \
                and value.type == "method_invocation" and (key := _getter(value, p)) is not None:
            out[p.text(name)] = (key, value)
    return out


def _writes(call, entity: str, p: Parsed) -> bool:
    """Whether ``call`` writes ``entity`` back: a write method handed it (`service.update(ctx, e)`)."""
    name, args = call.child_by_field_name("name"), call.child_by_field_name("arguments")
    return name is not None and p.text(name) in _WRITES_ENTITY and args is not None and any(
        a.type == "identifier" and p.text(a) == entity for a in args.named_children)


def _concurrent_map_fields(p: Parsed) -> set[str]:
    out = set()
    for field in _nodes(p.root, "field_declaration"):
        if any(kind in p.text(field) for kind in _CONCURRENT_MAP):
            for declarator in field.children_by_field_name("declarator"):
                name = declarator.child_by_field_name("name")
                if name is not None:
                    out.add(p.text(name))
    return out


def _nodes(root, kind: str) -> list:
    """The nodes of ``kind`` under ``root``, in source order."""
    return sorted((n for n in walk(root) if n.type == kind), key=lambda n: n.start_byte)


# --- Go: a boolean existence check that skips the write, then the write ------------------------------

# A check named for what it asks (`HasRecentDuplicate`, `UserExists`, sqlc's `AlertLog_HasRecent…`),
# its result a boolean that an `if` then tests to leave or skip, and a later call that writes
# (`s.LogTx(…)`, `repo.Create(…)`, `q.InsertUser(…)`): goalert's alert log checked for a recent
# duplicate entry in one statement and inserted in another (apps-x 835e68a2). The names carry the
# meaning in Go, where no ORM call says "exists".
_GO_CHECK = re.compile(r"^(?:Has|Exists?|Is\w*(?:Exists?|Present|Taken|Duplicate))(?:[A-Z_]|$)|[a-z](?:Exists?|Present)$")
_GO_ACT = re.compile(r"^(?:Insert|Create|Add|Save|Log|Write|Put|Upsert|Append|Store|Register|Record)(?:[A-Z_]|Tx|$)")
_GO_NOT_ACTORS = frozenset({"log", "logger", "fmt", "errors", "slog", "zap", "zerolog", "t", "b", "l", "lg"})


def _go_called(call, p: Parsed) -> tuple[str, str] | None:
    """(receiver text, name) of a Go call; the name's last `_` part for sqlc's `Table_Query`."""
    fn = call.child_by_field_name("function")
    if fn is None:
        return None
    if fn.type == "selector_expression":
        field, operand = fn.child_by_field_name("field"), fn.child_by_field_name("operand")
        if field is None or operand is None:
            return None
        return p.text(operand), p.text(field).rpartition("_")[2]
    return ("", p.text(fn).rpartition("_")[2]) if fn.type == "identifier" else None


def _tests_err(node, p: Parsed) -> bool:
    """Whether ``node`` lies in an `if` body whose condition tests an error (`if err != nil`)."""
    up = node.parent
    while up is not None and up.type not in ("function_declaration", "method_declaration", "func_literal"):
        if up.type == "if_statement":
            cond = up.child_by_field_name("condition")
            if cond is not None and re.search(r"\berr\w*\b", p.text(cond)):
                return True
        up = up.parent
    return False


def go_check_then_act(p: Parsed, lines: Container[int]) -> list[tuple[int, str]]:
    """(line of the act, message) for each Go existence check whose boolean an `if` then tests,
    followed later in the same function by a call that writes."""
    out: list[tuple[int, str]] = []
    for fn in (n for n in walk(p.root) if n.type in ("function_declaration", "method_declaration", "func_literal")):
        body = fn.child_by_field_name("body")
        if body is None:
            continue
        calls = []
        stack = [body]
        while stack:
            n = stack.pop()
            if n.type == "func_literal":
                continue  # judged on its own
            if n.type == "call_expression":
                calls.append(n)
            stack.extend(n.children)
        calls.sort(key=lambda c: c.start_byte)
        for index, check in enumerate(calls):
            parts = _go_called(check, p)
            if parts is None or not _GO_CHECK.search(parts[1]):
                continue
            held = _go_bool_held(check, p)
            tested = _go_tested_later(body, held, check.end_byte, p) if held is not None else None
            if tested is None:
                continue
            for act in calls[index + 1:]:
                named = _go_called(act, p)
                if act.start_byte < tested or named is None or not _GO_ACT.search(named[1]) \
                        or named[0].split(".")[0].lower() in _GO_NOT_ACTORS or _tests_err(act, p):
                    continue
                check_line, act_line = check.start_point[0] + 1, act.start_point[0] + 1
                if check_line in lines or act_line in lines:
                    shown = lambda c: " ".join(p.text(c.child_by_field_name("function")).split())  # noqa: E731
                    out.append((act_line, f"`{shown(check)}` (line {check_line}) checks, then `{shown(act)}` acts "
                                          "in a separate step: two workers can both pass the check and both write."))
                break
    return out


def _go_bool_held(call, p: Parsed) -> str | None:
    """The variable a Go call's first result is assigned to (`has, err := q.Has…(…)`)."""
    up = call.parent
    if up is not None and up.type == "expression_list":
        up = up.parent
    if up is None or up.type not in ("short_var_declaration", "assignment_statement"):
        return None
    left = up.child_by_field_name("left")
    first = left.named_children[0] if left is not None and left.named_children else None
    return p.text(first) if first is not None and first.type == "identifier" and p.text(first) != "_" else None


def _go_tested_later(body, name: str, after: int, p: Parsed) -> int | None:
    """The end of the first `if` after byte ``after`` whose condition is ``name``: found, so skip
    the write (goalert's `if hasRecent { return }`). Not `if !exists { return … }`: a parent row
    required before another is written (miniflux's feed checked before an entry is inserted into
    it, apps-c) is a precondition, no duplicate."""
    for n in walk(body):
        if n.type == "if_statement" and n.start_byte >= after:
            cond = n.child_by_field_name("condition")
            if cond is not None and p.text(cond).strip() == name:
                return n.end_byte
    return None
