"""JS/TS: a new call of an async function of the file that nothing waits for (DC717).

`this.searchMovie(id);` on a line of its own, where the class defines `async searchMovie`, starts
work that runs on after the caller returns, beside whatever follows and whatever the next request
starts, and whose failure no one handles. Only what the file itself declares async is read (its
functions, methods and `const f = async (…) =>`): a call's result is dropped when the call is a
statement of its own. Marked on purpose, it is not reported: `void f()`, `f().catch(…)`, a returned,
assigned, awaited or passed-on promise.
"""

from __future__ import annotations

from .parse import Parsed, walk
from .producer import flat
from .units import FUNCTIONS, all_units, qualname, shown_name, units_at

_ASYNC_DEFINITIONS = {"function_declaration", "method_definition", "generator_function_declaration"}


def _is_async(node) -> bool:
    return any(c.type == "async" for c in node.children)


def async_names(p: Parsed) -> tuple[set[str], set[str]]:
    """(functions, methods) the file declares async: `async function f`, `const f = async () =>`,
    a class's `async m()`."""
    functions: set[str] = set()
    methods: set[str] = set()
    for n in walk(p.root):
        if n.type in _ASYNC_DEFINITIONS and _is_async(n):
            name = n.child_by_field_name("name")
            if name is not None:
                (methods if n.type == "method_definition" else functions).add(p.text(name))
        elif n.type == "variable_declarator":
            value, name = n.child_by_field_name("value"), n.child_by_field_name("name")
            if value is not None and name is not None and value.type in ("arrow_function", "function_expression",
                                                                         "function") and _is_async(value):
                functions.add(p.text(name))
    return functions, methods


def _callee(node, p: Parsed, functions: set[str], methods: set[str]) -> str | None:
    """The async function or method of the file that the call ``node`` calls, written as called."""
    fn = node.child_by_field_name("function")
    if fn is None:
        return None
    if fn.type == "identifier" and p.text(fn) in functions:
        return p.text(fn)
    if fn.type == "member_expression":
        obj, prop = fn.child_by_field_name("object"), fn.child_by_field_name("property")
        if obj is not None and prop is not None and obj.type == "this" and p.text(prop) in methods:
            return p.text(fn)
    return None


def _in_function(node) -> bool:
    n = node.parent
    while n is not None and n.type not in FUNCTIONS and n.type != "generator_function":
        n = n.parent
    return n is not None


def floating_calls(p: Parsed, base: Parsed | None, code_rows: set[int]) -> list[tuple[int, str]]:
    """(line, message) for each call on a changed code line of ``p`` that is a statement of its
    own and calls an async function of the file, where its unit on the base ``base`` did not make
    the same floating call."""
    functions, methods = async_names(p)
    if not functions and not methods:
        return []
    base_units = all_units(base) if base is not None else {}
    out: list[tuple[int, str]] = []
    for node in walk(p.root):
        if node.type != "call_expression" or node.start_point[0] + 1 not in code_rows:
            continue
        parent = node.parent
        if parent is None or parent.type != "expression_statement":
            continue  # awaited, returned, assigned, chained (`.catch`), passed on or `void`-marked
        callee = _callee(node, p, functions, methods)
        if callee is None:
            continue
        if not _in_function(node):
            continue  # a module's top level: Node keeps running until its promise settles
        chain = units_at(p, node.start_point[0])
        statement = flat(p.text(parent))
        if base is not None:
            held = base_units.get(qualname(chain, p), []) if chain else [base.root]
            if statement in {flat(base.text(n)) for b in held for n in walk(b)
                             if n.type == "expression_statement"}:
                continue  # the same floating call was there
        where = f" in `{shown_name(chain, p)}`" if chain else ""
        out.append((node.start_point[0] + 1, (
            f"`{callee}(…)`{where} starts an async call that nothing awaits: it runs on after this function "
            "returns, at the same time as what follows (and as the next request's or job's own call), and a "
            "failure in it is not handled here. Await it, or say in the checklist why it may run alongside "
            "(then mark it `void`).")))
    return out
