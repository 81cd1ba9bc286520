"""Which functions of a Python job system's own code are its worker machinery (DC101's scope there).

The Python face of rules/trees/machinery.py: in the repository of Celery, RQ, Dramatiq, Huey…
every module runs inside workers, but a CLI option, a deprecation warning or a result payload's
shape does not decide how workers interact. A changed function is machinery when, in its own
syntax tree on either side, it shows one of the kinds of evidence below, when its class or module
is named with the vocabulary of scheduling, retrying and locking (rules/vocabulary.py), or when
machinery of the same module uses it by name. Other functions of the job system's own code are
`info`; what a function reaches through calls into other modules is not followed.

Evidence, any of:
- a concurrency construct: threading, multiprocessing, asyncio, concurrent.futures, signal, `sleep`;
- storage or broker work: SQL text, ORM writes and locks, transactions, Redis writes, pipelines;
- a write to state that outlives the call: `self.x = …` outside `__init__`, `cls.x = …`, an
  item or attribute of a module-level object (`CACHE[k] = v`, `REGISTRY.append(x)`), a
  `global`/`nonlocal` name, `setattr`, a mutating call on any of these;
- a name of the function, or one it uses, made of the vocabulary.
"""

from __future__ import annotations

import ast

from ..vocabulary import SQL, in_vocabulary, words

_CONCURRENCY_NAMES = frozenset({
    "threading", "multiprocessing", "asyncio", "concurrent", "Thread", "Lock", "RLock", "Semaphore",
    "BoundedSemaphore", "Event", "Condition", "Barrier", "Process", "Pool", "ThreadPoolExecutor",
    "ProcessPoolExecutor", "gather", "create_task", "ensure_future", "run_coroutine_threadsafe", "wait_for",
    "sleep", "signal", "fork", "gevent", "eventlet", "greenlet", "Queue", "SimpleQueue", "TaskGroup",
})
# Calls that write or lock storage, or drive a broker, whatever they are called on.
_STORAGE_CALLS = frozenset({
    "save", "update", "delete", "bulk_create", "bulk_update", "select_for_update", "get_or_create",
    "update_or_create", "atomic", "commit", "rollback", "execute", "executemany", "incr", "incrby", "decr",
    "hincrby", "lpush", "rpush", "lpop", "rpop", "blpop", "brpop", "rpoplpush", "brpoplpush", "lmove", "zadd",
    "zrem", "zincrby", "zpopmin", "sadd", "srem", "hset", "hdel", "hmset", "setnx", "setex", "getset", "expire",
    "pexpire", "persist", "xadd", "xack", "xclaim", "publish", "pipeline", "multi", "watch", "eval", "evalsha",
    "register_script", "basic_ack", "basic_nack", "basic_reject", "ack", "nack", "reject", "requeue",
})
_MUTATORS = frozenset({"append", "extend", "insert", "pop", "popleft", "remove", "clear", "add", "discard",
                       "update", "setdefault", "appendleft", "put", "put_nowait"})
_CONSTRUCTORS = frozenset({"__init__", "__new__", "__post_init__", "__init_subclass__", "__set_name__"})


def _root(node: ast.AST) -> str | None:
    """The name an attribute or item chain starts from: `self` for `self.x.y`, `CACHE` for
    `CACHE[k]`; None for anything else (a call's result)."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _locals(fn: ast.AST) -> set[str]:
    """The names the function binds itself: its parameters and what it assigns, loops over,
    imports or names in `with … as` (a module-level name it only reads is not one)."""
    names: set[str] = set()
    args = getattr(fn, "args", None)
    if args is not None:
        names.update(a.arg for a in args.posonlyargs + args.args + args.kwonlyargs)
        names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).partition(".")[0] for a in node.names)
    return names


def _shared(target: ast.AST, local: set[str], constructing: bool) -> bool:
    """Whether writing through ``target`` changes state that outlives the call: the object's
    (`self.x`, outside a constructor), the class's (`cls.x`), or a module-level object's
    (`CACHE[k]`, `REGISTRY.items`): a name the function does not bind itself."""
    if not isinstance(target, (ast.Attribute, ast.Subscript)):
        return False
    root = _root(target)
    if root == "self":
        return not constructing
    return root == "cls" or (root is not None and root not in local)


def evidence(fn: ast.AST) -> str | None:
    """The first piece of evidence that function ``fn`` is worker machinery, or None."""
    name = getattr(fn, "name", "")
    if any(in_vocabulary(w) for w in words(name)):
        return f"the name `{name}`"
    constructing = name in _CONSTRUCTORS
    local = _locals(fn)
    for node in ast.walk(fn):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            return f"`{'global' if isinstance(node, ast.Global) else 'nonlocal'} {', '.join(node.names)}`"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            return f"SQL text ({node.value[:40].strip()})"
        if isinstance(node, ast.Name):
            if node.id in _CONCURRENCY_NAMES:
                return f"`{node.id}`"
            if any(in_vocabulary(w) for w in words(node.id)):
                return f"the name `{node.id}`"
        elif isinstance(node, ast.Attribute):
            if node.attr in _CONCURRENCY_NAMES:
                return f"`{node.attr}`"
            if any(in_vocabulary(w) for w in words(node.attr)):
                return f"the name `{node.attr}`"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr = node.func.attr
            if attr in _STORAGE_CALLS:
                return f"a call to `{attr}`"
            receiver = node.func.value
            if attr in _MUTATORS and (_shared(receiver, local, constructing) or (
                    isinstance(receiver, ast.Name) and receiver.id not in local)):
                return f"`{ast.unparse(node.func)}` changes state that outlives the call"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr"):
            return f"`{node.func.id}`"
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = list(node.targets)
        for target in targets:
            if _shared(target, local, constructing):
                return f"a write to `{ast.unparse(target)}`"
    return None


def _names_used(fn: ast.AST) -> set[str]:
    used: set[str] = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
    return used


def module_machinery(tree: ast.Module) -> dict[int, str]:
    """id(function node) -> why it is machinery, for every function of the module: its own
    evidence, its class's or module's name, or a machinery function of the module that uses it
    by name (a fixpoint over the module's functions)."""
    functions: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, str | None]] = []

    def visit(body: list[ast.stmt], cls: str | None) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.append((stmt, cls))
                visit(stmt.body, cls)
            elif isinstance(stmt, ast.ClassDef):
                visit(stmt.body, stmt.name)

    visit(tree.body, None)
    why: dict[int, str] = {}
    for fn, cls in functions:
        found = evidence(fn)
        if found is None and cls is not None and any(in_vocabulary(w) for w in words(cls)):
            found = f"it belongs to `{cls}`"
        if found is not None:
            why[id(fn)] = found
    frontier = [fn for fn, _ in functions if id(fn) in why]
    used = {id(fn): _names_used(fn) for fn, _ in functions}
    while frontier:
        caller = frontier.pop()
        for fn, _ in functions:
            if id(fn) not in why and fn.name in used[id(caller)]:
                why[id(fn)] = f"`{caller.name}` of the same module, which is machinery, uses it"
                frontier.append(fn)
    return why
