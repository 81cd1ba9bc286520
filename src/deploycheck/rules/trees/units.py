"""Units of code (functions, methods, classes, top-level declarations), their qualified names,
and the proof that a unit behaves as before: the same tree once comments, logging calls and
formatting are removed (the policy of rules/python/equiv.py, for tree-sitter trees).
"""

from __future__ import annotations

import re
from itertools import combinations

from .jvm import imported_types, is_logger_declaration, is_lombok_logger, is_source_only_annotation, qualified
from .parse import Parsed, walk

# Node types that are units, per language, and the types among them that only contain others.
UNIT_TYPES = {
    "ruby": {"method", "singleton_method", "class", "module", "singleton_class"},
    "javascript": {"function_declaration", "generator_function_declaration", "method_definition", "class_declaration",
                   "variable_declarator"},
    "go": {"function_declaration", "method_declaration", "type_spec", "var_spec", "const_spec"},
    "java": {"method_declaration", "constructor_declaration", "class_declaration", "interface_declaration",
             "enum_declaration", "record_declaration", "field_declaration", "static_initializer"},
    "kotlin": {"function_declaration", "class_declaration", "object_declaration", "property_declaration",
               "secondary_constructor", "companion_object"},
    "lua": {"function_declaration"},
}
UNIT_TYPES["typescript"] = UNIT_TYPES["tsx"] = UNIT_TYPES["javascript"] | {
    "interface_declaration", "abstract_class_declaration", "type_alias_declaration", "public_field_definition",
    "enum_declaration"}
# Declarations that are units only outside a function (a local variable is part of its function).
DECLARATIONS = {"variable_declarator", "var_spec", "const_spec", "property_declaration", "field_declaration"}
FUNCTIONS = {"method", "singleton_method", "function_declaration", "generator_function_declaration",
             "method_definition", "arrow_function", "function_expression", "function", "method_declaration",
             "constructor_declaration", "func_literal", "lambda_expression", "lambda_literal", "anonymous_function",
             "do_block", "block"}
CONTAINERS = {"class", "module", "singleton_class", "class_declaration", "interface_declaration", "enum_declaration",
              "record_declaration", "object_declaration", "companion_object", "abstract_class_declaration",
              "type_spec"}

LOG_METHODS = frozenset({
    "debug", "info", "warn", "warning", "error", "fatal", "trace", "log", "debugf", "infof", "warnf", "errorf",
    "fatalf", "tracef", "printf", "println", "print", "debugw", "infow", "warnw", "errorw", "verbose", "notice",
    # Go's log/slog
    "debugcontext", "infocontext", "warncontext", "errorcontext", "logattrs",
    # java.util.logging's levels (Geyser's `getLogger().severe(…)`, a new user's trial, session 41)
    "severe", "fine", "finer", "finest", "critical",
})
# Android's `Log.d(TAG, …)` and Timber's `Timber.w(…)`: one-letter levels, only on these
# receivers (Conversations' push broker, a new user's trial, session 37, had two changed `Log.d`
# lines read as behaviour).
_ANDROID_LEVELS = frozenset({"v", "d", "i", "w", "e", "wtf"})
_ANDROID_LOGS = frozenset({"log", "timber", "android.util.log"})
# An app's own wrapper of them, named with `Log` as a word: Nextcloud's `Log_OC.d(TAG, …)`, an
# `AppLog.e`, a `LogUtils.w` (nextcloud/android, a new user's trial, session 40: a changed message
# was "background code changed"). Not `dialog.d`, `catalog.e`: `log` there is no word of its own.
_OWN_ANDROID_LOG = re.compile(r"(?:^|[a-z0-9_])Log(?:$|[A-Z_])")
_PRINTS = frozenset({"puts", "print", "p", "pp", "println", "fmt.println", "fmt.printf", "fmt.print",
                     "system.out.println", "system.err.println", "system.out.printf", "system.err.printf"})


def node_name(node, p: Parsed) -> str:
    """A unit's name as written: the ``name`` field, else the first identifier-like child."""
    name = node.child_by_field_name("name")
    if name is None and node.type == "method_declaration" and p.language == "go":
        name = node.child_by_field_name("name")
    if name is None and node.type == "field_declaration":  # Java: `private volatile int x` is named x
        declarator = node.child_by_field_name("declarator")
        name = declarator.child_by_field_name("name") if declarator is not None else None
    if name is None:
        for child in node.named_children:
            if child.type in ("identifier", "type_identifier", "simple_identifier", "constant", "variable_declaration"):
                name = child
                break
    text = p.text(name) if name is not None else node.type
    if p.language == "go" and node.type == "method_declaration":
        receiver = node.child_by_field_name("receiver")
        rtype = p.text(receiver).split()[-1].strip("()*") if receiver is not None else ""
        text = f"{rtype}.{text}"
    if p.language in ("java", "kotlin") and node.type in ("method_declaration", "constructor_declaration",
                                                            "function_declaration"):
        params = node.child_by_field_name("parameters")
        if params is None:
            params = next((c for c in node.named_children if c.type == "function_value_parameters"), None)
        text += "(" + (str(len(params.named_children)) if params is not None else "") + ")"
    if node.type == "singleton_method":
        text = "self." + text
    return text[:120]


def units_at(p: Parsed, row: int) -> list:
    """The chain of units enclosing 0-based ``row``, outermost first."""
    types = UNIT_TYPES.get(p.language, set())
    chain: list = []  # the units, outermost first
    node, in_function = p.root, False
    while True:
        nxt = None
        for child in node.children:
            if child.start_point[0] <= row <= child.end_point[0] and child.child_count:
                nxt = child
                break
        if nxt is None:
            return chain
        if nxt.type in types and nxt.is_named and not (in_function and nxt.type in DECLARATIONS):
            chain.append(nxt)
        in_function = in_function or nxt.type in FUNCTIONS
        node = nxt


def chains_at(p: Parsed, row: int) -> list[list]:
    """Every chain of units that holds code on 0-based ``row``: ``units_at``'s chain first, then
    those of any other statement or declaration written on the same line (`interface A {} boot();`
    changes `boot()`, not the interface)."""
    types = UNIT_TYPES.get(p.language, set())
    out: list[list] = []
    stack: list[tuple] = [(p.root, [], False)]
    while stack:
        node, chain, in_function = stack.pop()
        inside = [c for c in node.children if c.start_point[0] <= row <= c.end_point[0] and c.child_count]
        if not inside:
            if chain not in out:
                out.append(chain)
            continue
        for nxt in reversed(inside):
            here = chain + [nxt] if nxt.type in types and nxt.is_named and not (
                in_function and nxt.type in DECLARATIONS) else chain
            stack.append((nxt, here, in_function or nxt.type in FUNCTIONS))
    first = units_at(p, row)
    return [first] + [c for c in out if [n.id for n in c] != [n.id for n in first]]


def qualname(chain: list, p: Parsed) -> str:
    """The unit's key: what units are indexed, matched and cached by (``all_units``). Never
    shown as such where the language has its own way of naming methods (``shown_name``)."""
    return "::".join(node_name(n, p) for n in chain) if chain else "(top level)"


_RUBY_METHODS = frozenset({"method", "singleton_method"})


def shown_code(text: str, limit: int = 80) -> str:
    """Source text for a message: one line, at most ``limit`` characters, no backtick (it would
    end the code span the message quotes it in) and no control character."""
    text = "".join(c if c.isprintable() else " " for c in " ".join(text.split())).replace("`", "'")
    return text if len(text) <= limit else text[:limit - 3] + "..."


def shown_name(chain: list, p: Parsed) -> str:
    """The unit's name as a reader of its language writes it, for messages only. Ruby names an
    instance method `Sync#perform` and a class method `Sync.perform` (`def self.perform`, `def
    Sync.perform`, or a `def` inside `class << self`); its modules and classes nest with `::`.
    Every other language is shown by its key (``qualname``)."""
    if p.language != "ruby" or not chain:
        return qualname(chain, p)
    text, singleton = "", False
    for n in chain:
        if n.type == "singleton_class":
            singleton = True  # `class << self`: the methods inside are the class's own
            continue
        name = node_name(n, p)
        if n.type in _RUBY_METHODS:
            name = name.removeprefix("self.")
            sep = "." if n.type == "singleton_method" or singleton else "#"
        else:
            sep, singleton = "::", False
        text = f"{text}{sep}{name}" if text else name
    return text


def index_units(p: Parsed) -> dict[str, object]:
    """Every unit by qualified name (the first of duplicates wins)."""
    return {key: nodes[0] for key, nodes in all_units(p).items()}


def all_units(p: Parsed) -> dict[str, list]:
    """Every unit by qualified name, with all the units of a name (Java and Kotlin overloads of
    one arity share it) in the order they are found."""
    memo = p.memo.get("units.all")
    if memo is not None:
        return memo
    types = UNIT_TYPES.get(p.language, set())
    out: dict[str, list] = {}
    stack: list[tuple] = [(p.root, (), False)]  # (node, names of the units around it, in a function)
    while stack:
        node, names, in_function = stack.pop()
        for child in node.children:
            inside = in_function or child.type in FUNCTIONS
            if child.type in types and child.is_named and not (in_function and child.type in DECLARATIONS):
                key = names + (node_name(child, p),)
                out.setdefault("::".join(key), []).append(child)
                stack.append((child, key, inside))
            elif child.child_count:
                stack.append((child, names, inside))
    p.memo["units.all"] = out
    return out


# --- the proof --------------------------------------------------------------------------------


def _callee(node, p: Parsed) -> str | None:
    """The called name of a call node (``logger.info``, ``console.log``), or None."""
    if node.type in ("call", "call_expression", "method_invocation", "function_call"):
        fn = node.child_by_field_name("function") or node.child_by_field_name("name")
        if node.type == "method_invocation":
            obj = node.child_by_field_name("object")
            return (p.text(obj) + "." if obj is not None else "") + p.text(node.child_by_field_name("name"))
        if node.type == "call":  # ruby: receiver.method args
            recv, meth = node.child_by_field_name("receiver"), node.child_by_field_name("method")
            if meth is None:
                return None
            return (p.text(recv) + "." if recv is not None else "") + p.text(meth)
        if fn is None and node.named_child_count:
            fn = node.named_children[0]
        return p.text(fn) if fn is not None else None
    return None


def is_logging(node, p: Parsed) -> bool:
    """A statement that only logs or prints: ``logger.info(…)``, ``console.log``, ``log.Printf``…"""
    if node.type == "expression_statement" and node.named_child_count == 1:
        node = node.named_children[0]
    callee = _callee(node, p)
    if not callee:
        return False
    builders = _line_builders(node, p)
    if builders is None:
        if "\n" in callee:
            return False
        written = callee.replace("?.", ".").replace("::", ".").rpartition(".")[0].rpartition(".")[2]
        callee = _dotted(callee)
        receiver, _, method = callee.rpartition(".")
        if callee not in _PRINTS and not (method in LOG_METHODS and ("log" in receiver or receiver == "console")) \
                and not (method in _ANDROID_LEVELS and p.language in ("java", "kotlin")
                         and (receiver in _ANDROID_LOGS or _OWN_ANDROID_LOG.search(written))):
            return False
        if p.language == "go" and method.startswith(_GO_EXITS):
            return False  # Go's `log.Fatalf` exits the process, `log.Panicf` panics: no log line only
        builders = frozenset()
    return not _acts(node, p, builders)


def _dotted(callee: str) -> str:
    return callee.replace("?.", ".").replace("&.", ".").replace("::", ".").lower()


# Fluent log lines: zerolog's `log.Debug().Str("id", id).Msg("sent")` (and screego's own
# `c.debug().Interface("payload", m).Msg(…)`, apps-ab 4df47377), SLF4J 2's
# `log.atInfo().addKeyValue("id", id).log(…)`. A chain that opens with a level call and ends by
# writing the line only logs: the calls between build the line, whatever their names; their
# arguments are still read (``_acts``).
_LINE_ENDS = frozenset({"msg", "msgf", "send", "log"})
_LEVELS = LOG_METHODS | {"err", "atinfo", "atdebug", "atwarn", "aterror", "attrace"}
# zerolog's `Fatal()` line exits the process once written, `Panic()` panics, as Go's `log.Fatalf`
# and `log.Panicf` do (the red team of session 35).
_GO_EXITS = ("fatal", "panic")


def _method(call, p: Parsed) -> str:
    return _dotted(_callee(call, p) or "").rpartition(".")[2].strip()


def _inner_call(call):
    """The call a chained call is made on (`a().b()` → `a()`), or None."""
    if call.type == "method_invocation":
        inner = call.child_by_field_name("object")
    elif call.type == "call":
        inner = call.child_by_field_name("receiver")
    else:
        fn = call.child_by_field_name("function") or (call.named_children[0] if call.named_child_count else None)
        if fn is None:
            return None
        inner = fn.child_by_field_name("operand") or fn.child_by_field_name("object")
        if inner is None and fn.type == "navigation_expression" and fn.named_child_count:
            inner = fn.named_children[0]
    return inner if inner is not None and inner.type in _CALLS else None


def _line_builders(call, p: Parsed) -> frozenset | None:
    """The calls of a fluent log line from its level call to the one that writes it (their spans),
    or None when ``call`` is no such line."""
    if call.type not in _CALLS or _method(call, p) not in _LINE_ENDS:
        return None
    chain = []
    inner = _inner_call(call)
    while inner is not None:
        chain.append((inner, _method(inner, p)))
        inner = _inner_call(inner)
    if p.language == "go" and any(method.startswith(_GO_EXITS) for _, method in chain):
        return None
    for at, (_node, method) in enumerate(chain):
        if method in _LEVELS:
            return frozenset((n.start_byte, n.end_byte) for n, _ in chain[:at + 1])
    return None


# What only a statement that acts has inside its arguments: `log.info("{}", inventory.reserve(id,
# qty))` reserves, so it is no logging call to drop from the proof (red team 3). Calls without
# arguments (getters: `order.getId()`, Ruby's `order.id`) and formatting calls are kept as logging.
_CALLS = {"method_invocation", "call_expression", "call", "function_call", "method_call"}
_ACTING = {"object_creation_expression", "new_expression", "assignment_expression", "augmented_assignment_expression",
           "update_expression", "assignment", "operator_assignment", "await_expression", "await", "yield",
           "yield_expression", "postfix_unary_expression", "prefix_unary_expression"}
_ARGUMENTS = {"argument_list", "arguments", "value_arguments", "call_suffix"}
_FORMATTERS = frozenset({"format", "sprintf", "stringify", "join", "tostring", "valueof", "inspect", "to_json",
                         "to_s", "str", "repr", "fmt.sprintf", "string.format", "json.stringify"})
# A localised message looked up for the line: Geyser's `GeyserLocale.getLocaleStringLog(key, name)`
# (a new user's trial, session 41), Android's `getString(R.string.x, n)`, Spring's
# `getMessage(code, args, locale)`. Only names that are nothing but a text lookup: the red team of
# session 41 hid an outbox claim in `getNextMessage(…)`.
_MESSAGE_LOOKUP = re.compile(r"get(?:locale|locali[sz]ed|translated|i18n|display)?(?:string|text|label|translation|message)(?:log)?"
                             r"|locali[sz]e|translate")


# Go built-ins that only compute a value for the log line (`log.Printf("%d workers",
# len(h.workers))`; a new-user trial on asynq). A package may declare its own `len`, so they are
# trusted only where detect.py found no such name in the package (``p.memo["go.builtins"]``).
GO_VALUES = frozenset({"len", "cap"})


def _go_builtins(p: Parsed) -> bool:
    """Whether the package of ``p`` leaves `len`/`cap` the built-ins (detect.py sets the check)."""
    check = p.memo.get("go.builtins")
    return bool(check()) if callable(check) else False


def _has_arguments(node) -> bool:
    for child in node.children:
        if child.type in _ARGUMENTS and (child.named_child_count if child.type != "call_suffix" else _has_arguments(child)):
            return True
        if child.type in ("annotated_lambda", "do_block", "block") and node.type in _CALLS:
            return True
    return False


# A call without arguments is a getter to the proof (`order.getId()`), unless it is named for
# taking an element or moving a count: a log line's `pending.poll()` drops what it prints, and
# `attempts.incrementAndGet()` counts (the red team of session 37, on Android's `Log.d` lines).
_TAKES = re.compile(r"(?i)^(?:poll\w*|pop\w*|shift|take\w*|remove\w*|dequeue\w*|drain\w*|next|clear|reset\w*"
                    r"|getAndIncrement|getAndDecrement|incrementAndGet|decrementAndGet|increment\w*|decrement\w*"
                    r"|countDown|release|acquire|lock|unlock|close|flush|commit|rollback)!?$")


def _acts(call, p: Parsed, builders: frozenset = frozenset()) -> bool:
    """Whether anything inside logging call ``call`` (but the call itself and the ``builders`` of
    its line) may change state."""
    stack = list(call.children)
    while stack:
        n = stack.pop()
        if n.type in _ACTING:
            if n.type in ("postfix_unary_expression", "prefix_unary_expression") and not any(
                    c.type in ("++", "--") for c in n.children):
                pass  # `!x`, `-x`, Kotlin's `x!!`: no change
            elif n.type in ("object_creation_expression", "new_expression") and _makes_a_value(n, p):
                pass  # `new java.util.Date()` for the log line; its arguments are still read
            else:
                return True
        if n.type in _CALLS and not _has_arguments(n) and (n.start_byte, n.end_byte) not in builders \
                and _TAKES.match((_callee(n, p) or "").rpartition(".")[2]):
            return True  # `queue.poll()`, `counter.incrementAndGet()`: a call without arguments that takes or counts
        if n.type in _CALLS and _has_arguments(n) and (n.start_byte, n.end_byte) not in builders:
            name = (_callee(n, p) or "").replace("::", ".").lower()
            receiver, _, method = name.rpartition(".")
            if name not in _FORMATTERS and method not in _FORMATTERS and not _MESSAGE_LOOKUP.fullmatch(method) and not (
                    p.language == "go" and name in GO_VALUES and _go_builtins(p)) and not (
                    # a logger's context builder on the way to the line (`logrus.WithField("peer",
                    # id).Info(…)`, `logger.With("id", id)`): part of the log line
                    method.startswith("with") and "log" in receiver.rpartition(".")[2]):
                return True
        stack.extend(n.children)
    return False


# Types whose construction only makes a value to print: the log line's time or number
# (spring-boot-admin's sample Quartz jobs moved `System.out.println(… + new java.util.Date())` to
# `logger.info("… {}", new java.util.Date())`, apps-u 5ac6a562).
_VALUE_TYPES = frozenset({"Date", "String", "StringBuilder", "BigDecimal", "BigInteger", "Timestamp", "Object"})


def _makes_a_value(creation, p: Parsed) -> bool:
    """Whether a `new T(…)` constructs one of ``_VALUE_TYPES`` (by its last name, without type arguments)."""
    named = creation.child_by_field_name("type") or creation.child_by_field_name("constructor")
    return named is not None and p.text(named).split("<")[0].rpartition(".")[2].strip() in _VALUE_TYPES


_STATEMENT_PARENTS = {"body_statement", "then", "else", "do_block", "block", "begin", "program", "statement_block",
                      "statement_list", "constructor_body", "switch_block_statement_group", "statements",
                      "function_body", "ensure", "rescue", "switch_case", "switch_default", "class_body",
                      "do", "block_body", "chunk", "source_file", "expression_case", "default_case"}


# A conditional whose only effect is to log: `if err != nil { log.Printf(…) }`, `log.warn(x) if c`.
# With the "logging" step it goes with its condition (whose calls are treated as the logging
# call's own arguments are: as if without side effects), unless it has an else branch, a Go
# initializer, or its condition assigns or increments something.
_CONDITIONALS = {"if_statement", "if", "unless", "if_modifier", "unless_modifier", "if_expression"}
_BODIES = {"block", "statement_list", "then", "statement_block", "statements", "control_structure_body",
           "parenthesized_statements"}
_WRITES = {"=", ":=", "++", "--", "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=", "<<=", ">>=", "||=", "&&=", "??="}


def _writes(node, p: Parsed) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.child_count == 0:
            if p.text(n) in _WRITES:
                return True
            continue
        stack.extend(n.children)
    return False


def _only_logs(node, p: Parsed) -> bool:
    """A body made only of logging statements (and of conditionals that only log), or empty."""
    if "comment" in node.type:
        return True
    if node.type in _BODIES:
        return all(_only_logs(c, p) for c in node.named_children)
    return is_logging(node, p) or is_log_guard(node, p)


def is_log_guard(node, p: Parsed) -> bool:
    if node.type not in _CONDITIONALS:
        return False
    condition = node.child_by_field_name("condition")
    if condition is None or _writes(condition, p) or node.child_by_field_name("initializer") is not None:
        return False
    if node.child_by_field_name("alternative") is not None or any(c.type in ("else", "elsif") for c in node.named_children):
        return False
    bodies = [c for c in node.named_children if c.id != condition.id]
    return bool(bodies) and all(_only_logs(c, p) for c in bodies)


_EXPRESSION_LAMBDAS = {"lambda_expression", "arrow_function"}
# With the "logging" step, a declaration that only holds a logger goes too (rules/trees/jvm.py).
_LOGGER_DECLARATIONS = {"field_declaration", "local_variable_declaration", "property_declaration"}
# With the "compiler" step, annotations of source retention go (rules/trees/jvm.py).
_ANNOTATION_NODES = {"annotation", "marker_annotation"}
# With the "imports" step, a type name reads as the fully qualified name it denotes.
_TYPE_NAMES = {"scoped_type_identifier", "type_identifier", "user_type"}


# A last catch clause that only rethrows what it caught (once logging is removed) changes
# nothing: the same exception leaves the try, after the same finally. Only the last: one with
# another clause after it hands its exceptions to that clause once removed. A try left with
# neither catch nor finally reads as its statements (Ruby's `begin` always; Java and JS only
# when the block declares no variable or class that would then reach further, or when the try
# is the last statement of its block).
_TRIES = {"java": {"try_statement", "try_with_resources_statement"}, "javascript": {"try_statement"},
          "ruby": {"begin", "body_statement"}}
_TRIES["typescript"] = _TRIES["tsx"] = _TRIES["javascript"]
_CATCHES = {"catch_clause", "rescue"}
_SCOPED = {"local_variable_declaration", "class_declaration", "record_declaration", "interface_declaration",
           "enum_declaration", "lexical_declaration", "function_declaration", "generator_function_declaration"}


def _caught(clause, p: Parsed) -> tuple[str | None, list]:
    """The name a catch clause binds (None without one) and the statements of its body."""
    if clause.type == "rescue":
        variable = next((c for c in clause.named_children if c.type == "exception_variable"), None)
        name = next((p.text(c) for c in variable.named_children), None) if variable is not None else None
        body = next((c for c in clause.named_children if c.type == "then"), None)
    else:
        param = clause.child_by_field_name("parameter")  # JS/TS
        if param is None:
            formal = next((c for c in clause.named_children if c.type == "catch_formal_parameter"), None)
            param = formal.child_by_field_name("name") if formal is not None else None
        name = p.text(param) if param is not None and param.type == "identifier" else None
        body = clause.child_by_field_name("body")
    statements = [c for c in body.named_children if "comment" not in c.type] if body is not None else []
    return name, statements


def _rethrows(node, name: str | None, p: Parsed) -> bool:
    if node.type == "throw_statement":  # Java, JS: `throw e;`
        values = [c for c in node.named_children if "comment" not in c.type]
        return name is not None and len(values) == 1 and values[0].type == "identifier" and p.text(values[0]) == name
    if p.language == "ruby" and node.type == "identifier":  # a bare `raise` raises what was rescued
        return p.text(node) in ("raise", "fail")
    if p.language == "ruby" and node.type == "call" and node.child_by_field_name("receiver") is None:
        method, args = node.child_by_field_name("method"), node.child_by_field_name("arguments")
        values = [c for c in args.named_children] if args is not None else []
        return (method is not None and p.text(method) in ("raise", "fail") and name is not None
                and len(values) == 1 and values[0].type == "identifier" and p.text(values[0]) == name)
    return False


def _rethrow_only_catch(node, p: Parsed):
    """The last catch/rescue clause of ``node`` when it only logs and rethrows what it caught."""
    named = [c for c in node.named_children if "comment" not in c.type]
    clauses = [i for i, c in enumerate(named) if c.type in _CATCHES]
    if not clauses:
        return None
    last = clauses[-1]
    if any(c.type not in ("finally_clause", "ensure") for c in named[last + 1:]):
        return None  # Ruby's `else` runs only when nothing was rescued: keep the clause
    name, statements = _caught(named[last], p)
    variable = next((c for c in named[last].named_children if c.type == "exception_variable"), None)
    if variable is not None and any(c.type != "identifier" for c in variable.named_children):
        # `rescue => export.failure` calls a setter, `rescue => @error` sets an instance variable:
        # the clause acts before it re-raises (red team of session 7).
        return None
    if not statements or not _rethrows(statements[-1], name, p):
        return None
    return named[last] if all(is_logging(s, p) for s in statements[:-1]) else None


# Statement lists that share one scope with the next: a switch's cases.
_SWITCH_GROUPS = {"switch_case", "switch_default", "switch_block_statement_group", "expression_case", "default_case"}


def _read_beside(block, try_node, children, p: Parsed) -> bool:
    """Whether a name that ``block`` declares is an identifier anywhere in ``children`` outside
    ``try_node``."""
    def identifiers(node):
        return (p.text(n) for n in walk(node) if n.child_count == 0 and "identifier" in n.type)

    names: set[str] = set()
    for x in block.named_children:
        if x.type not in _SCOPED:
            continue
        heads = [x.child_by_field_name("name")] if x.child_by_field_name("name") is not None else [
            d.child_by_field_name("name") for d in x.named_children if d.type == "variable_declarator"]
        names.update(name for h in heads if h is not None for name in identifiers(h))
    return any(name in names for c in children if not isinstance(c, str) and c.id != try_node.id
               for name in identifiers(c))


def _splice_tries(children, p: Parsed, parent: str = "") -> list:
    """``children`` with each try statement whose only catch goes (and that has no finally) read
    as the statements of its block."""
    kinds = _TRIES.get(p.language, set()) - {"body_statement", "try_with_resources_statement"}
    if not kinds or not any(not isinstance(c, str) and c.type in kinds for c in children):
        return list(children)
    statements = [c for c in children if not isinstance(c, str) and c.is_named and "comment" not in c.type]
    last = statements[-1].id if statements else None
    out: list = []
    for c in children:
        gone = _rethrow_only_catch(c, p) if not isinstance(c, str) and c.type in kinds else None
        if gone is None:
            out.append(c)
            continue
        rest = [x for x in c.named_children if x.id != gone.id and "comment" not in x.type]
        if p.language == "ruby":
            body = [x for x in c.children if x.id != gone.id and x.type not in ("begin", "end")]
            if any(x.type in _CATCHES or x.type in ("else", "ensure") for x in rest):
                out.append(c)
                continue
        else:
            block = rest[0] if len(rest) == 1 and rest[0].type in ("block", "statement_block") else None
            # What the block declares reaches no further when nothing follows the try in its
            # own block (Unleash's token refresh, wrapped whole to log which cache failed), and
            # nothing before it reads those names either: unwrapped, a JS `const` or function is
            # seen by the whole block (a closure declared before it, a read in its dead zone),
            # and a switch's next case sees a Java local.
            if block is None or (any(x.type in _SCOPED for x in block.named_children) and (
                    c.id != last or parent in _SWITCH_GROUPS or _read_beside(block, c, children, p))):
                out.append(c)
                continue
            body = [x for x in block.children if x.type not in ("{", "}")]
        out.extend(body)
    return out


# TypeScript's types never run: with the "annotations" step these nodes are dropped, and a cast
# or a non-null assertion is read as the expression it wraps.
_TS_TYPE_ONLY = {"type_annotation", "type_arguments", "type_parameters", "opt_type_annotation", "asserts_annotation",
                 "interface_declaration", "type_alias_declaration", "accessibility_modifier", "override_modifier"}
_TS_WRAPPERS = {"as_expression", "satisfies_expression", "non_null_expression"}


# The "messages" step: the text of an error raised or thrown is not behaviour. Strings inside a
# throw/raise are read as one placeholder, and `if (c) throw X; throw X;` (both paths throw the
# same once messages are placeholders, `c` calls and assigns nothing) as `throw X;`.
_STRINGS = {"string", "string_literal", "template_string", "interpreted_string_literal", "raw_string_literal",
            "line_string_literal", "multi_line_string_literal", "text_block", "heredoc_body"}
_THROWS = {"throw_statement"}
_MESSAGE = "\u00abmessage\u00bb"
# Go returns errors instead of throwing them: the text of one built by these calls is its message.
# The format's verbs stay (`%w` wraps the cause, and each verb consumes an argument).
_GO_ERRORS = {"fmt.Errorf", "errors.New", "errors.Errorf", "errors.Wrap", "errors.Wrapf", "errors.WithMessage",
              "errors.WithMessagef"}
_GO_VERBS = re.compile(r"%[-+# 0]*(?:\[\d+\])?(?:\d+|\*)?(?:\.(?:\d+|\*)?)?(?:\[\d+\])?[a-zA-Z%]")


def _go_error_text(n, p: Parsed) -> str | None:
    """The placeholder for a string literal that is an argument of a Go error constructor, or None."""
    args = n.parent
    call = args.parent if args is not None and args.type == "argument_list" else None
    fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    if fn is None or p.text(fn) not in _GO_ERRORS:
        return None
    return _MESSAGE + "(" + " ".join(_GO_VERBS.findall(p.text(n))) + ")"


def _is_throw(node, p: Parsed) -> bool:
    if node.type == "expression_statement" and node.named_child_count == 1:
        node = node.named_children[0]
    if node.type in _THROWS or (node.type == "jump_expression" and p.text(node).startswith("throw")):
        return True
    if node.type == "call" and node.child_by_field_name("receiver") is None:  # Ruby `raise X, "…"`
        method = node.child_by_field_name("method")
        return method is not None and p.text(method) in ("raise", "fail")
    return False


def _calls(node) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if "call" in n.type or "invocation" in n.type or "creation" in n.type or n.type == "new_expression":
            return True
        stack.extend(n.children)
    return False


def _redundant_throw_guard(node, following, p: Parsed, flags) -> bool:
    """``if (c) { throw X; }`` followed by the same ``throw X;``: either way X is thrown."""
    if following is None or node.type not in _CONDITIONALS or not _is_throw(following, p):
        return False
    condition = node.child_by_field_name("condition")
    if (condition is None or _writes(condition, p) or _calls(condition)
            or node.child_by_field_name("initializer") is not None
            or node.child_by_field_name("alternative") is not None
            or any(c.type in ("else", "elsif") for c in node.named_children)):
        return False
    body = [c for c in node.named_children if c.id != condition.id]
    while len(body) == 1 and body[0].type in _BODIES:
        body = [c for c in body[0].named_children if "comment" not in c.type]
    return len(body) == 1 and _is_throw(body[0], p) and dump(body[0], p, *flags) == dump(following, p, *flags)


# The "version" step: a version number assigned to a constant named like one (`VERSION = "8.1.1"`,
# Go's `Ver = "3.7.3"`: siyuan's releases, apps-q), or a release's code name returned by a method
# named for it (ManageIQ's `def self.CODENAME; "Tal".freeze; end`, renamed at every release: apps-r).
_VERSION_NAME = re.compile(r"(?i:version)|(?:^|_)(?i:ver)(?:_|$)|(?<=[a-z0-9])Ver(?:[A-Z_]|$)")  # AppVer too
_VERSION_VALUE = re.compile(r"^v?\d+(?:\.\d+)+(?:[-.+][0-9A-Za-z.]+)?$")
# The method's whole name (`CODENAME`, `release_code_name`), not a coupon's `discount_code_name`.
_CODE_NAME = re.compile(r"(?i)^(?:(?:release|version|product|app)_?)?code_?name$")
_CODE_NAME_VALUE = re.compile(r"^[A-Za-z][A-Za-z0-9 -]{0,39}$")  # words of a name ("Noble Numbat"), not a setting
_ASSIGNMENTS = {"assignment", "variable_declarator", "const_spec", "var_spec", "property_declaration",
                "expression_list", "literal_value"}
_METHODS = {"method", "singleton_method"}


def _is_version_string(node, p: Parsed) -> bool:
    text = p.text(node).strip("'\"`")
    holder = node.parent
    if holder is not None and holder.type == "call" and holder.child_by_field_name("receiver") == node \
            and p.text(holder.child_by_field_name("method") or holder) == "freeze":
        node, holder = holder, holder.parent  # `"Tal".freeze`: the same value, frozen
    while holder is not None and holder.type in ("expression_list", "body_statement"):
        if holder.type == "body_statement" and len(holder.named_children) != 1:
            return False  # a method that does more than return the value
        holder = holder.parent
    if holder is None or holder.type not in _ASSIGNMENTS | _METHODS:
        return False
    name = holder.child_by_field_name("left") or holder.child_by_field_name("name")
    if name is None or name.end_byte > node.start_byte:
        return False
    named = p.text(name)
    return bool(_VERSION_NAME.search(named) and _VERSION_VALUE.match(text)
                or _CODE_NAME.search(named) and _CODE_NAME_VALUE.match(text))


# The "parameters" step: a Ruby keyword parameter with a default that the method never reads. No
# caller in the change passes it (or the call would change too); one elsewhere that still does
# gets an ArgumentError on every call, at once, not a race. Not when the body could read it
# without naming it (a bare `super` forwards it, `binding`, `local_variables`, `eval`).
_READS_ALL_LOCALS = {"super", "binding", "local_variables", "eval", "instance_eval", "method"}


def _unused_keywords(params, p: Parsed) -> set[int]:
    method = params.parent
    body = method.child_by_field_name("body") if method is not None else None
    names: set[str] = set()
    stack = [body] if body is not None else []
    while stack:
        n = stack.pop()
        if n.child_count == 0:
            names.add(p.text(n))
            continue
        stack.extend(n.children)
    if names & _READS_ALL_LOCALS:
        return set()
    unused = set()
    for child in params.named_children:
        name = child.child_by_field_name("name")
        if child.type == "keyword_parameter" and child.child_by_field_name("value") is not None \
                and name is not None and p.text(name) not in names:
            unused.add(child.id)
    return unused


def _condition_calls(condition, p: Parsed) -> list[str]:
    """The text of each outermost call in a condition, in order."""
    out, stack = [], [condition] if condition is not None else []
    while stack:
        n = stack.pop()
        if "call" in n.type or "invocation" in n.type or "creation" in n.type or n.type == "new_expression":
            out.append(" ".join(p.text(n).split()))
            continue
        stack.extend(reversed(n.children))
    return out


def _plain(string) -> bool:
    """A string literal without interpolation (`"#{charge!}"` runs code: it is not only a message)."""
    stack = list(string.children)
    while stack:
        n = stack.pop()
        if "interpolation" in n.type or "substitution" in n.type or n.type == "template_substitution":
            return False
        stack.extend(n.children)
    return True


# Comments that change what runs: Ruby's magic comments, Go's compiler directives and build
# constraints; in a Go file that imports "C", every comment (cgo reads C code from them).
_DIRECTIVE = re.compile(r"^\s*(?:#\s*-\*-|#\s*(?:frozen_string_literal|encoding|coding|shareable_constant_value|warn_indent)\s*:"
                        r"|//\s*\+build|//go:|//export\b|//line\b)", re.IGNORECASE)


def is_directive(comment_text: str, p: Parsed) -> bool:
    """Whether a comment with this text (or on a line with this text) is one the language reads."""
    return bool(_DIRECTIVE.match(comment_text)) or (p.language == "go" and b'import "C"' in p.source)


# Java's `final` on a local variable or a parameter only stops the method assigning it again:
# the compiler checks it and the bytecode is the same (Conversations' authors add it as they go,
# a new user's trial, session 37). On a field it is not: it publishes the value to other threads.
_FINAL_LOCALS = frozenset({"local_variable_declaration", "formal_parameter", "catch_formal_parameter",
                           "enhanced_for_statement", "resource", "spread_parameter"})


def _local_final(c) -> bool:
    parent = c.parent.parent if c.parent is not None else None
    return c.type == "final" and parent is not None and parent.type in _FINAL_LOCALS


def dump(node, p: Parsed, logging: bool, annotations: bool = False, messages: bool = False,
         version: bool = False, parameters: bool = False, imports: bool = False, compiler: bool = False) -> str:
    """The node as an S-expression of every token, without comments (and logging statements,
    TypeScript types, error messages, a version number, unused keyword parameters, the difference
    between an imported and a fully qualified type name, Java/Kotlin annotations only the compiler
    reads)."""
    flags = (logging, annotations, messages, version, parameters, imports, compiler)
    source_only = compiler and p.language in ("java", "kotlin")
    types_only = annotations and p.language in ("typescript", "tsx")
    jvm_names = imports and p.language in ("java", "kotlin")
    if jvm_names:
        imported_types(p)
        # An inherited member type may shadow an import (JLS 6.4.1): no imports step in a file
        # whose types extend or implement others (red team of session 7).
        jvm_names = not p.memo.get("jvm.inherits", True)
    out: list[str] = []
    stack = [(node, False)]
    while stack:
        n, in_throw = stack.pop()
        if isinstance(n, str):
            out.append(n)
            continue
        if ("comment" in n.type and not is_directive(p.text(n), p)) or (types_only and n.type in _TS_TYPE_ONLY):
            continue
        if logging and n.type in _LOGGER_DECLARATIONS and is_logger_declaration(n, p):
            continue
        if source_only and n.type in _ANNOTATION_NODES and is_source_only_annotation(n, p):
            continue
        if logging and n.type in _ANNOTATION_NODES and is_lombok_logger(n, p):
            continue  # declares a logger, as a logger field written out would
        if (source_only or logging) and n.type == "modifiers" and all(
                (source_only and _local_final(c)) or
                (c.type in _ANNOTATION_NODES and ((source_only and is_source_only_annotation(c, p))
                                                  or (logging and is_lombok_logger(c, p)))) for c in n.children):
            continue  # nothing left: read as a declaration written without modifiers
        if jvm_names and n.type in _TYPE_NAMES:
            name = qualified(n, p)
            if name is not None:
                if n.type != "user_type":
                    out.append(name)
                    continue
                out.append("(user_type " + name)  # Kotlin: the type arguments follow the name
                stack.append((")", False))
                stack.extend((c, in_throw) for c in reversed(n.children) if c.type == "type_arguments")
                continue
        if types_only and n.type in _TS_WRAPPERS and n.named_child_count:
            stack.append((n.named_children[0], in_throw))
            continue
        if messages and p.language == "go" and n.type in _STRINGS and (text := _go_error_text(n, p)) is not None:
            out.append(text)
            continue
        if n.type in _STRINGS and ((in_throw and messages and _plain(n)) or (version and _is_version_string(n, p))):
            out.append(_MESSAGE if in_throw else "\u00abversion\u00bb")
            continue
        if n.child_count == 0:
            out.append(p.text(n))
            continue
        if n.type == "parenthesized_expression" and p.language != "ruby" and n.named_child_count == 1 \
                and n.named_children[0].type in _OPERANDS and "?." not in p.text(n) \
                and (n.parent is None or n.parent.type != "new_expression"):
            # Not `(a?.b).c` (it throws where `a?.b.c` gives undefined), nor `new (f())()`.
            # `fmt.Errorf(("%s"), …)` is `fmt.Errorf("%s", …)`: parentheses around one operand
            # order nothing (ollama's lint fixes, apps-ag 6bba484f, read as changed behaviour).
            stack.append((n.named_children[0], in_throw))
            continue
        if p.language == "ruby" and n.type == "call" and (literal := _unfrozen_copy(n, p)) is not None:
            # `String.new("…")` and `"…".dup` are `+"…"`: an unfrozen string of the same text
            # (RuboCop's Performance/UnfreezeString, WikiEduDashboard c0aa3c0b, apps-s). Not
            # `String.new(body)` for `body.dup`: for a nil body the first raises, the second
            # returns nil (the red team of session 27).
            out.append("(unary")
            stack.extend([(")", False), (literal, in_throw), ("+", False)])
            continue
        out.append("(" + n.type)
        stack.append((")", False))
        children = n.children
        if source_only and n.type == "modifiers":
            children = [c for c in children if not _local_final(c)]
        if logging and _TRIES.get(p.language) and n.type in _TRIES[p.language]:
            gone = _rethrow_only_catch(n, p)
            if gone is not None:
                children = [c for c in children if c.id != gone.id]
        if logging and n.type in _EXPRESSION_LAMBDAS:
            # `doOnSuccess(x -> log.info(…))`: a lambda whose whole body is a logging call only
            # logs, whatever it logs (halo 11f9d7b954 changed such a line's arguments).
            body = n.child_by_field_name("body")
            if body is not None and body.type not in _BODIES and is_logging(body, p):
                children = [c if c.id != body.id else "\u00ablog\u00bb" for c in children]
        if logging and n.type in _STATEMENT_PARENTS:
            kept = []
            for c in _splice_tries(children, p, n.type):
                if is_logging(c, p):
                    continue
                if is_log_guard(c, p):
                    # The guard goes, but not the calls its condition makes: `if (!lock.tryLock())
                    # log.warn(…)` removed is a lock no longer taken. `c` and `!c` read the same.
                    calls = _condition_calls(c.child_by_field_name("condition"), p)
                    if calls:
                        kept.append("(guard " + " ".join(calls) + ")")
                    continue
                kept.append(c)
            children = kept
        if messages and n.type in _STATEMENT_PARENTS:
            named = [c for c in children if not isinstance(c, str) and c.is_named and "comment" not in c.type]
            after = {a.id: b for a, b in zip(named, named[1:])}
            children = [c for c in children
                        if isinstance(c, str) or not _redundant_throw_guard(c, after.get(c.id), p, flags)]
            if not children:
                out.pop()  # no modifier left: read as a declaration written without any
                stack.pop()
                continue
        if parameters and n.type == "method_parameters":
            unused = _unused_keywords(n, p)
            children = [c for c in children if c.is_named and c.id not in unused]  # and no commas
        in_throw = in_throw or (messages and _is_throw(n, p))
        stack.extend((c, in_throw) for c in reversed(children))
    return " ".join(out)


# Operands that parentheses cannot regroup: a name, a literal, a call, a field or element read.
_OPERANDS = frozenset({"identifier", "field_identifier", "simple_identifier", "interpreted_string_literal",
                       "raw_string_literal", "int_literal", "float_literal", "string", "string_literal", "number",
                       "integer_literal", "decimal_integer_literal", "true", "false", "nil", "null", "null_literal",
                       "call_expression", "selector_expression", "member_expression", "index_expression",
                       "subscript_expression", "parenthesized_expression", "method_invocation", "field_access",
                       "navigation_expression", "this", "this_expression"})


def _unfrozen_copy(call, p: Parsed):
    """The string literal of a Ruby `String.new("…")` or `"…".dup`, else None."""
    receiver, method = call.child_by_field_name("receiver"), call.child_by_field_name("method")
    args = call.child_by_field_name("arguments")
    if receiver is None or method is None:
        return None
    if p.text(method) == "dup" and receiver.type == "string" and args is None:
        return receiver
    if p.text(method) == "new" and p.text(receiver) == "String" and args is not None \
            and len(args.named_children) == 1 and args.named_children[0].type == "string":
        return args.named_children[0]
    return None


_STEPS = ("logging", "annotations", "messages", "version", "parameters", "imports", "compiler")


def proof_of_no_change(base, base_p: Parsed, head, head_p: Parsed) -> tuple[str, ...] | None:
    """("formatting",) or ("formatting", "logging", …): the fewest steps after which the two units
    are the same tree (comments and formatting are always removed); None when they differ."""
    if dump(base, base_p, False) == dump(head, head_p, False):
        return ("formatting",)
    # Each step only removes or blanks: units that differ with every step differ with any fewer.
    everything = [True] * len(_STEPS)
    if dump(base, base_p, *everything) != dump(head, head_p, *everything):
        return None
    for size in range(1, len(_STEPS) + 1):
        for combo in combinations(_STEPS, size):
            flags = [step in combo for step in _STEPS]
            if dump(base, base_p, *flags) == dump(head, head_p, *flags):
                return ("formatting",) + combo
    return None


def proof_with_renames(base, base_p: Parsed, head, head_p: Parsed) -> tuple[str, ...] | None:
    """``proof_of_no_change``, or, for a function whose only change is the names of its local
    variables (rules/trees/renamed.py), ("formatting", "renamed")."""
    proof = proof_of_no_change(base, base_p, head, head_p)
    if proof is None and base.type in FUNCTIONS and head.type in FUNCTIONS:
        from .renamed import renamed_locals

        if renamed_locals(base, base_p, head, head_p):
            return ("formatting", "renamed")
    return proof


_WORDS = {"formatting": "comments or formatting", "logging": "logging calls (or conditions that only decide whether to log, loggers declared, a last catch that only logs and rethrows)",
          "annotations": "type annotations", "messages": "error messages", "version": "a version number",
          "parameters": "an unused keyword parameter (a caller still passing it now fails at once)",
          "imports": "a type name written with its package instead of imported (the same type)",
          "compiler": "annotations only the compiler reads (@Override, @SuppressWarnings, Kotlin's @Suppress) or "
                      "`final` on a Java local variable or parameter",
          "renamed": "the names of local variables, renamed one to one"}


def describe(proof: tuple[str, ...]) -> str:
    words = [_WORDS[step] for step in proof]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
