"""A unit whose only change is the name of one or more of its local variables, renamed
consistently (fider's job runner: `waitMs` became `wait`, a linter's suggestion): the same
code runs.

Read on the token level: both units have the same tokens but for some identifiers, and those
form a one-to-one renaming in which every renamed name is declared in the unit on both sides
(a parameter, `:=`, `var`, `const`/`let`, a Java local, a Ruby assignment; not a Kotlin
function's parameter, which a caller may name) and never stands
where its text is itself meaningful (a struct literal's key, a keyword argument's name). A name
that is also read unrenamed anywhere in the unit breaks the one-to-one renaming, so a new name
that captures an outer one is never taken for a rename.
"""

from __future__ import annotations

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
# Where a name's text is what the code says, not a variable: a Go struct literal's key, a
# Kotlin named argument, a JS object's shorthand property (another node type, so never renamed).
_MEANINGFUL = frozenset({"keyed_element", "value_argument", "field_identifier", "property_identifier",
                         "shorthand_property_identifier", "shorthand_property_identifier_pattern"})


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


def _declares(n) -> bool:
    parent = n.parent
    if parent is not None and parent.type in ("expression_list", "identifier_list", "pattern_list"):
        holder, parent = parent, parent.parent
    else:
        holder = n
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
    declared = {(base_p.text(a), head_p.text(b)) for a, b in renamed if _declares(a) and _declares(b)}
    return all((base_p.text(a), head_p.text(b)) in declared for a, b in renamed)
