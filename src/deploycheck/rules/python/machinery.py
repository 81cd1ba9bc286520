"""Which functions of a Python job system's own code are its worker machinery (DC101's scope there).

The Python face of rules/trees/machinery.py: in the repository of Celery, RQ, Dramatiq, Huey…
every module runs inside workers, but a CLI option, a deprecation warning or a result payload's
shape does not decide how workers interact. A changed function is machinery when, in its own
syntax tree on either side, it shows one of the kinds of evidence below, when its class or module
is named with the vocabulary of scheduling, retrying and locking (rules/vocabulary.py), or when
machinery of the same module uses it by name. Other functions of the job system's own code are
`info`; what a function reaches through calls into other modules is not followed. A statement
outside any function (a module-level default, a class attribute) is read the same way, and is
also machinery when it binds a name the module's machinery uses (statement_machinery).

Evidence, any of:
- a concurrency construct: threading, multiprocessing, asyncio, concurrent.futures, signal, `sleep`,
  processes and their signals, timers, file locks, the environment, `timedelta`, context variables;
- storage or broker work: SQL text, ORM writes and locks, transactions, Redis writes, pipelines,
  AMQP publishing and consuming;
- a write to state that outlives the call: `self.x = …` outside `__init__`, `cls.x = …`, an
  item or attribute of a module-level or imported object (`CACHE[k] = v`, `REGISTRY.append(x)`),
  a `global`/`nonlocal` name, `setattr` and the other reflective writes, a mutating call on any
  of these; the object under any name (a method's first parameter, `me = self`, `vars(self)`,
  `getattr(self, n)`, `type(self)`), in any storing position (`for self.n in …`, unpacking);
- a name of the function, or one it uses or passes as a keyword argument, made of the
  vocabulary (and `countdown=`, `eta=`).
"""

from __future__ import annotations

import ast
import copy

from ..vocabulary import SQL, named_with

_CONCURRENCY_NAMES = frozenset({
    "threading", "multiprocessing", "asyncio", "concurrent", "Thread", "Lock", "RLock", "Semaphore",
    "BoundedSemaphore", "Event", "Condition", "Barrier", "Process", "Pool", "ThreadPoolExecutor",
    "ProcessPoolExecutor", "gather", "create_task", "ensure_future", "run_coroutine_threadsafe", "wait_for",
    "sleep", "signal", "fork", "gevent", "eventlet", "greenlet", "Queue", "SimpleQueue", "TaskGroup",
    # Processes, timers and file locks of the operating system, and the timing of a worker.
    "alarm", "setitimer", "kill", "killpg", "_exit", "waitpid", "Popen", "subprocess", "select", "selectors",
    "flock", "lockf", "fcntl", "putenv", "unsetenv", "Timer", "timedelta", "monotonic", "contextvars", "ContextVar",
})
# Calls that write or lock storage, or drive a broker, whatever they are called on.
_STORAGE_CALLS = frozenset({
    "save", "update", "delete", "bulk_create", "bulk_update", "select_for_update", "get_or_create",
    "update_or_create", "atomic", "commit", "rollback", "execute", "executemany", "incr", "incrby", "decr",
    "hincrby", "lpush", "rpush", "lpop", "rpop", "blpop", "brpop", "rpoplpush", "brpoplpush", "lmove", "zadd",
    "zrem", "zincrby", "zpopmin", "sadd", "srem", "hset", "hdel", "hmset", "setnx", "setex", "getset", "expire",
    "pexpire", "persist", "xadd", "xack", "xclaim", "publish", "pipeline", "multi", "watch", "eval", "evalsha",
    "register_script", "basic_ack", "basic_nack", "basic_reject", "ack", "nack", "reject", "requeue",
    # The rest of Redis's writes and blocking pops, AMQP's publishing and consuming, ORM sessions.
    "set", "mset", "msetnx", "psetex", "getdel", "getex", "hsetnx", "hincrbyfloat", "incrbyfloat", "decrby",
    "lrem", "ltrim", "lset", "linsert", "lpushx", "rpushx", "blmove", "spop", "smove", "zpopmax", "bzpopmin",
    "bzpopmax", "zremrangebyscore", "zremrangebyrank", "zremrangebylex", "unlink", "rename", "renamenx",
    "expireat", "pexpireat", "xdel", "xtrim", "xautoclaim", "xgroup_create", "xreadgroup", "basic_publish",
    "basic_qos", "basic_consume", "basic_get", "basic_cancel", "basic_recover", "exchange_declare", "queue_bind",
    "drain_events", "send_task", "apply_async", "merge", "flush",
})
_MUTATORS = frozenset({"append", "extend", "insert", "pop", "popleft", "remove", "clear", "add", "discard",
                       "update", "setdefault", "appendleft", "put", "put_nowait", "sort", "reverse", "rotate",
                       "popitem", "move_to_end", "difference_update", "intersection_update",
                       "symmetric_difference_update", "set", "reset", "extendleft"})
# Functions that change the object passed first (`heapq.heappush(self.heap, x)`).
_ARGUMENT_MUTATORS = frozenset({"heappush", "heappop", "heappushpop", "heapreplace", "heapify", "insort",
                                "insort_left", "insort_right", "shuffle"})
# Calls that write an attribute or item whatever the receiver (`object.__setattr__(self, …)`,
# `operator.setitem(self.d, k, v)`): reflection reaches any object.
_REFLECTIVE_WRITES = frozenset({"setattr", "delattr", "__setattr__", "__delattr__", "__setitem__", "__delitem__",
                                "setitem", "delitem"})
# Calls whose result is (a view of) their first argument or its class: `vars(self)[k] = v`
# writes self, `type(self).n = 1` its class.
_SEE_THROUGH = frozenset({"vars", "getattr", "type", "super"})
# Keyword arguments that set when a task runs (`apply_async(countdown=5)`).
_TIMING_ARGUMENTS = frozenset({"countdown", "eta", "at_front", "max_tries", "max_retries"})
_CONSTRUCTORS = frozenset({"__init__", "__new__", "__post_init__", "__init_subclass__", "__set_name__"})


def _root(node: ast.AST) -> tuple[str | None, bool]:
    """The name an attribute or item chain starts from, and whether the chain reaches its class:
    (`self`, False) for `self.x.y`, (`CACHE`, False) for `CACHE[k]`, (`self`, True) for
    `type(self).n` or `self.__class__.n`; (None, False) for anything else (a call's result)."""
    of_class = False
    while True:
        if isinstance(node, ast.Attribute):
            of_class = of_class or node.attr == "__class__"
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.NamedExpr):  # `(me := self).n = 1`
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "globals":
            return "globals()", of_class  # the module's namespace, which no call binds
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _SEE_THROUGH):
            of_class = of_class or node.func.id == "type"
            if not node.args:  # super() stands for the object itself
                return ("self" if node.func.id == "super" else None), of_class
            node = node.args[0]
        else:
            break
    return (node.id if isinstance(node, ast.Name) else None), of_class


def _locals(fn: ast.AST) -> set[str]:
    """The names the function binds itself: its parameters and what it assigns, loops over or
    names in `with … as` (a module-level name it only reads is not one). A name it imports
    is a module, shared by everyone; a parameter whose default is a mutable object keeps that
    object from call to call."""
    names: set[str] = set()
    args = getattr(fn, "args", None)
    if args is not None:
        positional = args.posonlyargs + args.args
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        for a, default in [*zip(positional, defaults), *zip(args.kwonlyargs, args.kw_defaults)]:
            if not isinstance(default, (ast.List, ast.Dict, ast.Set, ast.Call, ast.ListComp, ast.DictComp,
                                        ast.SetComp)):
                names.add(a.arg)
        names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
    return names


def _owners(fn: ast.AST, method: bool) -> dict[str, bool]:
    """The names that stand for the object or its class in ``fn`` -> whether for its class:
    `self` and `cls`, a method's first parameter whatever it is called, and any name bound to
    one of these (`me = self`)."""
    owners = {"self": False, "cls": True}
    args = getattr(fn, "args", None)
    decorators = {d.id for d in getattr(fn, "decorator_list", []) if isinstance(d, ast.Name)}
    if method and args is not None and (args.posonlyargs + args.args) and "staticmethod" not in decorators:
        owners[(args.posonlyargs + args.args)[0].arg] = "classmethod" in decorators
    changed = True
    while changed:
        changed = False
        for node in ast.walk(fn):
            pairs: list[tuple[ast.AST, ast.AST]] = []
            if isinstance(node, ast.Assign):
                pairs = [(t, node.value) for t in node.targets]
            elif isinstance(node, (ast.NamedExpr, ast.AnnAssign)) and node.value is not None:
                pairs = [(node.target, node.value)]
            for target, value in pairs:
                root, of_class = _root(value)
                if isinstance(target, ast.Name) and root in owners and target.id not in owners:
                    owners[target.id] = owners[root] or of_class
                    changed = True
    return owners


def _aliases(fn: ast.AST, local: set[str]) -> set[str]:
    """The names ``fn`` binds to a module-level object or a part of one (`r = REGISTRY`,
    `jobs = STATE["jobs"]`): writing through them writes that object."""
    aliases: set[str] = set()
    changed = True
    while changed:
        changed = False
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign):
                pairs = [(t, node.value) for t in node.targets]
            elif isinstance(node, (ast.NamedExpr, ast.AnnAssign)) and node.value is not None:
                pairs = [(node.target, node.value)]
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                pairs = [(node.target, node.iter)]  # `for job in REGISTRY: job.n = 1`
            else:
                continue
            for target, value in pairs:
                root, _ = _root(value)
                if (isinstance(target, ast.Name) and target.id not in aliases and root is not None
                        and (root not in local or root in aliases)):
                    aliases.add(target.id)
                    changed = True
    return aliases


def _shared(target: ast.AST, local: set[str], constructing: bool, owners: dict[str, bool]) -> bool:
    """Whether writing through ``target`` changes state that outlives the call: the object's
    (`self.x`, outside a constructor), the class's (`cls.x`), or a module-level object's
    (`CACHE[k]`, `REGISTRY.items`): a name the function does not bind itself."""
    if not isinstance(target, (ast.Attribute, ast.Subscript, ast.Call)):
        return False
    root, of_class = _root(target)
    if root is None:
        return False
    if root in owners:
        return owners[root] or of_class or not constructing
    return root not in local


def evidence(fn: ast.AST, method: bool = False, writes: bool = True) -> str | None:
    """The first piece of evidence that function ``fn`` is worker machinery, or None;
    ``method``: whether ``fn`` is defined in a class (its first parameter is the object);
    ``writes``: whether writes to state that outlives the call count (not for a statement
    outside any function, which runs once, at import, where all state is the module's)."""
    name = getattr(fn, "name", "")
    if named_with(name):
        return f"the name `{name}`"
    constructing = name in _CONSTRUCTORS
    owners = _owners(fn, method)
    local = _locals(fn)
    local -= _aliases(fn, local)
    for node in ast.walk(fn):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            return f"`{'global' if isinstance(node, ast.Global) else 'nonlocal'} {', '.join(node.names)}`"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            return f"SQL text ({node.value[:40].strip()})"
        if isinstance(node, ast.Name):
            if node.id in _CONCURRENCY_NAMES:
                return f"`{node.id}`"
            if named_with(node.id):
                return f"the name `{node.id}`"
        elif isinstance(node, ast.Attribute):
            if node.attr in _CONCURRENCY_NAMES:
                return f"`{node.attr}`"
            if named_with(node.attr):
                return f"the name `{node.attr}`"
        elif isinstance(node, ast.keyword) and node.arg and (
                node.arg in _TIMING_ARGUMENTS or named_with(node.arg)):
            return f"the argument `{node.arg}=`"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _STORAGE_CALLS:
            return f"a call to `{node.func.attr}`"
        if isinstance(node, ast.Call) and writes:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if called in _REFLECTIVE_WRITES:
                return f"`{called}`"
            if called in _ARGUMENT_MUTATORS and node.args and (
                    _shared(node.args[0], local, constructing, owners)
                    or (isinstance(node.args[0], ast.Name) and node.args[0].id not in local)):
                return f"`{called}({ast.unparse(node.args[0])}, …)` changes state that outlives the call"
            if isinstance(func, ast.Attribute):
                receiver = func.value
                if called in _MUTATORS and (_shared(receiver, local, constructing, owners) or (
                        isinstance(receiver, ast.Name) and (receiver.id in owners or receiver.id not in local))):
                    return f"`{ast.unparse(func)}` changes state that outlives the call"
        # Every place that stores: `=`, `+=`, `del`, a `for`/`with … as` target, an unpacking.
        if writes and isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, (ast.Store, ast.Del)):
            if _shared(node, local, constructing, owners):
                return f"a write to `{ast.unparse(node)}`"
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
            else:  # functions defined under `if`, `try`, `with`…: per platform, per optional import
                for child in ast.iter_child_nodes(stmt):
                    if isinstance(child, (ast.ExceptHandler, ast.match_case)):
                        visit(child.body, cls)
                    elif isinstance(child, ast.stmt):
                        visit([child], cls)

    visit(tree.body, None)
    why: dict[int, str] = {}
    for fn, cls in functions:
        found = evidence(fn, method=cls is not None)
        if found is None and cls is not None and named_with(cls):
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


def _bound(stmt: ast.AST) -> list[str]:
    """The names a module- or class-level statement binds, in order: `DEFAULT_TIMEOUT`,
    `tries` of a dataclass field, an import's alias, a class's name."""
    names: list[str] = []
    for node in ast.walk(stmt):
        name = None
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            name = node.id
        elif isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            name = node.name
        elif isinstance(node, ast.alias):
            name = (node.asname or node.name).partition(".")[0]
        if name is not None and name not in names:
            names.append(name)
    return names


def _statements(tree: ast.Module) -> list[tuple[ast.AST, str | None, int, int]]:
    """The module's and its classes' statements other than functions: (statement, class,
    first line, last line); a class's header (decorators, bases, keywords) is a statement too."""
    out: list[tuple[ast.AST, str | None, int, int]] = []

    def visit(body: list[ast.stmt], cls: str | None) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if isinstance(stmt, ast.ClassDef):
                header = copy.copy(stmt)
                header.body = []
                first = min([stmt.lineno, *(d.lineno for d in stmt.decorator_list)])
                out.append((header, cls, first, stmt.body[0].lineno - 1 if stmt.body else stmt.lineno))
                visit(stmt.body, stmt.name)
            elif isinstance(stmt, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
                # A block is read statement by statement (a large `if HUEY is None:` holds
                # everything); its header (the test, the `with` items) is one too.
                blocks = [b for b in (stmt.body, getattr(stmt, "orelse", []), getattr(stmt, "finalbody", [])) if b]
                blocks += [h.body for h in getattr(stmt, "handlers", [])]
                head = copy.copy(stmt)
                for field in ("body", "orelse", "finalbody", "handlers"):
                    if hasattr(head, field):
                        setattr(head, field, [])
                out.append((head, cls, stmt.lineno, stmt.body[0].lineno - 1 if stmt.body else stmt.lineno))
                for block in blocks:
                    visit(block, cls)
            else:
                out.append((stmt, cls, stmt.lineno, stmt.end_lineno or stmt.lineno))

    visit(tree.body, None)
    return out


def _machinery_names(tree: ast.Module | None) -> set[str]:
    """The names the module's worker machinery uses."""
    if tree is None:
        return set()
    why = module_machinery(tree)
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and id(node) in why:
            used |= _names_used(node)
    return used


# Module-level statements that only name a logger or a type: no worker reads them as data.
_INERT_CALLS = frozenset({"getLogger", "get_logger", "get_task_logger", "TypeVar", "ParamSpec", "TypeVarTuple",
                          "NewType"})


def _inert(stmt: ast.AST) -> bool:
    """A docstring, a logger, a type variable or alias, or a block only for type checkers."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
        return True
    if isinstance(stmt, ast.AnnAssign) and "TypeAlias" in ast.unparse(stmt.annotation):
        return True
    if type(stmt).__name__ == "TypeAlias":  # `type X = …` (Python 3.12)
        return True
    if isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test) and not stmt.orelse:
        return True
    value = getattr(stmt, "value", None)
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(value, ast.Call):
        func = value.func
        called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        return called in _INERT_CALLS
    return False


def _imports(tree: ast.Module | None) -> dict[str, str]:
    """Name -> what the module's imports bind it to (`Lock` -> `.locks.Lock`)."""
    out: dict[str, str] = {}
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Import):
            for a in node.names:
                out[a.asname or a.name.partition(".")[0]] = a.name if a.asname else a.name.partition(".")[0]
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                out[a.asname or a.name] = f"{'.' * node.level}{node.module or ''}.{a.name}"
    return out


def _parse(text: str | None) -> ast.Module | None:
    try:
        return ast.parse(text) if text is not None else None
    except (SyntaxError, ValueError):
        return None


def statement_machinery(text: str, other: str | None, lines: list[int],
                        module_why: str | None = None) -> list[tuple[int, int, list[str], str | None]]:
    """For the module- and class-level statements of ``text`` (one side of a job system's own
    module) that hold one of ``lines`` and that the other side (``other``) does not have as
    they are: (first line, last line, the names it binds, why it is worker machinery or None).
    Machinery: its own evidence, its class's or module's (``module_why``) name, or a name it
    binds that the module's machinery uses (on either side); a module or class docstring is not."""
    tree, other_tree = _parse(text), _parse(other)
    if tree is None:
        return [(min(lines), max(lines), [], "its code could not be read")]
    others = {(cls, ast.dump(stmt)) for stmt, cls, _, _ in _statements(other_tree)} if other_tree is not None else set()
    other_classes = {n.name for n in ast.walk(other_tree) if isinstance(n, ast.ClassDef)} if other_tree else set()
    used = _machinery_names(tree) | _machinery_names(other_tree)
    imports, other_imports = _imports(tree), _imports(other_tree)
    out: list[tuple[int, int, list[str], str | None]] = []
    for stmt, cls, first, last in _statements(tree):
        if not any(first <= n <= last for n in lines) or (cls, ast.dump(stmt)) in others:
            continue
        if _inert(stmt):
            continue
        if isinstance(stmt, ast.ClassDef) and stmt.name not in other_classes:
            continue  # a new class's header: what it holds is read statement by statement
        names = _bound(stmt)
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            # A name imported, or no longer, changes nothing until code uses it, and that code
            # changed too; a name bound to another object (`from .redis import Lock` for
            # `.memcache`) changes every use.
            names = [n for n in names if n in other_imports and other_imports[n] != imports.get(n)]
            if not names:
                continue
        why = evidence(stmt, writes=False) or module_why
        if why is None and cls is not None and named_with(cls):
            why = f"it belongs to `{cls}`"
        for name in names:
            if why is not None:
                break
            if named_with(name):
                why = f"the name `{name}`"
            elif name in used:
                why = f"machinery of its module uses `{name}`"
        out.append((first, last, names, why))
    return out
