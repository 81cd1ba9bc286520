"""Parsing changed Python files once, and the shared facts every Python rule reads.

Each side (head, base) of a changed ``.py`` file is parsed at most once and indexed in a single
walk: its functions (with line ranges and decorators), classes, every call and ``with`` item
tagged with the innermost enclosing scope, module-level mutable globals and imports. Rules then
consult these tables (or walk only the one function they are interested in) instead of walking
the whole tree again. Everything is memoised in ``FileContext.cache``.

The analysed code is never imported or executed: only ``ast.parse`` reads it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Iterator

from ..base import FileContext

MUTABLE_FACTORIES = {"dict", "list", "set", "defaultdict", "Counter", "OrderedDict", "deque"}


def dotted(node: ast.AST | None) -> str:
    """``a.b.c`` for names and attributes; calls keep ``()`` so ``x.filter().update`` reads naturally."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{dotted(node.func)}()"
    if isinstance(node, ast.Subscript):
        return f"{dotted(node.value)}[]"
    return "?"


def last_name(node: ast.AST | None) -> str:
    """The final identifier of a callee: ``save`` for ``x.save``, ``F`` for ``models.F``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def receiver(call: ast.Call) -> ast.AST | None:
    return call.func.value if isinstance(call.func, ast.Attribute) else None


def chain_root(node: ast.AST | None) -> str:
    """The leftmost name of ``a.b().c[0].d``: ``a``."""
    while node is not None:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return ""
    return ""


def chain_calls(node: ast.AST | None) -> list[str]:
    """Method names called along a chain, outermost last: ``M.objects.filter().first()`` -> [filter, first]."""
    names: list[str] = []
    while node is not None:
        if isinstance(node, ast.Call):
            names.append(last_name(node.func))
            node = node.func.value if isinstance(node.func, ast.Attribute) else None
        elif isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        else:
            break
    return list(reversed(names))


def chain_attrs(node: ast.AST | None) -> list[str]:
    """Every identifier along a chain (names, attributes, called methods), left to right."""
    out: list[str] = []
    while node is not None:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            out.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            out.append(node.id)
            break
        else:
            break
    return list(reversed(out))


def string_value(node: ast.AST | None) -> str | None:
    """The text of a string literal, an f-string (placeholders as ``{}``) or ``text("…")``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)  # type: ignore[misc]  # an f-string's constants are str
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        left = string_value(node.left)
        if left is not None:
            right = string_value(node.right) if isinstance(node.op, ast.Add) else ""
            return left + (right or "")
    if isinstance(node, ast.Call) and last_name(node.func) == "text" and node.args:
        return string_value(node.args[0])
    return None


def short(node: ast.AST, limit: int = 60) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # pragma: no cover - unparse handles every node ast.parse produces
        text = "?"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


@dataclass
class FunctionInfo:
    qualname: str
    name: str
    node: ast.FunctionDef | ast.AsyncFunctionDef
    start: int  # first line, decorators included
    end: int
    class_name: str | None  # the class it is a method of, if any
    parent: "FunctionInfo | None"
    decorators: list[tuple[str, ast.expr]] = field(default_factory=list)  # (dotted name, node)


@dataclass
class ClassInfo:
    qualname: str
    node: ast.ClassDef
    bases: list[str]  # dotted names of the bases


@dataclass
class PyModule:
    """One parsed side of a file, indexed."""

    text: str
    tree: ast.Module
    functions: list[FunctionInfo] = field(default_factory=list)
    by_qualname: dict[str, FunctionInfo] = field(default_factory=dict)
    by_name: dict[str, list[FunctionInfo]] = field(default_factory=dict)
    classes: list[ClassInfo] = field(default_factory=list)
    calls: list[tuple[ast.Call, str]] = field(default_factory=list)  # (call, scope qualname)
    with_items: list[tuple[ast.withitem, ast.AST, str]] = field(default_factory=list)  # (item, with node, scope)
    assigns: list[tuple[ast.AST, str]] = field(default_factory=list)  # Assign/AugAssign/AnnAssign, scope
    identifiers: list[tuple[str, int, str]] = field(default_factory=list)  # idempotency-ish names: (name, line, scope)
    for_iters: list[tuple[ast.AST, str]] = field(default_factory=list)  # (iterable, scope)
    dict_task_names: list[str] = field(default_factory=list)  # {"task": "app.tasks.f"} values
    module_mutables: dict[str, int] = field(default_factory=dict)  # name -> line
    imports: set[str] = field(default_factory=set)  # top-level packages imported
    imported_names: dict[str, str] = field(default_factory=dict)  # local name -> module it came from
    # local name -> the dotted path of what its import binds (`from temporalio import activity as
    # act`: act -> temporalio.activity), where ``imported_names`` keeps only the module
    bound_paths: dict[str, str] = field(default_factory=dict)
    scopes: set[str] = field(default_factory=set)
    _line_owner: list[FunctionInfo | None] | None = None
    memo: dict = field(default_factory=dict)  # per-module results of other modules (job map, …)

    def function_at(self, line: int) -> FunctionInfo | None:
        """The innermost function whose lines (decorators included) contain ``line``."""
        if self._line_owner is None:
            owner: list[FunctionInfo | None] = [None] * (self.text.count("\n") + 2)
            for fn in sorted(self.functions, key=lambda f: (f.start, -f.end)):  # outer before inner
                for number in range(fn.start, min(fn.end, len(owner) - 1) + 1):
                    owner[number] = fn
            self._line_owner = owner
        if 0 <= line < len(self._line_owner):
            return self._line_owner[line]
        return None

    def is_mutated_global(self, name: str) -> bool:
        return name in self.module_mutables and name in self.memo.get("mutated_globals", set())


def _is_mutable_value(node: ast.AST | None) -> bool:
    if isinstance(node, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)):
        return True
    return isinstance(node, ast.Call) and last_name(node.func) in MUTABLE_FACTORIES


class _Indexer(ast.NodeVisitor):
    def __init__(self, module: PyModule) -> None:
        self.m = module
        self.scope: list[str] = []
        self.fn_stack: list[FunctionInfo] = []
        self.class_stack: list[str] = []
        self.frames: list[str] = []  # "class" / "function", innermost last
        self.mutated: set[str] = set()

    def _qual(self, name: str) -> str:
        return ".".join([*self.scope, name])

    def _current(self) -> str:
        return ".".join(self.scope)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        cls = self.class_stack[-1] if self.frames and self.frames[-1] == "class" else None
        info = FunctionInfo(
            qualname=self._qual(node.name),
            name=node.name,
            node=node,
            start=start,
            end=node.end_lineno or node.lineno,
            class_name=cls,
            parent=self.fn_stack[-1] if self.fn_stack else None,
            decorators=[(dotted(d.func if isinstance(d, ast.Call) else d), d) for d in node.decorator_list],
        )
        self.m.functions.append(info)
        self.m.by_qualname[info.qualname] = info
        self.m.by_name.setdefault(node.name, []).append(info)
        self.m.scopes.add(info.qualname)
        # Decorators and defaults belong to the function they decorate (its scope, for safeguards).
        self.scope.append(node.name)
        self.fn_stack.append(info)
        self.frames.append("function")
        for dec in node.decorator_list:
            self.visit(dec)
        for stmt in node.body:
            self.visit(stmt)
        self.frames.pop()
        self.fn_stack.pop()
        self.scope.pop()
        self.visit(node.args)
        if node.returns is not None:
            self.visit(node.returns)

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        qual = self._qual(node.name)
        self.m.classes.append(ClassInfo(qual, node, [dotted(b) for b in node.bases]))
        self.m.scopes.add(qual)
        for dec in node.decorator_list:
            self.visit(dec)
        for base in node.bases:
            self.visit(base)
        self.scope.append(node.name)
        self.class_stack.append(qual)
        self.frames.append("class")
        for stmt in node.body:
            self.visit(stmt)
        self.frames.pop()
        self.class_stack.pop()
        self.scope.pop()

    def visit_Call(self, node: ast.Call) -> None:
        self.m.calls.append((node, self._current()))
        for kw in node.keywords:
            if kw.arg and "idempot" in kw.arg.lower():
                self.m.identifiers.append((kw.arg, kw.value.lineno, self._current()))
        self.generic_visit(node)

    def _with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.m.with_items.append((item, node, self._current()))
        self.generic_visit(node)

    visit_With = _with
    visit_AsyncWith = _with

    def _assign(self, node: ast.AST) -> None:
        self.m.assigns.append((node, self._current()))
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]  # type: ignore[attr-defined]  # only Assign, AnnAssign and AugAssign come here
        value = getattr(node, "value", None)
        if not self.scope:
            for target in targets:
                if isinstance(target, ast.Name) and _is_mutable_value(value) and isinstance(node, (ast.Assign, ast.AnnAssign)):
                    self.m.module_mutables[target.id] = node.lineno
        else:
            for target in targets:
                root = target
                while isinstance(root, (ast.Subscript, ast.Attribute)):
                    root = root.value
                if isinstance(root, ast.Name) and root is not target or isinstance(node, ast.AugAssign):
                    if isinstance(root, ast.Name):
                        self.mutated.add(root.id)
        self.generic_visit(node)

    visit_Assign = _assign
    visit_AugAssign = _assign
    visit_AnnAssign = _assign

    def visit_Global(self, node: ast.Global) -> None:
        self.mutated.update(node.names)

    def _for(self, node: ast.For | ast.AsyncFor) -> None:
        self.m.for_iters.append((node.iter, self._current()))
        self.generic_visit(node)

    visit_For = _for
    visit_AsyncFor = _for

    def visit_Name(self, node: ast.Name) -> None:
        if "idempot" in node.id.lower():
            self.m.identifiers.append((node.id, node.lineno, self._current()))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if "idempot" in node.attr.lower():
            self.m.identifiers.append((node.attr, node.lineno, self._current()))
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                if "idempot" in key.value.lower():
                    self.m.identifiers.append((key.value, key.lineno, self._current()))
                if key.value == "task" and isinstance(value, ast.Constant) and isinstance(value.value, str):
                    self.m.dict_task_names.append(value.value.rsplit(".", 1)[-1])
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.m.imports.add(alias.name.split(".")[0])
            self.m.imported_names[alias.asname or alias.name.split(".")[0]] = alias.name
            self.m.bound_paths[alias.asname or alias.name.split(".")[0]] = \
                alias.name if alias.asname else alias.name.split(".")[0]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and not node.level:
            self.m.imports.add(node.module.split(".")[0])
        source = "." * node.level + (node.module or "")
        for alias in node.names:
            self.m.imported_names[alias.asname or alias.name] = source
            self.m.bound_paths[alias.asname or alias.name] = f"{source}.{alias.name}" if node.module else source + alias.name


def _mutating_calls(module: PyModule) -> set[str]:
    """Module-level names mutated by a method call inside a function (``CACHE.update(...)``)."""
    out: set[str] = set()
    for call, scope in module.calls:
        if scope and isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
            if call.func.attr in MUTATING_METHODS:
                out.add(call.func.value.id)
    return out


MUTATING_METHODS = {
    "append", "extend", "insert", "pop", "popitem", "remove", "clear", "update", "setdefault",
    "add", "discard", "appendleft", "popleft", "sort", "reverse",
}


def running_python() -> str:
    """The Python that parses the analysed code: its grammar decides what deploycheck can read."""
    import sys

    return f"Python {sys.version_info[0]}.{sys.version_info[1]}"


def parse_failure(text: str) -> tuple[str, int | None] | None:
    """Why ``text`` does not parse with the running Python: (what the parser said, its line),
    or None when it parses (``build_module`` may still give up: code nested too deep)."""
    try:
        ast.parse(text)
    except SyntaxError as exc:
        return exc.msg, exc.lineno
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"{type(exc).__name__}: {str(exc)[:80]}", None
    return None


def build_module(text: str) -> PyModule | None:
    """Parse and index ``text``; None when it is not valid Python 3 (syntax error, Python 2, bad bytes)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, UnicodeError, RecursionError, MemoryError):
        return None
    module = PyModule(text=text, tree=tree)
    module.scopes.add("")
    indexer = _Indexer(module)
    try:
        indexer.visit(tree)
    except RecursionError:
        return None
    module.memo["mutated_globals"] = indexer.mutated | _mutating_calls(module)
    return module


def module_for(ctx: FileContext, side: str) -> PyModule | None:
    """The parsed ``side`` ("head" or "base") of ``ctx``'s file, memoised; None when unavailable."""
    key = ("py-module", side)
    if key not in ctx.cache:
        text = ctx.head_text() if side == "head" else ctx.base_text()
        ctx.cache[key] = build_module(text) if text else None
    return ctx.cache[key]


def touches(lines: dict[int, str], node: ast.AST) -> bool:
    """Whether any of ``node``'s lines is in ``lines`` (added or removed lines of one side)."""
    start = getattr(node, "lineno", None)
    if start is None:
        return False
    end = getattr(node, "end_lineno", None) or start
    if end - start < 64:
        return any(n in lines for n in range(start, end + 1))
    return any(start <= n <= end for n in lines)


def first_changed(lines: dict[int, str], start: int, end: int) -> int | None:
    if end - start < 256:
        for n in range(start, end + 1):
            if n in lines:
                return n
        return None
    hits = [n for n in lines if start <= n <= end]
    return min(hits) if hits else None


# ---- statements in order, with the context hazards care about -------------------------------

LOCK_WORDS = ("lock", "mutex", "semaphore")
_LOCK_TOKENS = {"lock", "locks", "locked", "locking", "rlock", "flock", "lockf", "mutex", "semaphore", "redlock"}
_TOKEN = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def has_lock_word(name: str) -> bool:
    """``self._lock``, ``FileLock``, ``acquire_lock``, ``distributed_mutex`` — but not ``blocked`` or ``clock``."""
    return any(token.lower() in _LOCK_TOKENS for token in _TOKEN.findall(name))


def is_lock_name(name: str, lock_wrappers: tuple[str, ...]) -> bool:
    """A ``with`` target or decorator that serialises: anything named like a lock, or a configured
    wrapper (unless the wrapper is only a transaction, e.g. ``traced_atomic``)."""
    lower = name.lower()
    if has_lock_word(name):
        return True
    tail = name.rsplit(".", 1)[-1].rstrip("()")
    if name.rstrip("()") in lock_wrappers or tail in lock_wrappers:
        return not ("atomic" in lower or "transaction" in lower)
    return False


@dataclass
class Step:
    """One statement (or a compound statement's header) met while reading a function top to bottom."""

    node: ast.stmt  # the statement; for compound statements, the statement itself (header only matters)
    header: bool  # True for if/for/while/with/try headers
    locked: bool  # inside a `with` that serialises (a lock, a configured lock wrapper)
    integrity_guarded: bool  # inside `try:` with an `except IntegrityError`
    ifs: tuple[ast.If, ...]  # enclosing if statements, innermost last
    calls: list[ast.Call] | None = None  # memoised by the analyses


def _catches(handler: ast.ExceptHandler, names: tuple[str, ...]) -> bool:
    if handler.type is None:
        return False
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(last_name(t) in names for t in types)


def steps(fn: ast.FunctionDef | ast.AsyncFunctionDef, lock_wrappers: tuple[str, ...]) -> list[Step]:
    """The function's statements in source order, nested functions and classes excluded."""
    out: list[Step] = []
    locked_fn = any(is_lock_name(dotted(d.func if isinstance(d, ast.Call) else d), lock_wrappers) for d in fn.decorator_list)

    def walk(body: list[ast.stmt], locked: bool, guarded: bool, ifs: tuple[ast.If, ...]) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(stmt, ast.If):
                out.append(Step(stmt, True, locked, guarded, ifs))
                walk(stmt.body, locked, guarded, ifs + (stmt,))
                walk(stmt.orelse, locked, guarded, ifs + (stmt,))
            elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
                out.append(Step(stmt, True, locked, guarded, ifs))
                walk(stmt.body, locked, guarded, ifs)
                walk(stmt.orelse, locked, guarded, ifs)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                out.append(Step(stmt, True, locked, guarded, ifs))
                inner = locked or any(
                    is_lock_name(dotted(i.context_expr.func if isinstance(i.context_expr, ast.Call) else i.context_expr), lock_wrappers)
                    for i in stmt.items
                )
                walk(stmt.body, inner, guarded, ifs)
            elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
                out.append(Step(stmt, True, locked, guarded, ifs))
                catches = any(_catches(h, ("IntegrityError", "UniqueViolation")) for h in stmt.handlers)  # type: ignore[attr-defined]  # TryStar (3.11) has Try's fields
                walk(stmt.body, locked, guarded or catches, ifs)  # type: ignore[attr-defined]  # TryStar has Try's fields
                for handler in stmt.handlers:  # type: ignore[attr-defined]  # TryStar has Try's fields
                    walk(handler.body, locked, guarded, ifs)
                walk(stmt.orelse, locked, guarded, ifs)  # type: ignore[attr-defined]  # TryStar has Try's fields
                walk(stmt.finalbody, locked, guarded, ifs)  # type: ignore[attr-defined]  # TryStar has Try's fields
            elif isinstance(stmt, ast.Match):
                out.append(Step(stmt, True, locked, guarded, ifs))
                for case in stmt.cases:
                    walk(case.body, locked, guarded, ifs)
            else:
                out.append(Step(stmt, False, locked, guarded, ifs))

    walk(fn.body, locked_fn, False, ())
    return out


def header_nodes(stmt: ast.AST) -> list[ast.AST]:
    """The expressions of a compound statement's header (what runs before its body)."""
    if isinstance(stmt, (ast.If, ast.While)):
        return [stmt.test]
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        return [stmt.target, stmt.iter]
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [i.context_expr for i in stmt.items]
    if isinstance(stmt, ast.Match):
        return [stmt.subject]
    return []


def header_end(stmt: ast.stmt) -> int:
    nodes = header_nodes(stmt)
    ends = [getattr(n, "end_lineno", None) or stmt.lineno for n in nodes]
    return max([stmt.lineno, *ends])


def own_nodes(*roots: ast.AST) -> Iterator[ast.AST]:
    """The roots and every node below them, not descending into nested functions, classes or
    lambdas (their code runs when they are called, not here)."""
    stack = list(roots)
    while stack:
        current = stack.pop()
        yield current
        for child in ast.iter_child_nodes(current):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                stack.append(child)


def iter_calls(node: ast.AST, *, header_only: bool = False) -> Iterator[ast.Call]:
    """Calls inside a statement, not descending into nested functions, lambdas or (for headers) bodies."""
    roots = header_nodes(node) if header_only else [node]
    return (n for n in own_nodes(*roots) if isinstance(n, ast.Call))
