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
  (names, attributes, literals, operators and a few pure calls: ``_PURE_CALLS``);
- ``annotations``: parameter and return annotations and annotated assignments' annotations.

Anything else — a renamed variable, a reordered statement, a changed decorator argument — is a
behaviour change as far as this module can tell. A logging call whose arguments call something
with arguments (``log.info("%s", audit.record(pid))``) is not removed; one whose arguments make a
call without arguments that has side effects (``log.info(queue.pop())``) would be removed wrongly;
the receiver/method test keeps that rare, and it is listed in DC101's known problems.
"""

from __future__ import annotations

import ast
import copy

STEPS = ("formatting", "docstrings", "logging", "annotations")
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


def is_logging_statement(stmt: ast.stmt) -> bool:
    """``print(…)``, ``logger.info(…)``, ``self.log.warning(…)``, ``logging.getLogger(__name__).error(…)``,
    whose arguments do not act (``_arguments_act``)."""
    if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
        return False
    return _names_a_logger(stmt.value) and not _arguments_act(stmt.value)


# Calls with arguments that only format a value for the log line.
_FORMATTING = frozenset({"format", "join", "dumps", "isoformat", "strftime", "hex"})


def _arguments_act(call: ast.Call) -> bool:
    """Whether a logging call's arguments may change state: a call with arguments that is not a
    pure or formatting one (``log.info("%s", audit.record(pid, qty))``), ``await``, ``yield`` or
    ``:=``. Such a statement is no logging to drop from the proof (red team 3). Calls without
    arguments (``order.get_id()``) are still read as reading a value."""
    for argument in [*call.args, *(k.value for k in call.keywords)]:
        for node in ast.walk(argument):
            if isinstance(node, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
                return True
            if isinstance(node, ast.Call) and (node.args or node.keywords):
                name = _dotted(node.func)
                if name not in _PURE_CALLS and name.rpartition(".")[2] not in _FORMATTING:
                    return True
    return False


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


class _Strip(ast.NodeTransformer):
    def __init__(self, docstrings: bool, logging: bool, annotations: bool) -> None:
        self.docstrings, self.logging, self.annotations = docstrings, logging, annotations

    def _body(self, body: list[ast.stmt], owner_has_docstring: bool) -> list[ast.stmt]:
        kept = []
        for index, stmt in enumerate(body):
            if self.docstrings and owner_has_docstring and index == 0 and _is_docstring(stmt):
                continue
            if self.logging and is_logging_statement(stmt):
                continue
            kept.append(stmt)
        return kept or [ast.Pass()]

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
})
_PURE_NODES = (
    ast.Constant, ast.Name, ast.Attribute, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp,
    ast.JoinedStr, ast.FormattedValue, ast.Tuple, ast.List, ast.Subscript, ast.Slice, ast.Load,
    ast.operator, ast.unaryop, ast.boolop, ast.cmpop, ast.keyword, ast.Call,
)


def _pure(value: ast.AST) -> bool:
    for node in ast.walk(value):
        if not isinstance(node, _PURE_NODES):
            return False
        if isinstance(node, ast.Call) and _dotted(node.func) not in _PURE_CALLS:
            return False
    return True


def _drop_unread_locals(fn: ast.AST) -> None:
    """Remove ``name = <pure value>`` statements whose name nothing in ``fn`` reads, until none is
    left (a chain of locals that only fed a removed log line goes with it)."""
    while True:
        read = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
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
                        and all(isinstance(t, ast.Name) and t.id not in read for t in st.targets)
                        and _pure(st.value)
                    )
                ]
                if len(kept) != len(stmts):
                    setattr(node, field, kept or [ast.Pass()])
                    dropped = True
        if not dropped:
            return


def _stripped(node: ast.AST, steps: frozenset[str]) -> ast.AST:
    stripper = _Strip("docstrings" in steps, "logging" in steps, "annotations" in steps)
    tree = stripper.visit(node)
    if "logging" in steps:
        for fn in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
            _drop_unread_locals(fn)
    return tree


def _dump(node: ast.AST, steps: frozenset[str]) -> str:
    if not steps - {"formatting"}:
        return ast.dump(node, include_attributes=False)
    return ast.dump(_stripped(copy.deepcopy(node), steps), include_attributes=False)


def proof_of_no_change(base: ast.AST, head: ast.AST) -> tuple[str, ...] | None:
    """The removals that make ``base`` and ``head`` identical, or None when they differ in behaviour.

    ``("formatting",)`` means the trees were identical as parsed: only layout or comments changed.
    """
    everything = frozenset(STEPS)
    if _dump(base, everything) != _dump(head, everything):
        return None
    # Name only the removals that were needed, so the finding says what was proved.
    needed = [step for step in STEPS[1:] if _dump(base, everything - {step}) != _dump(head, everything - {step})]
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
