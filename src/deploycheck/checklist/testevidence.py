"""What the author's "tested under concurrent load" answer names, checked at the head commit.

The incident's tests never ran two workers, and its checklist would have taken "yes, tested" on
faith. When the answer to ``concurrency-tested`` names a test (``tests/test_x.py`` or the pytest
node id ``tests/test_x.py::test_y``), this module reads that file *as committed at head* and
asks three questions with Python's ``ast`` (docs/testing.md, "Naming the test in the
checklist"):

- **exists**: the file, and the function or method the node id names;
- **references_job**: the test imports the flagged file's module, or names a flagged function
  (calls it, or hands it to ``run_concurrently``);
- **concurrent**: the test (its own body and the functions of the same file it calls) starts
  threads or processes, gathers asyncio tasks, waits at a barrier, or calls
  ``deploycheck.testing.run_concurrently``.

The answer stands whatever is found (the author may know better than a syntax tree); what was
found is signed into the record (``concurrency_test``) and shown as weak to the author, in the
summary and to the reviewer. A file that is not Python is read as text only: weak when its text
shows no sign of concurrency, else "not checked (not Python)". Pure: the caller passes the head
commit's file reader.
"""

from __future__ import annotations

import ast
import posixpath
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from ..git.model import Finding

# A test reference: a path to a test or source file (the path part of a command is checked).
PATH_LIKE = re.compile(
    r"^(?:\.?/)?(?:(?:tests?|spec|specs|__tests__)/\S*|\S+\.(?:py|js|mjs|ts|tsx|rb|go|java|kt|rs|php|exs?|cs|scala|sh))$"
)

QUESTION = "concurrency-tested"
NOT_PYTHON = "not checked (not Python)"
MAX_SOURCE = 1_000_000  # a test file larger than this is not parsed (nothing is hidden: "not checked")

# `path` or `path::Class::test[param]`, a path as answers.check_test_reference accepts it.
_NODE = re.compile(r"^(?:\.?/)?(?P<path>[^\s:]+?\.[A-Za-z0-9]+)(?:::(?P<rest>[^\s]+))?$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NAME_IN_MESSAGE = re.compile(r"`([A-Za-z_][A-Za-z0-9_]{0,79})`")

# Fully resolved names that start workers or make them meet. A name imported under another
# name is resolved through the file's imports first (``from threading import Thread as T``).
_CONCURRENT_CALLS = (
    "threading.Thread", "threading.Barrier", "threading.Timer", "_thread.start_new_thread",
    "concurrent.futures.ThreadPoolExecutor", "concurrent.futures.ProcessPoolExecutor",
    "multiprocessing.Process", "multiprocessing.Pool", "multiprocessing.Barrier",
    "multiprocessing.pool.Pool", "multiprocessing.pool.ThreadPool", "multiprocessing.dummy.Pool",
    "asyncio.gather", "asyncio.TaskGroup", "asyncio.create_task", "asyncio.Barrier", "asyncio.wait",
    "anyio.create_task_group", "trio.open_nursery", "gevent.spawn", "gevent.joinall",
    "deploycheck.testing.run_concurrently",
)
# A test file's text that shows concurrency, in any language (tests not in Python are read as
# text only), and what such a test shows in the words of its own language.
TEXT_CONCURRENCY = re.compile(
    r"thread|concurren|multiprocess|processpool|asyncio\.gather|taskgroup|create_task|\bpool\(|"
    r"barrier|worker|parallel|gevent|greenlet|promise\.all|waitgroup|goroutine|\bgo func|xdist",
    re.IGNORECASE,
)
_GO = "goroutines, a WaitGroup, errgroup, t.Parallel, several workers"
_JS = "Promise.all, worker threads, several workers"
_JVM = "threads, an executor, a CountDownLatch, several workers"
_SIGNS = {".py": "threads, processes, asyncio.gather, several workers", ".go": _GO,
          ".rb": "threads, a thread pool, several workers", ".js": _JS, ".ts": _JS, ".mjs": _JS, ".tsx": _JS,
          ".java": _JVM, ".kt": _JVM}


def signs_of(path: str) -> str:
    """What a concurrent test shows, in the words of the test file's language (a Go test is not
    told of asyncio)."""
    return _SIGNS.get(posixpath.splitext(path)[1], _SIGNS[".py"])


# Method names that only exist on task groups, loops and executors.
_CONCURRENT_METHODS = ("create_task", "start_soon", "submit", "map_async", "apply_async")


@dataclass(frozen=True)
class ConcurrencyTest:
    """What ``assess`` found; written into the record as ``concurrency_test``."""

    name: str  # what the author named: a path or a pytest node id
    exists: bool
    references_job: bool | None = None  # None: not checked (see note)
    concurrent: bool | None = None
    evidence: tuple[str, ...] = ()
    note: str | None = None  # e.g. "not checked (not Python)"

    @property
    def weak(self) -> bool:
        return not self.exists or self.references_job is False or self.concurrent is False

    def describe(self) -> str:
        """One line in plain words: the verdict first, then what was found."""
        if not self.exists:
            head = f"weak: {self.name} does not exist at the head commit"
        elif self.note and self.concurrent is False:
            head = f"weak: {self.name} {self.note}"
        elif self.note:
            head = f"{self.name}: {self.note}"
        else:
            gaps = []
            if self.references_job is False:
                gaps.append("does not reference the flagged job (no import of its module, no use of its function)")
            if self.concurrent is False:
                gaps.append("runs nothing concurrently (no threads, processes, asyncio.gather, barrier or run_concurrently)")
            head = f"weak: {self.name} " + " and ".join(gaps) if gaps else f"{self.name} references the flagged job and runs it concurrently"
        found = "; ".join(self.evidence)
        return f"{head}" + (f" ({found})" if found else "") + "."


@dataclass(frozen=True)
class TestRun:
    """``check --run-tests``: what ran and how it ended; written into the record as ``test_run``.
    The author's deploycheck ran it and the author's signature vouches for it (docs/testing.md)."""

    __test__ = False  # not a pytest test class, whatever its name

    command: str
    exit_status: int  # negative: killed by that signal
    duration_seconds: float
    head_commit: str  # HEAD when the command ran
    worktree_clean: bool  # no uncommitted edits to tracked files: the run tested head_commit itself

    def passed_at(self, commit: str) -> bool:
        return self.exit_status == 0 and self.worktree_clean and self.head_commit == commit


@dataclass(frozen=True)
class Job:
    """A flagged file and the names a test would use for it."""

    path: str
    modules: tuple[str, ...]  # dotted names the file may be imported as, longest first
    functions: tuple[str, ...]


# --- the flagged job --------------------------------------------------------------------------


def module_names(path: str) -> tuple[str, ...]:
    """``src/shop/inventory.py`` -> ("src.shop.inventory", "shop.inventory", "inventory"): a
    test imports the module relative to some source root this module cannot know."""
    if not path.endswith(".py"):
        return ()
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(_IDENT.match(p) for p in parts):
        return ()
    return tuple(".".join(parts[i:]) for i in range(len(parts)))


def _enclosing(tree: ast.AST, line: int) -> list[str]:
    """Names of the functions and classes around ``line``, outermost first."""
    out: list[str] = []
    node: ast.AST = tree
    while True:
        inner = next((
            child for child in ast.iter_child_nodes(node)
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and child.lineno <= line <= (child.end_lineno or child.lineno)
        ), None)
        if inner is None:
            return out
        out.append(inner.name)
        node = inner


def flagged_jobs(findings: Sequence[Finding], head_text: Callable[[str], str | None]) -> list[Job]:
    """The files the flagging findings are in, with the functions (and classes) around each
    finding at head and the names the findings' messages quote."""
    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        if f.flags and not f.suppressed:
            by_path.setdefault(f.path, []).append(f)
    jobs = []
    for path, found in by_path.items():
        names: list[str] = []
        tree = _parse(head_text(path)) if path.endswith(".py") else None
        for f in found:
            if tree is not None and f.side == "head":
                names.extend(_enclosing(tree, f.line))
            names.extend(_NAME_IN_MESSAGE.findall(f.message))
        jobs.append(Job(path, module_names(path), tuple(dict.fromkeys(n for n in names if _IDENT.match(n)))))
    return jobs


def _parse(text: str | None) -> ast.Module | None:
    if text is None or len(text) > MAX_SOURCE:
        return None
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


# --- the named test ---------------------------------------------------------------------------


def named_test(details: str) -> tuple[str, str, list[str]] | None:
    """(what the author wrote, the file path, the node id's names) for the first token of
    ``details`` that names a file; None when the details name only a command."""
    for raw in details.split():
        token = raw.strip("`'\"()[],;")
        if token.endswith((".", ":")) and not token.endswith("::"):
            token = token[:-1]
        m = _NODE.match(token)
        if m is None or "://" in token:
            continue
        path = m.group("path")
        if not PATH_LIKE.match(path):  # "e.g." is no file: the same test answers.py applies
            continue
        rest = [re.sub(r"\[.*$", "", part) for part in (m.group("rest") or "").split("::") if part]
        return token, path[2:] if path.startswith("./") else path, rest
    return None


def _find(tree: ast.Module, names: list[str]) -> tuple[ast.AST | None, ast.ClassDef | None]:
    """The function (or class) ``Class::method`` names in ``tree``, and the class around it."""
    scope: ast.AST = tree
    owner = None
    for name in names:
        found = next((
            n for n in ast.iter_child_nodes(scope)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == name
        ), None)
        if found is None:
            return None, None
        if isinstance(scope, ast.ClassDef):
            owner = scope
        scope = found
    return scope, owner


class _Imports:
    """Local name -> the dotted name it stands for, from every import in the file."""

    def __init__(self, tree: ast.Module) -> None:
        self.names: dict[str, str] = {}
        self.imported: list[tuple[str, int]] = []  # (dotted module or module.name, line)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.imported.append((alias.name, node.lineno))
                    local = alias.asname or alias.name.split(".")[0]
                    self.names[local] = alias.name if alias.asname else local
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                self.imported.append((node.module, node.lineno))
                for alias in node.names:
                    self.imported.append((f"{node.module}.{alias.name}", node.lineno))
                    self.names[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def resolve(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.names.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return f"{base}.{node.attr}" if base else None
        return None


def _scope(tree: ast.Module, target: ast.AST, owner: ast.ClassDef | None) -> list[ast.AST]:
    """``target`` and the functions of the same file it calls (by name, or as ``self.x`` on its
    class), transitively: a test that hands its work to a helper still counts."""
    functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    methods = {n.name: n for n in (owner.body if owner else []) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    seen: list[ast.AST] = []
    todo = [target]
    while todo:
        node = todo.pop()
        if any(node is s for s in seen):
            continue
        seen.append(node)
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and inner.id in functions:
                todo.append(functions[inner.id])
            elif (isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name)
                  and inner.value.id in ("self", "cls") and inner.attr in methods):
                todo.append(methods[inner.attr])
    return seen


def _references(tree: ast.Module, imports: _Imports, scope: Iterable[ast.AST], jobs: Sequence[Job]) -> list[str]:
    modules = {m for job in jobs for m in job.modules}
    by_line: dict[int, str] = {}  # one per import statement: `from m import f` says "m.f"
    for dotted, line in imports.imported:
        if any(dotted == m or dotted.startswith(m + ".") for m in modules):
            by_line[line] = f"imports {dotted} (line {line})"
    found = list(by_line.values())
    functions = {name for job in jobs for name in job.functions}
    for node in (n for s in scope for n in ast.walk(s)):
        if not isinstance(node, (ast.Name, ast.Attribute)):
            continue
        name = node.id if isinstance(node, ast.Name) else node.attr
        if name in functions:
            found.append(f"uses {name} (line {node.lineno})")
    return list(dict.fromkeys(found))[:4]


def _root(imports: _Imports, node: ast.AST) -> str | None:
    """The resolved name at the bottom of ``a.b(...).c``: what the chain starts from."""
    while isinstance(node, (ast.Attribute, ast.Call)):
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return imports.resolve(node)


def _concurrency(imports: _Imports, scope: Iterable[ast.AST]) -> list[str]:
    found: list[str] = []
    for node in (n for s in scope for n in ast.walk(s)):
        if not isinstance(node, ast.Call):
            continue
        dotted = imports.resolve(node.func) or ""
        if dotted in _CONCURRENT_CALLS or dotted.endswith(".run_concurrently") or dotted == "run_concurrently":
            found.append(f"calls {dotted} (line {node.lineno})")
        elif isinstance(node.func, ast.Attribute) and node.func.attr in _CONCURRENT_METHODS:
            found.append(f"calls .{node.func.attr}() (line {node.lineno})")
        elif isinstance(node.func, ast.Attribute) and node.func.attr in ("Process", "Pool", "Barrier") and (
                (_root(imports, node.func) or "").startswith("multiprocessing")):  # get_context("spawn").Process
            found.append(f"calls multiprocessing {node.func.attr} (line {node.lineno})")
    return list(dict.fromkeys(found))[:4]


def assess(
    details: str,
    findings: Sequence[Finding],
    head_exists: Callable[[str], bool],
    head_text: Callable[[str], str | None],
) -> ConcurrencyTest | None:
    """What the test ``details`` name shows at head; None when they name no file (a command
    such as ``pytest -k concurrent`` is the author's word and is shown as given)."""
    named = named_test(details)
    if named is None:
        return None
    name, path, names = named
    if not head_exists(path):
        return ConcurrencyTest(name, exists=False, evidence=(f"{path} is not in the head commit",))
    if not path.endswith(".py"):
        # Read as text only: the checklist warned when it shows no sign of concurrency, and the
        # record and the pull request's block say so too (a new user's trial saw the warning at
        # the prompt and "not checked" in the block the reviewer reads).
        text = head_text(path)
        if text is not None and not TEXT_CONCURRENCY.search(text):
            return ConcurrencyTest(name, exists=True, concurrent=False,
                                   note=f"shows no sign of concurrency in its text ({signs_of(path)}; not Python, so read as text only)")
        return ConcurrencyTest(name, exists=True, note=NOT_PYTHON)
    tree = _parse(head_text(path))
    if tree is None:
        return ConcurrencyTest(name, exists=True, note="not checked (the file is not a readable Python module)")
    target: ast.AST = tree
    owner = None
    if names:
        found, owner = _find(tree, names)
        if found is None:
            return ConcurrencyTest(name, exists=False, evidence=(f"{path} has no {'::'.join(names)}",))
        target = found
    imports = _Imports(tree)
    scope = _scope(tree, target, owner) if target is not tree else [tree]
    refs = _references(tree, imports, scope, flagged_jobs(findings, head_text))
    workers = _concurrency(imports, scope)
    return ConcurrencyTest(name, exists=True, references_job=bool(refs), concurrent=bool(workers), evidence=tuple(refs + workers))


def weak_warning(details: str, findings: Sequence[Finding], head_exists: Callable[[str], bool],
                 head_text: Callable[[str], str | None]) -> str | None:
    """The warning ``validate_answers`` gives for a weak answer, or None."""
    found = assess(details, findings, head_exists, head_text)
    if found is None or not found.weak:
        return None
    return found.describe()
