"""Values a changed function only logs, proved across modules (equiv.Facts).

The proof of unchanged behaviour (equiv) removes logging and the locals that only fed it. Some
log-only values leave the function: a keyword handed to a helper that only prints it
(``emergency_dump_state(messages, stderr=stderr)``), a flag stored on ``self`` and read elsewhere
only to blank a log line (``self.log_results``), a small project function computing a log line's
text (``truncate(repr(result))``). This module finds what the repository at each side proves about
those names, so that such a change is proved unchanged instead of flagged.

The extra reads happen only when they can matter: the proof is first tried assuming every fact it
could learn (``optimistic``); when even that fails, nothing is read. Names are resolved through
the module's own imports (relative, or absolute within the repository) and its top-level
functions; a name bound more than once, a decorated function, or a module that cannot be read
proves nothing. Known problems (docs/rules/DC101 known problems): an attribute read through
``vars()``/``__dict__``/serialisation is not seen by the search for its readers.
"""

from __future__ import annotations

import ast
import builtins
import copy
import posixpath
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet

from .equiv import (
    NO_FACTS, TRUSTED_NAMES, Facts, _pure, _stripped, called_names, future_types, proof_of_no_change, reads_left,
    rebinds_trusted_names,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..base import FileContext

MAX_CALLEES = 12  # project functions looked up per changed function
MAX_READERS = 20  # files that may name a stored attribute; more proves nothing
_INTROSPECTION = frozenset({"locals", "vars", "eval", "exec", "globals"})
_BUILTINS = frozenset(dir(builtins))


# -- pure logic ------------------------------------------------------------------------------

def _calls(fns: Iterable[ast.AST]) -> dict[str, set[str]]:
    """Names called bare in ``fns`` (``truncate(…)``) -> the keywords they are called with."""
    out: dict[str, set[str]] = {}
    for fn in fns:
        for node in ast.walk(fn):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                out.setdefault(node.func.id, set()).update(k.arg for k in node.keywords if k.arg)
    return out


def _own_names(fn: ast.AST) -> set[str]:
    """Names ``fn`` binds: its parameters and every name it assigns, imports or defines."""
    names = {a.arg for n in ast.walk(fn) if isinstance(n, ast.arguments) for a in [*n.posonlyargs, *n.args, *n.kwonlyargs, *[x for x in (n.vararg, n.kwarg) if x]]}
    names |= {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    names |= {(a.asname or a.name).split(".")[0] for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    names |= {n.name for n in ast.walk(fn) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n is not fn}
    return names


def _attributes(fn: ast.AST) -> set[str]:
    return {n.attr for n in ast.walk(fn) if isinstance(n, ast.Attribute)}


def optimistic(base: ast.AST, head: ast.AST) -> tuple[Facts, Facts]:
    """Every fact the repository could prove about the names the two versions use: when the proof
    fails even with these, reading the repository cannot help."""
    calls = _calls((base, head))
    keywords = {name: frozenset(words) for name, words in calls.items() if words}
    facts = Facts(frozenset(calls), keywords, frozenset(_attributes(base) ^ _attributes(head)))
    return facts, facts


def _introspects(fn: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in _INTROSPECTION for n in ast.walk(fn))


def _immutable(value: ast.AST | None) -> bool:
    """A value no code can change in place: a str/number/bytes/bool/None literal, an f-string, a
    string's join/format, str()/repr()/len()…, or operators and conditionals over those."""
    if isinstance(value, ast.Constant):
        return True
    if isinstance(value, ast.JoinedStr):
        return True
    if isinstance(value, ast.BinOp):
        return _immutable(value.left) and _immutable(value.right)
    if isinstance(value, ast.IfExp):
        return _immutable(value.body) and _immutable(value.orelse)
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Name):
            return func.id in ("str", "repr", "len", "int", "float", "bool", "round", "abs", "format")
        return isinstance(func, ast.Attribute) and func.attr in ("join", "format") and isinstance(func.value, ast.Constant)
    return False


def _augmentable(body: list[ast.stmt], params: set[str]) -> set[str]:
    """Locals an augmented assignment may update without changing an object someone else holds:
    not parameters, and every plain assignment to them an immutable value (``text = ''`` then
    ``text += ', '``; never ``ids += pinned`` on a list handed in)."""
    assigned: dict[str, list[ast.AST]] = {}
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            assigned.setdefault(node.target.id, []).append(node.value) if node.value is not None else None
    return {name for name, values in assigned.items() if name not in params and all(_immutable(v) for v in values)}


def _pure_statements(body: list[ast.stmt], calls: frozenset[str], augmentable: AbstractSet[str] = frozenset()) -> bool:
    for stmt in body:
        if isinstance(stmt, ast.Pass) or isinstance(stmt, ast.Return) and (stmt.value is None or _pure(stmt.value, calls)):
            continue
        if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets) and _pure(stmt.value, calls):
            continue
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None and _pure(stmt.value, calls):
            continue
        if (isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id in augmentable
                and _pure(stmt.value, calls)):
            continue
        if (isinstance(stmt, ast.If) and _pure(stmt.test, calls) and _pure_statements(stmt.body, calls, augmentable)
                and _pure_statements(stmt.orelse, calls, augmentable)):
            continue
        return False
    return True


def is_pure_function(fn: ast.AST, calls: frozenset[str] = frozenset(), constants: AbstractSet[str] = frozenset()) -> bool:
    """A plain function (no decorator, not async) whose body only computes locals from values
    without side effects and returns one (``truncate``: an ``if`` on ``len(s)``, a slice);
    ``calls``: the project functions it may call, themselves proved pure; ``constants``: module
    names bound once to an immutable value, which defaults may name (``length=DEFAULT_CURTAIL``)."""
    if not isinstance(fn, ast.FunctionDef) or fn.decorator_list or rebinds_trusted_names(fn):
        return False
    body = fn.body[1:] if fn.body and isinstance(fn.body[0], ast.Expr) and isinstance(fn.body[0].value, ast.Constant) else fn.body
    defaults = [*fn.args.defaults, *(d for d in fn.args.kw_defaults if d is not None)]
    params = {a.arg for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]}
    # A mutable default (`seen=[]`) outlives the call: only immutable ones.
    return all(_immutable(d) or isinstance(d, ast.Name) and d.id in constants for d in defaults) and _pure_statements(
        body, calls, _augmentable(body, params))


def quiet_parameters(fn: ast.AST) -> frozenset[str]:
    """The parameters of ``fn`` nothing reads once its logging is removed (equiv's logging step):
    whatever a caller passes there changes only what is logged. None for a decorated function
    (the decorator may read them) or one that looks at its own locals."""
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or fn.decorator_list or _introspects(fn):
        return frozenset()
    names = {a.arg for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]}
    stripped = _stripped(copy.deepcopy(fn), frozenset(("docstrings", "logging", "annotations")))
    read = {n.id for n in ast.walk(stripped) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return frozenset(names - read)


STAR = "*"  # the key under which _bindings files `from x import *`: it may bind any name


def _bindings(tree: ast.Module, text: str | None = None) -> dict[str, list[ast.stmt]]:
    """Module-level statements binding each name (imports, defs, classes, assignments), also
    inside `if`/`try`/`with`/loops at module level (`try: from ._native import f` rebinds `f`)."""
    out: dict[str, list[ast.stmt]] = {}
    todo = list(tree.body)
    while todo:
        stmt = todo.pop(0)
        names: list[str] = []
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [stmt.name]
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            names = [STAR if a.name == "*" else (a.asname or a.name).split(".")[0] for a in stmt.names]
        elif isinstance(stmt, (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)) or type(stmt).__name__ in ("TryStar", "Match"):
            for field in ("body", "orelse", "finalbody"):
                todo.extend(getattr(stmt, field, []) or [])
            for handler in getattr(stmt, "handlers", []) or []:
                todo.extend(handler.body)
            for case in getattr(stmt, "cases", []) or []:
                todo.extend(case.body)
            names = [n.id for part in _headers(stmt) for n in ast.walk(part) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
        else:
            names = [n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
        for name in names:
            out.setdefault(name, []).append(stmt)
    # A function may rebind a module name (`global label; label = other`) or the module's dict
    # (`globals()[…] = …`): each is one more binding, and the latter could bind any name.
    # (``text``, the module's source when known, spares the walk when it holds neither word.)
    if text is not None and "global" not in text and "modules" not in text:
        return out
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            for name in node.names:
                out.setdefault(name, []).append(node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (
            node.func.id == "globals"
            or node.func.id in ("setattr", "vars") and node.args and "modules" in ast.dump(node.args[0])  # sys.modules[__name__]
        ):
            out.setdefault(STAR, []).append(ast.Expr(value=node))
    return out


def _headers(stmt: ast.stmt) -> list[ast.AST]:
    """What a compound statement binds outside its bodies: a loop's target, `with … as x`,
    `except E as e` (a name, handled by the caller), a `:=` in an `if` test."""
    parts: list[ast.AST] = []
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        parts.append(stmt.target)
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        parts += [i.optional_vars for i in stmt.items if i.optional_vars is not None]
    if isinstance(stmt, (ast.If, ast.While)):
        parts.append(stmt.test)
    return parts


def module_paths(path: str, node: ast.ImportFrom) -> list[str]:
    """Where the module an ``from … import`` names lives in the repository, relative to the
    importing file ``path``: a relative import from its package, an absolute one from the folder
    that holds its top package on this file's path (``kombu/transport/x.py`` importing
    ``kombu.utils.div``), else from the root or ``src/``."""
    parts = (node.module or "").split(".") if node.module else []
    if node.level:
        folder = posixpath.dirname(path)
        for _ in range(node.level - 1):
            folder = posixpath.dirname(folder)
        roots = [folder]
    else:
        if not parts:
            return []
        segments = posixpath.dirname(path).split("/")
        roots = ["/".join(segments[:i]) for i, seg in enumerate(segments) if seg == parts[0]] or ["", "src"]
    out = []
    for root in roots:
        stem = posixpath.join(root, *parts) if parts else root
        out += [stem + ".py", posixpath.join(stem, "__init__.py")]
    return out


# -- reading the repository at one side ------------------------------------------------------

class _Side:
    """One side's files, read through ``read`` (path -> text or None), parsed once."""

    def __init__(self, read: Callable[[str], str | None]) -> None:
        self.read, self.trees = read, {}  # type: ignore[var-annotated]

    def tree(self, path: str) -> ast.Module | None:
        if path not in self.trees:
            text = self.read(path)
            try:
                self.trees[path] = ast.parse(text) if text is not None else None
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self.trees[path] = None
        return self.trees[path]

    def definition(self, path: str, name: str, hops: int = 2) -> tuple[str, ast.AST] | None:
        """The function ``name`` means in module ``path`` and the module defining it: defined
        there, or imported there (a re-export followed up to ``hops`` times); None when bound more
        than once or not found."""
        tree = self.tree(path)
        bindings = _bindings(tree) if tree is not None else {}
        bound = bindings.get(name, [])
        if len(bound) != 1 or STAR in bindings:
            return None
        stmt = bound[0]
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return path, stmt
        if isinstance(stmt, ast.ImportFrom) and hops:
            alias = next(a for a in stmt.names if (a.asname or a.name) == name)
            present = [c for c in module_paths(path, stmt) if self.read(c) is not None]
            # `text/__init__.py` beside `text.py`, or the module under two roots: which one Python
            # imports depends on the path, so neither proves anything (red team of session 7).
            if len(present) == 1 and self.tree(present[0]) is not None:
                return self.definition(present[0], alias.name, hops - 1)
        return None

    def pure(self, path: str, fn: ast.AST, depth: int = 2) -> bool:
        """``is_pure_function``, with the project functions it calls proved pure in turn (up to
        ``depth`` calls deep: `args_to_string` calling `truncate`)."""
        if not isinstance(fn, ast.FunctionDef) or fn.decorator_list or rebinds_trusted_names(fn):
            return False
        calls = set()
        if depth:
            # A name the function binds itself (a parameter `shorten`, a local) is not the
            # module's function of that name: calling it proves nothing pure.
            for name in sorted(set(_calls([fn])) - _BUILTINS - _own_names(fn))[:MAX_CALLEES]:
                found = self.definition(path, name)
                if found is not None and self.pure(found[0], found[1], depth - 1):
                    calls.add(name)
        tree = self.tree(path)
        constants = {
            name for name, stmts in (_bindings(tree) if tree is not None else {}).items()
            if len(stmts) == 1 and isinstance(stmts[0], ast.Assign) and _immutable(stmts[0].value)
        }
        return is_pure_function(fn, frozenset(calls), constants)

    def facts(self, path: str, fns: Iterable[ast.AST], attributes: set[str], readers: Callable[[str], list[str] | None]) -> Facts:
        fns = list(fns)
        calls = _calls(fns)
        local = set().union(*(_own_names(fn) for fn in fns))  # a name a function binds is not the module's
        pure, quiet = set(), {}
        for name in sorted(set(calls) - local - _BUILTINS)[:MAX_CALLEES]:
            found = self.definition(path, name)
            if found is None:
                continue
            where, fn = found
            if self.pure(where, fn):
                pure.add(name)
            words = quiet_parameters(fn) & calls[name]
            if words:
                quiet[name] = frozenset(words)
        facts = Facts(frozenset(pure), quiet)
        quiet_attributes = frozenset(a for a in sorted(attributes) if self._only_logged(a, readers))
        return facts._replace(quiet_attributes=quiet_attributes) if quiet_attributes else facts

    def _only_logged(self, attribute: str, readers: Callable[[str], list[str] | None]) -> bool:
        """Whether every module that names ``attribute`` reads it only to log, once its stores are
        assumed log-only too (so a value passed along a chain of such stores still counts)."""
        paths = readers(attribute)
        if paths is None or len(paths) > MAX_READERS:
            return False
        hooks = readers("__setattr__")  # any class that intercepts stores makes a store an action
        if hooks is None or hooks:
            return False
        for path in paths:
            tree = self.tree(path)
            if tree is None or _declared_in_a_class(tree, attribute) or _stored_by_a_derived_class(tree, attribute):
                return False
            # The facts that matter are those of the functions naming the attribute.
            naming = [
                n for n in ast.walk(tree)
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and attribute in _attributes(n)
            ]
            names = self.facts(path, naming, set(), lambda _a: None)
            if reads_left(tree, attribute, names._replace(quiet_attributes=frozenset({attribute}))):
                return False
        return True


def _declared_in_a_class(tree: ast.Module, attribute: str) -> bool:
    """Whether a class of ``tree`` declares ``attribute`` in its body: a model or dataclass field
    (``refunded = models.BooleanField()``, ``refunded: bool``) that save()/asdict() read, or a
    property/descriptor whose setter acts (``def reserved(self, value)``)."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == attribute:
                return True
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) else []
            if any(isinstance(n, ast.Name) and n.id == attribute for t in targets for n in ast.walk(t)):
                return True
            if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__slots__" for t in stmt.targets):
                return True  # slots are descriptors too
    return False


def _stored_by_a_derived_class(tree: ast.Module, attribute: str) -> bool:
    """Whether a class with a base class, a metaclass or a decorator stores ``self.<attribute>``: the base may
    declare it, in a library deploycheck does not read (`threading.Thread.daemon` is a property
    whose setter raises once the thread runs; a Django abstract model's field)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and (
            any(not (isinstance(b, ast.Name) and b.id == "object") for b in node.bases) or node.keywords
            or node.decorator_list  # a class decorator may install a property (red team of session 7)
        ):
            for inner in ast.walk(node):
                if (isinstance(inner, ast.Attribute) and inner.attr == attribute and not isinstance(inner.ctx, ast.Load)
                        and isinstance(inner.value, ast.Name) and inner.value.id == "self"):
                    return True
    return False


def facts_for(ctx: FileContext, base: ast.AST, head: ast.AST, is_test_path: Callable[[str], bool]) -> tuple[Facts, Facts]:
    """What each side of the repository proves about the names ``base``/``head`` (the two
    versions of one function of ``ctx``'s file) use; nothing when the scan sees this file alone.
    Readers under ``is_test_path`` do not count: tests do not run in production."""
    repo, base_files = ctx.repo, getattr(ctx.settings, "base_files", None)
    if repo is None or base_files is None or not base_files.rev or ctx.file.old_path is None or ctx.file.new_path is None:
        return NO_FACTS, NO_FACTS
    from ...errors import GitError
    from ...git import gitcmd

    def text(data: bytes | None) -> str | None:
        return data.decode("utf-8", "surrogateescape") if data is not None and b"\0" not in data[:8000] else None

    def readers_at(rev: str) -> Callable[[str], list[str] | None]:
        def readers(word: str) -> list[str] | None:
            # Every file read as text: .gitattributes is the branch's to set; a file git calls
            # binary is read and fails to parse.
            try:
                found = gitcmd.grep_files(repo.root, rev, [word], ["*.py"], words=True)
            except GitError:
                return None
            return [p for p in found if not is_test_path(p)]
        return readers

    head_side = _Side(lambda p: text(repo.read_blob(f"{repo.head_sha}:{p}")))
    base_side = _Side(lambda p: text(base_files.read(p)))
    new, gone = _attributes(head) - _attributes(base), _attributes(base) - _attributes(head)
    return (
        base_side.facts(ctx.file.old_path, [base], gone, readers_at(base_files.rev)),
        head_side.facts(ctx.file.new_path, [head], new, readers_at(repo.head_sha)),
    )


def describe_facts(facts: tuple[Facts, Facts]) -> str:
    """' (values only logged elsewhere: `.log_results`, `emergency_dump_state(stderr=…)`)' for
    the finding's message, or '' when the proof needed none."""
    names: set[str] = set()
    for side in facts:
        names |= {f"`.{a}`" for a in side.quiet_attributes}
        names |= {f"`{fn}({k}=…)`" for fn, words in side.quiet_keywords.items() for k in words}
        names |= {f"`{fn}()`" for fn in side.pure_calls}
    return f" (what the repository shows is only logged or only computes a value: {', '.join(sorted(names))})" if names else ""


def _without(facts: Facts, kind: str, item: str) -> Facts:
    if kind == "keywords":
        fn, _, word = item.partition("=")
        words = facts.quiet_keywords.get(fn, frozenset()) - {word}
        rest = {k: v for k, v in facts.quiet_keywords.items() if k != fn}
        return facts._replace(quiet_keywords={**rest, **({fn: words} if words else {})})
    return facts._replace(**{kind: getattr(facts, kind) - {item}})


def needed(base: ast.AST, head: ast.AST, facts: tuple[Facts, Facts]) -> tuple[Facts, Facts]:
    """``facts`` less each one the proof holds without (so the finding names what it relied on);
    a fact is dropped from both sides at once, as a name means the same on both."""
    kept = facts
    items = sorted({("pure_calls", n) for side in facts for n in side.pure_calls}
                   | {("quiet_attributes", n) for side in facts for n in side.quiet_attributes}
                   | {("keywords", f"{fn}={w}") for side in facts for fn, words in side.quiet_keywords.items() for w in words})
    for kind, item in items:
        trial = tuple(_without(side, kind, item) for side in kept)
        if proof_of_no_change(base, head, (trial[0], trial[1])) is not None:
            kept = (trial[0], trial[1])
    return kept


def module_facts(module, fns: Iterable[ast.AST]) -> Facts:
    """What the module of a compared function says by itself (no other file read): which
    annotations mean a standard future, and whether it rebinds a name the logging step trusts
    that the function calls (a module-level `def sorted(…)`, `from x import *`)."""
    memo = module.memo.get("logflow.bindings")
    if memo is None:  # once per module: several changed functions of one file ask
        bindings = _bindings(module.tree, module.text)
        rebound = {name for name, stmts in bindings.items() if any(not isinstance(st, (ast.Import, ast.ImportFrom)) for st in stmts)}
        memo = module.memo["logflow.bindings"] = (frozenset(bindings), frozenset(rebound))
    names, rebound = memo
    shadowed = STAR in names or bool(names & called_names(*fns) & TRUSTED_NAMES)
    return Facts(futures=future_types(module.imported_names, rebound), shadowed=shadowed)


def merged(facts: tuple[Facts, Facts], local: tuple[Facts, Facts]) -> tuple[Facts, Facts]:
    """Each side's repository facts with its module's own (``module_facts``)."""
    return (facts[0]._replace(futures=local[0].futures, shadowed=local[0].shadowed),
            facts[1]._replace(futures=local[1].futures, shadowed=local[1].shadowed))
