"""Proof that a changed function behaves as before: the same syntax tree once the parts that
cannot change what it does are removed.

Issue 16's policy moves the burden of proof: a change to background code is flagged unless
deploycheck can prove its behaviour did not change. The proof is syntactic and conservative.
Two versions are equivalent when their trees are identical after removing, step by step:

- ``formatting``: layout and comments (the tree never holds them);
- ``docstrings``: the leading string of a module, class or function body;
- ``logging``: statements that only call ``print`` or a logger's ``debug``/``info``/``warning``/
  ``error``/``exception``/``critical``/``log`` (a receiver whose dotted name contains "log"),
  ``warnings.warn`` or ``….stdout.write``/``….stderr.write`` (a management command's output),
  and then the locals nothing reads any more, when their value is computed without side effects
  (names, attributes, literals, operators and a few pure calls: ``_PURE_CALLS``,
  ``_PURE_METHODS``); an ``if`` left with nothing in any branch when its test is such a value
  (``if stderr: print(…) else: logger.error(…)``); an ``except`` clause whose body is, once
  stripped, the same as that of the clause right after it when that one catches ``Exception``
  (or everything) and the first names no exception outside ``Exception``
  (``except ClientError: log.info(…)`` before ``except Exception: log.exception(…)``); the last
  ``except`` clauses when they only raise again what they caught (``_without_rethrowing_handlers``);
  ``if exc := future.exception(): raise exc`` once ``future.result()`` returned, for a parameter
  annotated ``Future`` (``_reraises_settled_future``); and the
  name given to ``getLogger``/``get_logger``/``get_task_logger`` (it chooses where log records
  go, nothing else); a ``for`` loop left with an empty body, over a value without side effects
  and not over a locking query set, whose loop variables nothing else reads (``_idle_loop``);
  comprehensions count as values without side effects, so one that only built a log message
  goes with the message; and ``print`` through a blessed/blessings ``Terminal`` made in the
  function, whose methods only build escape codes (``_terminal_names``);
- ``annotations``: parameter and return annotations and annotated assignments' annotations.

Anything else — a renamed variable, a reordered statement, a changed decorator argument — is a
behaviour change as far as this module can tell. A logging call whose arguments call something
with arguments (``log.info("%s", audit.record(pid))``) or a state-changing method without them
(``log.info(queue.pop())``: pop, acquire, save, read…, by name) is not removed; one whose side
effect hides in another call without arguments would be removed wrongly;
the receiver/method test keeps that rare, and it is listed in DC101's known problems.
Iterating a name is read as reading a collection: a log-only loop over a generator handed in
would be removed although it consumes it (listed there too).

Beside the tree comparison, ``only_formats`` proves a different thing for a method of a log
formatter class (``formatter_class``): whatever changed in it, it only shapes the log record it is
given, so the background code that logs behaves as before.
"""

from __future__ import annotations

import ast
import builtins
import copy
from collections import Counter
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import NamedTuple

STEPS = ("formatting", "docstrings", "logging", "annotations")


class Facts(NamedTuple):
    """What the rest of the repository proves about names a function uses (rules/python/logflow.py
    finds them; empty when the proof stays inside the function):

    - ``pure_calls``: project functions called by these names that only compute a value
      (``truncate(repr(result))`` in a local that fed a log line);
    - ``quiet_keywords``: callee name -> keyword parameters whose value the callee only logs
      (``emergency_dump_state(messages, stderr=stderr)`` when it only prints to ``stderr``);
    - ``quiet_attributes``: attribute names nothing in the repository reads except to log
      (``self.log_results = log_results``, read only to blank a log line's text);
    - ``futures``, ``shadowed``: what the function's module imports and rebinds (``module_facts``).
    """

    pure_calls: frozenset[str] = frozenset()
    quiet_keywords: Mapping[str, frozenset[str]] = {}
    quiet_attributes: frozenset[str] = frozenset()
    # Annotations that name the standard library's futures in this module (``future_types``).
    futures: frozenset[str] = frozenset()
    # The module rebinds a name the proof trusts (``print``, ``len``, ``sorted``…): no logging step.
    shadowed: bool = False


NO_FACTS = Facts()
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log", "msg"})


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call):
        parts.append(_dotted(node.func) + "()")
    return ".".join(reversed(parts))


def is_logging_statement(stmt: ast.stmt, terminals: frozenset[str] = frozenset()) -> bool:
    """``print(…)``, ``logger.info(…)``, ``self.log.warning(…)``, ``logging.getLogger(__name__).error(…)``,
    whose arguments do not act (``_arguments_act``; ``terminals``: see ``_terminal_names``)."""
    if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
        return False
    return _names_a_logger(stmt.value) and not _arguments_act(stmt.value, terminals)


# Calls with arguments that only format a value for the log line.
_FORMATTING = frozenset({"format", "join", "dumps", "isoformat", "strftime", "hex",
                         # translation of the message (`logger.info(_(f"…"))`, Django's gettext)
                         "_", "gettext", "gettext_lazy", "ngettext", "pgettext", "ugettext", "ugettext_lazy"})
# Methods that change state although they take no argument (`queue.pop()` in a log line takes
# an item off the queue): such a call is no read of a value. Names, not types: a getter called
# `pop` is read as acting, which only makes the proof fail closed.
_ACTING_WITHOUT_ARGUMENTS = frozenset({
    "pop", "popleft", "popitem", "get_nowait", "acquire", "release", "incr", "decr", "increment",
    "decrement", "delete", "remove", "clear", "save", "create", "commit", "rollback", "reset",
    "flush", "close", "start", "stop", "cancel", "run", "execute", "dequeue", "enqueue", "claim",
    "lock", "unlock", "consume", "read", "readline", "send", "tick", "advance", "refresh_from_db",
})


def _arguments_act(call: ast.Call, terminals: frozenset[str] = frozenset()) -> bool:
    """Whether a logging call's arguments may change state: a call with arguments that is not a
    pure or formatting one (``log.info("%s", audit.record(pid, qty))``), ``await``, ``yield`` or
    ``:=``, or a call without arguments to a method that changes state (``queue.pop()``). Such a
    statement is no logging to drop from the proof (red team 3). Other calls without arguments
    (``order.get_id()``) are still read as reading a value, and so is a call on a terminal that
    only builds the escape codes of the printed text (``_terminal_names``)."""
    for argument in [*call.args, *(k.value for k in call.keywords)]:
        for node in ast.walk(argument):
            if isinstance(node, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
                return True
            if isinstance(node, ast.Call) and _formats_for_terminal(node, terminals):
                continue
            if isinstance(node, ast.Call) and (node.args or node.keywords):
                name = _dotted(node.func)
                if name not in _PURE_CALLS and name.rpartition(".")[2] not in _FORMATTING or not _function_arguments_pure(node):
                    return True
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _ACTING_WITHOUT_ARGUMENTS:
                return True
    return False


# blessed/blessings `Terminal` methods that do more than return text: they read the keyboard or
# query the terminal (which writes to it and waits for its answer). Every other method and
# attribute of a Terminal builds a string of escape codes (`term.move(1, 2)`, `term.center(s)`,
# `term.bold_red_on_white(s)`, `term.clear`), which a print then writes.
_TERMINAL_ACTING = frozenset({
    "inkey", "getch", "ungetch", "kbhit", "flushinp", "get_location", "get_fgcolor", "get_bgcolor",
    "cbreak", "raw", "fullscreen", "hidden_cursor", "keypad", "location", "notify_on_resize",
})
_TERMINAL_CLASSES = frozenset({"blessed.Terminal", "blessings.Terminal"})


def _terminal_names(tree: ast.AST) -> frozenset[str]:
    """Names in ``tree`` bound to a blessed/blessings ``Terminal()`` and to nothing else, the class
    imported from that library in ``tree`` itself (``from blessed import Terminal`` in the function,
    as a terminal monitor does when the library is optional). A name bound twice, a parameter or a
    global is left out: its value could be anything."""
    classes: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("blessed", "blessings"):
            classes.update(alias.asname or alias.name for alias in node.names if alias.name == "Terminal")
        elif isinstance(node, ast.Import):
            classes.update(f"{alias.asname or alias.name}.Terminal" for alias in node.names if alias.name in ("blessed", "blessings"))
    if not classes:
        return frozenset()
    bound: Counter = Counter()
    terminals = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Name, ast.arg)) and not isinstance(getattr(node, "ctx", ast.Store()), ast.Load):
            bound[node.id if isinstance(node, ast.Name) else node.arg] += 1
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update({name: 2 for name in node.names})
        if (
            isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call) and _dotted(node.value.func) in classes
        ):
            terminals.add(node.targets[0].id)
    return frozenset(name for name in terminals if bound[name] == 1)


def _formats_for_terminal(call: ast.Call, terminals: frozenset[str]) -> bool:
    """``term.move(i, 0)``, ``term.white_on_cyan(text)``: a method of a known terminal that only
    returns text (its own arguments are checked like any other)."""
    func = call.func
    if not terminals or not isinstance(func, ast.Attribute) or func.attr in _TERMINAL_ACTING:
        return False
    receiver = func.value
    while isinstance(receiver, ast.Attribute):  # term.normal.bold(...): still the terminal's text
        if receiver.attr in _TERMINAL_ACTING:
            return False
        receiver = receiver.value
    return isinstance(receiver, ast.Name) and receiver.id in terminals


def _names_a_logger(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id == "print"
    if not isinstance(func, ast.Attribute):
        return False
    receiver = _dotted(func.value).lower()
    if func.attr in _LOG_METHODS and "log" in receiver:
        return True
    # A management command's self.stdout.write(…), sys.stderr.write(…), warnings.warn(…): output
    # for a person, like print.
    if func.attr == "write":
        return receiver.endswith(("stdout", "stderr"))
    return func.attr == "warn" and receiver == "warnings"


# Exceptions that do not derive from Exception: an `except Exception` clause does not catch them,
# so a clause naming one of them is never merged into it (see _merge_handlers).
_BASE_ONLY = frozenset({
    "BaseException", "KeyboardInterrupt", "SystemExit", "GeneratorExit", "CancelledError", "BaseExceptionGroup",
    "Terminated", "WorkerLostError", "SoftTimeLimitExceeded", "TimeLimitExceeded",
})
_LOGGER_FACTORIES = frozenset({"getLogger", "get_logger", "get_task_logger", "getChild"})


def _empty(body: list[ast.stmt]) -> bool:
    return all(isinstance(stmt, ast.Pass) for stmt in body)


def _idle_if(stmt: ast.stmt, locking: AbstractSet[str] = frozenset(), pure_calls: AbstractSet[str] = frozenset()) -> bool:
    """``if <value without side effects>:`` whose branches are all empty: it does nothing."""
    return (
        isinstance(stmt, ast.If) and _empty(stmt.body) and _empty(stmt.orelse) and _pure(stmt.test, pure_calls)
        and not _iterates_locking(stmt.test, locking)
    )


def _catches_everything_but_base(handler: ast.ExceptHandler) -> bool:
    return handler.type is None or _dotted(handler.type).rsplit(".", 1)[-1] in ("Exception", "BaseException")


def _derives_from_exception(node: ast.AST) -> bool:
    """Whether an exception class named in an ``except`` is known to derive from ``Exception``: only
    a built-in one. A project's or library's class may derive from ``BaseException`` whatever its
    name (red team of session 7: `Shutdown`, then `StopError`, merged into `except Exception`,
    escaped unhandled)."""
    last = _dotted(node).rsplit(".", 1)[-1]
    if last in _BASE_ONLY or "." in _dotted(node):
        return False
    found = getattr(builtins, last, None)
    return isinstance(found, type) and issubclass(found, Exception)


def _merge_handlers(node: ast.Try) -> None:
    """Drop an ``except`` clause that does what the next clause does, when that one catches
    ``Exception`` or everything: its exceptions then reach the same code either way. A clause
    naming an exception outside ``Exception`` (``KeyboardInterrupt``, ``CancelledError``) is kept,
    and so is one with side effects in its type expression."""
    handlers = node.handlers
    index = 0
    while index < len(handlers) - 1:
        this, after = handlers[index], handlers[index + 1]
        named = [] if this.type is None else (this.type.elts if isinstance(this.type, ast.Tuple) else [this.type])
        if (
            this.type is not None
            and _catches_everything_but_base(after)
            and this.name == after.name
            and _pure(this.type)
            and all(_derives_from_exception(t) for t in named)
            and [ast.dump(s) for s in this.body] == [ast.dump(s) for s in after.body]
        ):
            del handlers[index]
            index = max(index - 1, 0)
            continue
        index += 1


def _rethrows(handler: ast.ExceptHandler) -> bool:
    """``except Exception as exc: raise exc`` (or a bare ``raise``), once its logging is gone."""
    if len(handler.body) != 1 or not isinstance(handler.body[0], ast.Raise) or handler.body[0].cause is not None:
        return False
    raised = handler.body[0].exc
    return (raised is None or isinstance(raised, ast.Name) and raised.id == handler.name) and (handler.type is None or _pure(handler.type))


def _without_rethrowing_handlers(node: ast.Try) -> ast.Try | list[ast.stmt]:
    """Drop the last ``except`` clauses while they only raise again what they caught: the
    exception leaves the ``try`` as it would without them (a clause before another is kept, as
    removing it would hand its exceptions to the next one). A ``try`` left with no clause and no
    ``finally`` is its body and its ``else``."""
    while node.handlers and _rethrows(node.handlers[-1]):
        node.handlers.pop()
    if node.handlers:
        return node
    if node.finalbody and not _empty(node.finalbody):
        node.body, node.orelse = [*node.body, *node.orelse], []
        return node
    return [*node.body, *node.orelse]


# The standard library's futures: `result()` returns only when the work finished without an
# exception, and `exception()` then returns None. (module that defines it, its name there)
_FUTURE_MODULES = frozenset({"concurrent.futures", "concurrent.futures._base", "asyncio", "asyncio.futures"})


def future_types(imported: Mapping[str, str], rebound: AbstractSet[str]) -> frozenset[str]:
    """The annotations that mean a standard future in a module, from its imports (local name ->
    module): ``Future`` imported from concurrent.futures or asyncio, ``concurrent.futures.Future``,
    ``asyncio.Future``, ``futures.Future`` (``from concurrent import futures``); none the module
    binds again (its own ``class Future`` whose ``result()`` may return on failure)."""
    out = set()
    if imported.get("Future") in _FUTURE_MODULES and "Future" not in rebound:
        out.add("Future")
    if imported.get("concurrent") == "concurrent.futures" and "concurrent" not in rebound:
        out.add("concurrent.futures.Future")
    if imported.get("asyncio") == "asyncio" and "asyncio" not in rebound:
        out.add("asyncio.Future")
    if imported.get("futures") == "concurrent" and "futures" not in rebound:
        out.add("futures.Future")
    return frozenset(out)


def _future_names(tree: ast.AST, types: AbstractSet[str]) -> frozenset[str]:
    """Parameters annotated as a standard future (``future: Future[str | None]``, ``types``) that
    nothing rebinds."""
    if not types:
        return frozenset()
    params = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arguments):
            for arg in [*node.posonlyargs, *node.args, *node.kwonlyargs]:
                annotation = arg.annotation.value if isinstance(arg.annotation, ast.Subscript) else arg.annotation
                if annotation is not None and _dotted(annotation) in types:
                    params.add(arg.arg)
    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    counted = Counter(a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments) for a in [*n.posonlyargs, *n.args, *n.kwonlyargs])
    return frozenset(name for name in params if name not in stored and counted[name] == 1)


def _calls_method(node: ast.AST | None, names: frozenset[str], method: str) -> str | None:
    """``future.result()`` (alone, or bound with ``:=``/``=``): the future's name."""
    if isinstance(node, ast.NamedExpr):
        node = node.value
    if (
        isinstance(node, ast.Call) and not node.args and not node.keywords and isinstance(node.func, ast.Attribute)
        and node.func.attr == method and isinstance(node.func.value, ast.Name) and node.func.value.id in names
    ):
        return node.func.value.id
    return None


def _reraises_settled_future(stmt: ast.stmt, before: list[ast.stmt], futures: frozenset[str]) -> bool:
    """``if exc := future.exception(): raise exc`` after ``future.result()`` returned, earlier in
    the same block: ``result()`` would have raised that exception itself, so the branch is dead."""
    if not futures or not isinstance(stmt, ast.If) or stmt.orelse or not isinstance(stmt.test, ast.NamedExpr):
        return False
    name = _calls_method(stmt.test, futures, "exception")
    only = stmt.body[0] if len(stmt.body) == 1 else None
    if name is None or not isinstance(only, ast.Raise) or only.cause is not None:
        return False
    if not isinstance(only.exc, ast.Name) or only.exc.id != stmt.test.target.id:
        return False
    for earlier in before:
        value = earlier.test if isinstance(earlier, ast.If) else earlier.value if isinstance(earlier, (ast.Expr, ast.Assign)) else None
        if _calls_method(value, futures, "result") == name:
            return True
    return False


class _Strip(ast.NodeTransformer):
    def __init__(self, docstrings: bool, logging: bool, annotations: bool, tree: ast.AST, facts: Facts = NO_FACTS) -> None:
        self.docstrings, self.logging, self.annotations, self.facts = docstrings, logging, annotations, facts
        self.terminals = _terminal_names(tree) if logging else frozenset()
        self.locking = _locking_names(tree) if logging else set()
        self.futures = _future_names(tree, facts.futures) if logging else frozenset()

    def _body(self, body: list[ast.stmt], owner_has_docstring: bool) -> list[ast.stmt]:
        kept: list[ast.stmt] = []
        for index, stmt in enumerate(body):
            if self.docstrings and owner_has_docstring and index == 0 and _is_docstring(stmt):
                continue
            if self.logging and (is_logging_statement(stmt, self.terminals) or _idle_if(stmt, self.locking, self.facts.pure_calls)):
                continue
            if self.logging and _reraises_settled_future(stmt, kept, self.futures):
                continue
            kept.append(stmt)
        return kept or [ast.Pass()]

    def visit_Try(self, node: ast.Try) -> ast.AST | list[ast.stmt]:
        node = self.generic_visit(node)  # type: ignore[assignment]  # returns the node it visited
        if self.logging:
            _merge_handlers(node)
            return _without_rethrowing_handlers(node)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        node = self.generic_visit(node)  # type: ignore[assignment]  # returns the node it visited
        # logging.getLogger(f"app.{name}"): the name only chooses where log records go.
        if self.logging and _dotted(node.func).rsplit(".", 1)[-1] in _LOGGER_FACTORIES and all(
            _pure(arg) for arg in [*node.args, *(k.value for k in node.keywords)]
        ):
            node.args, node.keywords = [], []
        # emergency_dump_state(messages, stderr=stderr) when the callee only logs to `stderr`:
        # the value cannot change what the callee does, so the keyword is no part of the proof.
        quiet = self.facts.quiet_keywords.get(_dotted(node.func), ()) if self.logging else ()
        if quiet:
            node.keywords = [k for k in node.keywords if not (k.arg in quiet and _pure(k.value, self.facts.pure_calls))]
        return node

    def generic_visit(self, node: ast.AST) -> ast.AST:
        node = super().generic_visit(node)
        has_docstring = isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        for name in ("body", "orelse", "finalbody"):
            value = getattr(node, name, None)
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                setattr(node, name, self._body(value, has_docstring and name == "body"))
        if self.annotations:
            if isinstance(node, ast.arg):
                node.annotation = None
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                node.returns = None
        for attr in ("type_comment",):
            if hasattr(node, attr):
                setattr(node, attr, None)
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST | None:
        if not self.annotations:
            return self.generic_visit(node)
        if node.value is None:
            return None  # a bare declaration does nothing at run time inside a function
        return ast.Assign(targets=[node.target], value=self.visit(node.value))


# Calls that compute a value and do nothing else: a local assigned only from these (and from
# names, attributes, literals and operators) and read by nothing once the logging is gone was
# there for the log line (``elapsed = time.monotonic() - start`` before ``log.info(…, elapsed)``).
_PURE_CALLS = frozenset({
    "repr", "str", "len", "round", "int", "float", "bool", "format", "abs", "min", "max", "sorted",
    "list", "tuple", "getattr", "type", "isinstance", "time.time", "time.monotonic",
    "time.perf_counter", "datetime.now", "timezone.now", "now",
    # which process or thread is running, for a log line's prefix
    "hasattr", "id", "os.getpid", "current_process", "multiprocessing.current_process", "current_thread",
    "threading.current_thread", "threading.get_ident", "time.monotonic_ns", "time.perf_counter_ns", "time.time_ns",
})
# Methods that only format or convert a value (a duration, a date, a string): ``elapsed.total_seconds()``.
_PURE_METHODS = frozenset({
    "total_seconds", "isoformat", "strftime", "timestamp", "lower", "upper", "title", "strip", "lstrip", "rstrip",
    # a mapping's views, read like its items (`sorted(kwargs.items())` for a log line)
    "items", "keys", "values",
})
_PURE_NODES = (
    ast.Constant, ast.Name, ast.Attribute, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp,
    ast.JoinedStr, ast.FormattedValue, ast.Tuple, ast.List, ast.Subscript, ast.Slice, ast.Load,
    ast.operator, ast.unaryop, ast.boolop, ast.cmpop, ast.keyword, ast.Call,
    # `[c.code for c in codes if c.used < c.order_count]` built for a log line: its loop variables
    # are the comprehension's own (a `:=` inside it is no pure node, and `async for` is refused below)
    ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.comprehension, ast.Store, ast.Dict, ast.Set,
)


def _handed_functions(call: ast.Call) -> list[ast.expr]:
    """The functions a call is handed and runs: ``sorted(ids, key=f)``, ``map(f, xs)``."""
    handed = [k.value for k in call.keywords if k.arg == "key"]
    if _dotted(call.func) in ("map", "filter") and call.args:
        handed.append(call.args[0])
    return handed


def called_names(*trees: ast.AST) -> set[str]:
    """Names ``trees`` call bare (``len(x)``) or hand to a call that runs them (``key=len``)."""
    return {
        n.id for tree in trees for node in ast.walk(tree) if isinstance(node, ast.Call)
        for n in [node.func, *_handed_functions(node)] if isinstance(n, ast.Name)
    }


def _function_arguments_pure(call: ast.Call, pure_calls: AbstractSet[str] = frozenset()) -> bool:
    """The functions a call is handed and runs are themselves pure: a name of one, or a lambda
    computing a pure value."""
    for fn in _handed_functions(call):
        if isinstance(fn, ast.Lambda):
            if not _pure(fn.body, pure_calls):
                return False
        elif not (isinstance(fn, (ast.Name, ast.Attribute)) and (_dotted(fn) in _PURE_CALLS or _dotted(fn) in pure_calls)):
            return False
    return True


def _pure_call(call: ast.Call, pure_calls: AbstractSet[str] = frozenset()) -> bool:
    if not _function_arguments_pure(call, pure_calls):
        return False  # sorted(ids, key=reserve) runs reserve once per id
    if _dotted(call.func) in _PURE_CALLS or _dotted(call.func) in pure_calls:
        return True
    # map(repr, args): a pure function applied to each item
    if _dotted(call.func) in ("map", "filter") and call.args:
        return True
    if not isinstance(call.func, ast.Attribute):
        return False
    if call.func.attr in _PURE_METHODS:
        return True
    # ", ".join(names), "{} of {}".format(a, b): a method of a string literal
    return call.func.attr in ("join", "format") and isinstance(call.func.value, ast.Constant) and isinstance(call.func.value.value, str)


def _pure(value: ast.AST, pure_calls: AbstractSet[str] = frozenset()) -> bool:
    for node in ast.walk(value):
        if not isinstance(node, _PURE_NODES):
            return False
        if isinstance(node, ast.Call) and not _pure_call(node, pure_calls):
            return False
        if isinstance(node, ast.comprehension) and node.is_async:
            return False  # `async for` awaits the iterator: a stream or a consumer that acts
    return True


# Calls that make a query take row locks when it is evaluated: iterating such a query set in a
# transaction locks its rows, so a loop or comprehension over it is never dropped as log-only.
_LOCKING_QUERIES = frozenset({"select_for_update", "with_for_update", "for_update", "with_lockmode", "lock"})


def _locking_names(fn: ast.AST) -> set[str]:
    """Names ``fn`` binds to a value built with a locking query (``qs = X.objects.select_for_update()``),
    and the names bound from those (``rows = qs.filter(…)``)."""
    assigns = [(t.id, n.value) for n in ast.walk(fn) if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)]
    locking: set[str] = set()
    while True:
        more = {
            name for name, value in assigns
            if name not in locking and any(
                isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _LOCKING_QUERIES
                or isinstance(n, ast.Name) and n.id in locking
                for n in ast.walk(value)
            )
        }
        if not more:
            return locking
        locking |= more


def _iterates_locking(value: ast.AST, locking: AbstractSet[str]) -> bool:
    """Whether a loop or comprehension in ``value`` iterates something built with a locking query."""
    for node in ast.walk(value):
        iterable = node.iter if isinstance(node, (ast.comprehension, ast.For)) else None
        if iterable is not None and any(
            isinstance(n, ast.Name) and n.id in locking
            or isinstance(n, ast.Attribute) and n.attr in _LOCKING_QUERIES
            for n in ast.walk(iterable)
        ):
            return True
    return False


def _idle_loop(stmt: ast.stmt, read: Counter, locking: AbstractSet[str], pure_calls: AbstractSet[str] = frozenset()) -> bool:
    """``for m in self.middleware: pass`` once its logging is gone: a ``for`` (never ``async for``
    or ``while``, which could wait or never end) with nothing left in its body or ``else``, over a
    value without side effects (``_pure``) and no locking query, whose loop variables nothing in
    the function reads (they outlive the loop)."""
    if not isinstance(stmt, ast.For) or not _empty(stmt.body) or not _empty(stmt.orelse):
        return False
    targets = [stmt.target] if not isinstance(stmt.target, (ast.Tuple, ast.List)) else list(stmt.target.elts)
    return (
        all(isinstance(t, ast.Name) and read[t.id] == 0 for t in targets)
        and _pure(stmt.iter, pure_calls)
        and not _iterates_locking(stmt, locking)
    )


def _read_elsewhere(name: str, value: ast.AST, read: Counter) -> bool:
    """Whether ``name`` is read outside ``value``: ``stderr = sys.stderr if stderr is None else
    stderr`` reads the previous ``stderr``, which says nothing about whether its result is used."""
    own = sum(1 for n in ast.walk(value) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load))
    return read[name] > own


def _quiet_store(target: ast.AST, quiet_attributes: AbstractSet[str]) -> bool:
    """``self.log_results = …`` when nothing reads ``log_results`` except to log (Facts)."""
    # Only `self`'s own attribute: on another object (`order.refunded = True`) the store may be
    # a model field that a later save() writes, or go through a property (red team of session 7).
    return (isinstance(target, ast.Attribute) and target.attr in quiet_attributes
            and isinstance(target.value, ast.Name) and target.value.id == "self")


def _drop_unread_locals(fn: ast.AST, facts: Facts = NO_FACTS) -> None:
    """Remove ``name = <pure value>`` statements whose name nothing in ``fn`` reads, and loops left
    with an empty body (``_idle_loop``), until none is left (a chain of locals that only fed a
    removed log line goes with it). With ``facts``, also stores to attributes only logged."""
    locking = _locking_names(fn)
    pure_calls, quiet = facts.pure_calls, facts.quiet_attributes
    while True:
        read = Counter(n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
        for node in ast.walk(fn):  # a global or nonlocal is read by other code: its assignment stays
            if isinstance(node, (ast.Global, ast.Nonlocal)):
                read.update({name: 1_000_000 for name in node.names})
        dropped = False
        for node in ast.walk(fn):
            for field in ("body", "orelse", "finalbody"):
                stmts = getattr(node, field, None)
                if not isinstance(stmts, list) or not stmts or not isinstance(stmts[0], ast.stmt):
                    continue
                kept = [
                    st for st in stmts
                    if not (
                        isinstance(st, ast.Assign)
                        and _pure(st.value, pure_calls)
                        and not _iterates_locking(st.value, locking)
                        and all(
                            isinstance(t, ast.Name) and not _read_elsewhere(t.id, st.value, read) or _quiet_store(t, quiet)
                            for t in st.targets
                        )
                    ) and not _idle_if(st, locking, pure_calls)  # `if verbose: msg = …` once msg is gone
                    and not _idle_loop(st, read, locking, pure_calls)
                ]
                if len(kept) != len(stmts):
                    setattr(node, field, kept or [ast.Pass()])
                    dropped = True
        if not dropped:
            return


# The built-ins the logging step trusts: a tree or module that binds one of them
# (`print = reserve`, `def sorted(…)`, a parameter named `len`) gets no logging step at all.
TRUSTED_NAMES = _TRUSTED_NAMES = frozenset(n for n in _PURE_CALLS | {"print", "map", "filter"} if n in dir(builtins))


def rebinds_trusted_names(tree: ast.AST) -> bool:
    """Whether ``tree`` binds a name the logging step reads as a built-in (``_TRUSTED_NAMES``) and
    also calls it or hands it on as a function (a parameter named `id` that nothing calls is fine)."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if any(a.name == "*" for a in node.names):
                return True  # could bind any of them
            bound.update((a.asname or a.name.split(".")[0]) for a in node.names)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
    shadowing = bound & _TRUSTED_NAMES
    return bool(shadowing and shadowing & called_names(tree))  # the second walk only when it can matter


def _stripped(node: ast.AST, steps: frozenset[str], facts: Facts = NO_FACTS, checked: bool = False) -> ast.AST:
    """``node`` without what ``steps`` remove; ``checked``: ``facts.shadowed`` already says
    whether the node rebinds a trusted built-in (proof_of_no_change)."""
    if "logging" in steps and (facts.shadowed or not checked and rebinds_trusted_names(node)):
        steps = steps - {"logging"}  # a name it trusts may mean anything here
    stripper = _Strip("docstrings" in steps, "logging" in steps, "annotations" in steps, node, facts)
    tree = stripper.visit(node)
    if "logging" in steps:
        for fn in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
            _drop_unread_locals(fn, facts)
    return tree


def reads_left(tree: ast.AST, attribute: str, facts: Facts) -> bool:
    """Whether ``tree`` (a module) still reads ``attribute`` once its logging and the values only
    logged are removed, ``facts`` assuming the attribute itself is only logged: an ``x.<attribute>``
    load, or the name as a string (``getattr(self, "log_results")``) outside docstrings."""
    stripped = _stripped(copy.deepcopy(tree), frozenset(STEPS), facts)
    return any(
        isinstance(n, ast.Attribute) and n.attr == attribute and isinstance(n.ctx, ast.Load)
        or isinstance(n, ast.Constant) and n.value == attribute
        for n in ast.walk(stripped)
    )


def _new_quiet_parameters(base: ast.AST, head: ast.AST) -> None:
    """Remove from ``head`` (stripped) the parameters it added that nothing reads any more, when
    callers written for ``base`` cannot tell: each has a default without side effects and comes
    after every parameter ``base`` had (a positional one) or is keyword-only, and neither version
    takes ``**kwargs`` (which a new name would take keywords from)."""
    if not isinstance(base, (ast.FunctionDef, ast.AsyncFunctionDef)) or type(head) is not type(base):
        return
    b, h = base.args, head.args
    if b.kwarg or h.kwarg or (b.vararg is None) != (h.vararg is None):
        return
    if any(isinstance(n, ast.Call) and _dotted(n.func) in ("locals", "vars", "eval", "exec") for n in ast.walk(head)):
        return
    read = {n.id for n in ast.walk(head) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    old = {a.arg for a in [*b.posonlyargs, *b.args, *b.kwonlyargs]}

    def droppable(arg: ast.arg, default: ast.AST | None) -> bool:
        return arg.arg not in old and arg.arg not in read and default is not None and _pure(default)

    before, after = [*b.posonlyargs, *b.args], [*h.posonlyargs, *h.args]
    extra = after[len(before):]
    # New positional parameters only at the end, and never where `*args` took what callers pass.
    if extra and b.vararg is None and len(h.posonlyargs) <= len(before) and [a.arg for a in after[: len(before)]] == [a.arg for a in before]:
        defaults = dict(zip([a.arg for a in after][len(after) - len(h.defaults):], h.defaults))
        if all(droppable(a, defaults.get(a.arg)) for a in extra):
            h.args = h.args[: len(h.args) - len(extra)]
            h.defaults = h.defaults[: len(h.defaults) - len(extra)]
    keep = [(a, d) for a, d in zip(h.kwonlyargs, h.kw_defaults) if not droppable(a, d)]
    h.kwonlyargs, h.kw_defaults = [a for a, _ in keep], [d for _, d in keep]


def _dump_pair(base: ast.AST, head: ast.AST, steps: frozenset[str], facts: tuple[Facts, Facts]) -> tuple[str, str]:
    if not steps - {"formatting"}:
        return ast.dump(base, include_attributes=False), ast.dump(head, include_attributes=False)
    base, head = (_stripped(copy.deepcopy(base), steps, facts[0], checked=True),
                  _stripped(copy.deepcopy(head), steps, facts[1], checked=True))
    if "logging" in steps:
        _new_quiet_parameters(base, head)
    return ast.dump(base, include_attributes=False), ast.dump(head, include_attributes=False)


def proof_of_no_change(base: ast.AST, head: ast.AST, facts: tuple[Facts, Facts] = (NO_FACTS, NO_FACTS)) -> tuple[str, ...] | None:
    """The removals that make ``base`` and ``head`` identical, or None when they differ in behaviour.

    ``("formatting",)`` means the trees were identical as parsed: only layout or comments changed.
    ``facts`` (base's, head's) are what the rest of the repository proves (``Facts``).
    """
    # Whether a side rebinds a built-in it calls, decided once here rather than at each dump.
    facts = (facts[0]._replace(shadowed=facts[0].shadowed or rebinds_trusted_names(base)),
             facts[1]._replace(shadowed=facts[1].shadowed or rebinds_trusted_names(head)))
    everything = frozenset(STEPS)
    if len(set(_dump_pair(base, head, everything, facts))) != 1:
        return None
    # Name only the removals that were needed, so the finding says what was proved.
    needed = [step for step in STEPS[1:] if len(set(_dump_pair(base, head, everything - {step}, facts))) != 1]
    return ("formatting", *needed)


def describe(proof: tuple[str, ...]) -> str:
    """'comments or formatting, docstrings and logging' for the finding's message."""
    words = ["comments or formatting" if step == "formatting" else step for step in proof]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def same_behaviour(base_text: str, head_text: str) -> bool:
    """Whether two whole files are proved equivalent (``proof_of_no_change`` of their modules).

    For a file-wide yes/no: the trees are parsed here and stripped in place (no copy, one dump
    per side), which costs a fraction of the step-by-step proof on a long module. A file that
    does not parse is never proved equivalent."""
    try:
        base, head = ast.parse(base_text), ast.parse(head_text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    every = frozenset(STEPS)
    try:
        return ast.dump(_stripped(base, every), include_attributes=False) == ast.dump(_stripped(head, every), include_attributes=False)
    except RecursionError:
        return False


LOG_FORMATTING = (
    "a method of a log formatter that only reads and fills in the log record it is given (a logging "
    "handler runs it and catches what it raises)"
)
# Log formatters: a method of a class deriving from one of these formats log records and runs
# only inside a logging handler, which catches what it raises (Handler.handleError).
_FORMATTER_PACKAGES = frozenset({"logging", "pythonjsonlogger", "json_log_formatter", "colorlog", "celery", "django"})
# What a formatter method may call on the record and dicts logging hands it (reads and updates of
# those objects), on itself (the standard Formatter helpers) and on strings.
_RECORD_METHODS = frozenset({
    "get", "update", "pop", "setdefault", "items", "keys", "values", "copy", "getMessage",
    "formatTime", "formatException", "formatStack", "formatMessage", "usesTime", "format",
})
_STRING_METHODS = frozenset({
    "join", "format", "split", "rsplit", "splitlines", "startswith", "endswith", "replace", "encode",
    "center", "ljust", "rjust", "zfill", "partition", "rpartition", "removeprefix", "removesuffix",
}) | _PURE_METHODS
_FORMATTER_REFUSED = (
    ast.Await, ast.Yield, ast.YieldFrom, ast.Global, ast.Nonlocal, ast.Import, ast.ImportFrom, ast.Lambda,
    ast.With, ast.AsyncWith, ast.AsyncFor, ast.While, ast.ClassDef, ast.Delete,
)


def formatter_class(bases_of: dict[str, list[str]], imported_from: dict[str, str], name: str) -> bool:
    """Whether the class ``name`` of a module derives from a log formatter: through the module's
    own classes (``bases_of``: class name -> dotted bases) to a class named ``…Formatter`` that is
    imported from a logging library (``imported_from``: local name -> module) or named through it
    (``logging.Formatter``)."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for base in bases_of.get(current, ()):
            if base in bases_of:
                todo.append(base)
                continue
            root, _, last = base.rpartition(".")
            package = (root or imported_from.get(last, "")).split(".")[0]
            if last.endswith("Formatter") and package in _FORMATTER_PACKAGES:
                return True
    return False


def only_formats(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a log formatter's method does nothing but shape the record it is given: it calls
    only pure functions, ``super()``, string methods, and reads/updates of its parameters
    (``message_dict.update(…)``, ``record.data.get("id")``, ``log_record.pop("data")``), and writes
    only locals and its parameters' items or attributes. No await, loop that could wait, import,
    ``global`` or ``with`` (a lock or a file)."""
    if isinstance(fn, ast.AsyncFunctionDef):
        return False
    params = {a.arg for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]}
    params.discard("self")
    for node in ast.walk(fn):
        if isinstance(node, _FORMATTER_REFUSED) or (isinstance(node, ast.FunctionDef) and node is not fn):
            return False
        if isinstance(node, ast.Call) and not _formatting_call(node, params):
            return False
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            for part in target.elts if isinstance(target, ast.Tuple) else [target]:
                if not isinstance(part, ast.Name) and _root(part) not in params | {"self"}:
                    return False
    return True


def _root(node: ast.AST) -> str:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _formatting_call(call: ast.Call, params: set[str]) -> bool:
    if _pure_call(call) or _dotted(call.func) == "super" and not call.args:
        return True
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    receiver = func.value
    if isinstance(receiver, ast.Call) and _dotted(receiver.func) == "super" and not receiver.args:
        return True  # the formatter it derives from, itself formatting code
    if func.attr in _STRING_METHODS and isinstance(receiver, (ast.Constant, ast.JoinedStr)):
        return True
    return func.attr in _RECORD_METHODS and _root(receiver) in params | {"self"}
