"""JS/TS: a new call of an async function that nothing waits for (DC717).

`this.searchMovie(id);` on a line of its own, where the class defines `async searchMovie`, starts
work that runs on after the caller returns, beside whatever follows and whatever the next request
starts, and whose failure no one handles. What the file itself declares async is read (its
functions, methods, `const f = async (…) =>` and `exports.f = async …`), and what a module of the
repository it imports by a relative path declares so (`padManager.getPad(id);` where
`const padManager = require('../db/PadManager')` exports `getPad = async …`: etherpad's admin
handler reported a pad created before it was, apps-u a5413d72). A call's result is dropped when
the call is a statement of its own. Marked on purpose, it is not reported: `void f()`,
`f().catch(…)`, a returned, assigned, awaited or passed-on promise.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable

from .keywords import relative_imports
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
        elif n.type in ("variable_declarator", "assignment_expression"):
            value = n.child_by_field_name("value" if n.type == "variable_declarator" else "right")
            name = n.child_by_field_name("name" if n.type == "variable_declarator" else "left")
            if value is None or name is None or value.type not in _FUNCTION_VALUES or not _is_async(value):
                continue
            if name.type == "identifier":
                functions.add(p.text(name))
            elif name.type == "member_expression" and _EXPORTS.match(p.text(name)):
                functions.add(p.text(name).rsplit(".", 1)[1])  # `exports.getPad = async (…) =>`
    return functions, methods


_FUNCTION_VALUES = ("arrow_function", "function_expression", "function")
_EXPORTS = re.compile(r"^(?:module\.)?exports\.[A-Za-z_$][\w$]*$")
_SUFFIXES = ("", ".ts", ".js", ".tsx", ".mts", ".mjs", ".cts", ".cjs", "/index.ts", "/index.js")


def imported_async(p: Parsed, path: str, read: Callable[[str], Parsed | None]) -> tuple[dict[str, set[str]], set[str]]:
    """({module name: its async functions}, {async functions imported by name}) of the modules of
    the repository that ``p`` (at ``path``) imports by a relative path; ``read`` gives a path's
    tree at head, or None. A module is read only when the file calls one of its members."""
    text = p.source.decode("utf-8", "replace")
    here = posixpath.dirname(path)

    @functools.cache  # several names bound from one module read it once
    def exported(spec: str) -> set[str]:
        base = posixpath.normpath(posixpath.join(here, spec))
        # TypeScript's ES modules import `./m.js` for the `./m.ts` it compiles to.
        stem = base[:-3] if base.endswith(".js") else None
        for candidate in [base + s for s in _SUFFIXES] + ([stem + ".ts", stem + ".tsx"] if stem else []):
            module = read(candidate)
            if module is not None:
                return async_names(module)[0]
        return set()

    modules: dict[str, set[str]] = {}
    named: set[str] = set()
    # `import { f, g as h }` and `const { f, g: h } = require(…)` bind each local name to the name
    # its module exports (the red team of session 39: both forms were missed).
    for local, name, spec in relative_imports(text):
        if name is None and re.search(rf"(?<![\w$.]){re.escape(local)}\.[A-Za-z_$][\w$]*\s*\(", text):
            modules[local] = exported(spec)
        elif name is not None and re.search(rf"(?m)^\s*{re.escape(local)}\s*\(", text) and name in exported(spec):
            named.add(local)
    return {m: names for m, names in modules.items() if names}, named


def _callee(node, p: Parsed, functions: set[str], methods: set[str],
            modules: dict[str, set[str]]) -> str | None:
    """The async function or method that the call ``node`` calls, written as called: the file's
    own, or a member of an imported module of the repository (``modules``)."""
    fn = node.child_by_field_name("function")
    if fn is None:
        return None
    if fn.type == "identifier" and p.text(fn) in functions:
        return p.text(fn)
    if fn.type == "member_expression":
        obj, prop = fn.child_by_field_name("object"), fn.child_by_field_name("property")
        if obj is None or prop is None:
            return None
        if obj.type == "this" and p.text(prop) in methods:
            return p.text(fn)
        if obj.type == "identifier" and p.text(prop) in modules.get(p.text(obj), ()):
            return p.text(fn)
    return None


def _in_function(node) -> bool:
    n = node.parent
    while n is not None and n.type not in FUNCTIONS and n.type != "generator_function":
        n = n.parent
    return n is not None


def floating_calls(p: Parsed, base: Parsed | None, code_rows: set[int],
                   imported: tuple[dict[str, set[str]], set[str]] = ({}, set())) -> list[tuple[int, str]]:
    """(line, message) for each call on a changed code line of ``p`` that is a statement of its
    own and calls an async function of the file, or one ``imported`` (``imported_async``), where
    its unit on the base ``base`` did not make the same floating call."""
    functions, methods = async_names(p)
    modules, named = imported
    functions |= named
    if not functions and not methods and not modules:
        return []
    base_units = all_units(base) if base is not None else {}
    out: list[tuple[int, str]] = []
    for node in walk(p.root):
        if node.type != "call_expression" or node.start_point[0] + 1 not in code_rows:
            continue
        parent = node.parent
        if parent is None or parent.type != "expression_statement":
            continue  # awaited, returned, assigned, chained (`.catch`), passed on or `void`-marked
        callee = _callee(node, p, functions, methods, modules)
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
