"""A unit whose only change is the name of one or more of its local variables, renamed
consistently (fider's job runner: `waitMs` became `wait`, a linter's suggestion): the same
code runs.

Read on the token level: both units have the same tokens but for some identifiers, and those
form a one-to-one renaming in which every renamed name is declared in the unit on both sides
(a parameter, `:=`, `var`, `const`/`let`, a Java local, a Ruby assignment; not a Kotlin
function's parameter, which a caller may name) and never stands
where its text is itself meaningful (a struct literal's key, a keyword argument's name). A name
that is also read unrenamed anywhere in the unit breaks the one-to-one renaming, so a new name
that captures an outer one is never taken for a rename. Every other occurrence of a renamed name
must lie where one of its declarations is seen (inside the block around it, after it): a name
declared in a nested function or block and also read outside it, or read before its declaration
(Ruby's method call, Go's package variable), names something outside the unit there. Names read
by their text are kept unrenamed: a JS shorthand property `{ x }`, Ruby's `f(x:)`, Kotlin's
`"$x"`; and a unit that reads its locals by name (`binding`, `eval`) proves nothing.
"""

from __future__ import annotations

import re

from .parse import Parsed

_IDENTIFIERS = frozenset({"identifier", "simple_identifier"})
# Where a name is declared: the node that declares it, and the field of that node (None: any
# direct child) that holds the name. Go's `a, b := …` holds its names in an expression list.
_BINDERS = {
    "short_var_declaration": "left", "var_spec": "name", "const_spec": "name", "parameter_declaration": "name",
    "variadic_parameter_declaration": "name", "range_clause": "left",
    "variable_declarator": "name", "required_parameter": "pattern", "optional_parameter": "pattern",
    "formal_parameters": None, "formal_parameter": "name", "catch_formal_parameter": "name",
    "catch_clause": "parameter", "for_in_statement": "left",
    "assignment": "left", "method_parameters": None, "block_parameters": None, "lambda_parameters": None,
    "variable_declaration": None, "lambda_parameter": None,
}
# A variable read by its text, not by an identifier: renamed with the local, it would read another.
_TEXT_NAMES = frozenset({"shorthand_property_identifier", "shorthand_property_identifier_pattern"})
# Reading the unit's locals by name: a template rendered with Ruby's `binding`, JS's `eval`.
_BY_NAME = frozenset({"binding", "local_variables", "local_variable_get", "eval"})
_KOTLIN_TEMPLATE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# Where a declaration is seen: the nearest enclosing node of one of these kinds (a block, a
# function, an if/for/catch), never narrower than the language's rule, sometimes wider
# (Ruby's and JS var's function scope is read as the block's: no proof, never a false one).
_SCOPE_WORDS = ("block", "body", "func", "method", "lambda", "closure", "arrow", "for", "if", "catch",
                "switch", "case", "clause", "then", "else", "do", "while", "program", "source_file",
                "constructor", "class", "begin", "rescue", "ensure", "when", "unless", "until")
# A loop's header, not its scope: Go's `for i := 0; …` is seen in the whole for statement.
_HEADERS = frozenset({"for_clause", "range_clause"})
# Binders that enclose what sees their names: JS `catch (e) {…}`, `for (const x of xs) {…}`.
_ENCLOSING = frozenset({"catch_clause", "for_in_statement"})


def _leaves(node, p: Parsed) -> list:
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if "comment" in n.type:
            continue
        if n.child_count == 0:
            out.append(n)
            continue
        stack.extend(reversed(n.children))
    return out


def _held(n) -> tuple:
    """The node a declaration of ``n`` would be (its parent, or the parent of Go's `a, b :=` list)
    and the node that holds the name there."""
    parent = n.parent
    if parent is not None and parent.type in ("expression_list", "identifier_list", "pattern_list"):
        return parent.parent, parent
    return parent, n


def _binder(n) -> tuple | None:
    """The node that declares ``n`` and the node holding its name, or None."""
    return _held(n) if _declares(n) else None


def _scope(binder, holder, unit) -> tuple:
    """The node inside which a declaration is seen, and the byte from which it is."""
    if binder.type in _ENCLOSING:
        return binder, holder.end_byte
    scope = binder.parent
    while scope is not None and scope.id != unit.id and not (
            any(word in scope.type for word in _SCOPE_WORDS) and scope.type not in _HEADERS
            and "parameter" not in scope.type and "argument" not in scope.type):
        scope = scope.parent
    return (scope if scope is not None else unit), binder.end_byte


def _seen(leaves: list, name: str, p: Parsed, unit) -> bool:
    """Whether every occurrence of ``name`` in the unit is a declaration of it or lies where
    one of them is seen."""
    mine = [n for n in leaves if n.type in _IDENTIFIERS and p.text(n) == name]
    scopes = []
    for n in mine:
        if (found := _binder(n)) is not None:
            scopes.append(_scope(found[0], found[1], unit))
    return all(_binder(n) is not None or any(
        scope.start_byte <= n.start_byte and n.end_byte <= scope.end_byte and n.start_byte >= start
        for scope, start in scopes) for n in mine)


def _read_by_text(node, leaves: list, p: Parsed) -> set[str]:
    """Names the unit reads by their text: they must stay what they are."""
    out = {p.text(n) for n in leaves if n.type in _TEXT_NAMES}
    # Ruby 3.1's `f(x:)`: the key alone passes the local `x`.
    out |= {p.text(n) for n in leaves if n.type == "hash_key_symbol" and n.parent is not None
            and n.parent.type == "pair" and n.parent.named_child_count == 1}
    if p.language == "kotlin":
        stack = [node]
        while stack:
            n = stack.pop()
            if "string_literal" in n.type:
                out |= set(_KOTLIN_TEMPLATE.findall(p.text(n)))
            else:
                stack.extend(n.children)
    return out


def _declares(n) -> bool:
    parent, holder = _held(n)
    if parent is None or parent.type not in _BINDERS:
        return False
    if parent.type in ("required_parameter", "optional_parameter") and any(
            c.type in ("accessibility_modifier", "readonly", "override_modifier") for c in parent.children):
        return False  # `constructor(private wait: number)` declares a field of the class too
    field = _BINDERS[parent.type]
    return field is None or (parent.child_by_field_name(field) is not None
                             and parent.child_by_field_name(field).id == holder.id)


def _keyed(n) -> bool:
    """A name whose text the code means: a struct literal's key, a named argument's name."""
    parent = n.parent
    if parent is not None and parent.type == "literal_element":
        element = parent.parent
        return element is not None and element.type == "keyed_element" and element.named_children[0].id == parent.id
    if parent is not None and parent.type == "value_argument":
        return n.next_sibling is not None and n.next_sibling.type == "="
    return False


def renamed_locals(base, base_p: Parsed, head, head_p: Parsed) -> bool:
    """Whether ``head`` is ``base`` with some local variables renamed one to one."""
    before, after = _leaves(base, base_p), _leaves(head, head_p)
    if len(before) != len(after):
        return False
    forward: dict[str, str] = {}
    backward: dict[str, str] = {}
    renamed: list[tuple] = []
    for a, b in zip(before, after):
        x, y = base_p.text(a), head_p.text(b)
        if a.type != b.type or (a.type not in _IDENTIFIERS and x != y):
            return False
        if a.type not in _IDENTIFIERS:
            continue
        # Every identifier, renamed or not, is one pair of the renaming: a name read unrenamed
        # somewhere and renamed elsewhere is two variables, not one renamed.
        if forward.setdefault(x, y) != y or backward.setdefault(y, x) != x:
            return False
        if x != y:
            renamed.append((a, b))
    if not renamed or any(_keyed(a) or _keyed(b) for a, b in renamed):
        return False
    if any(p.text(n) in _BY_NAME for leaves, p in ((before, base_p), (after, head_p))
           for n in leaves if n.type in _IDENTIFIERS):
        return False
    for x in _read_by_text(base, before, base_p) | _read_by_text(head, after, head_p):
        if forward.get(x, x) != x or backward.get(x, x) != x:
            return False
    pairs = {(base_p.text(a), head_p.text(b)) for a, b in renamed}
    if base_p.language == "ruby" and base.type in ("block", "do_block", "lambda"):
        # A Ruby block's `x = …` assigns the enclosing method's `x` when it has one (a closure):
        # in a block read alone, only its parameters are surely its own.
        params = {base_p.text(a) for a in before if a.type in _IDENTIFIERS and (found := _binder(a)) is not None
                  and found[0].type != "assignment"}
        if any(x not in params for x, _ in pairs):
            return False
    if not all(_seen(before, x, base_p, base) and _seen(after, y, head_p, head) for x, y in pairs):
        return False
    declared = {(base_p.text(a), head_p.text(b)) for a, b in renamed if _declares(a) and _declares(b)}
    return all((base_p.text(a), head_p.text(b)) in declared for a, b in renamed)
