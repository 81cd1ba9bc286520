"""Units of code (functions, methods, classes, top-level declarations), their qualified names,
and the proof that a unit behaves as before: the same tree once comments, logging calls and
formatting are removed (the policy of rules/py_equiv.py, for tree-sitter trees).
"""

from __future__ import annotations

from .parse import Parsed

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
})
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
    chain, node, in_function = [], p.root, False
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


def qualname(chain: list, p: Parsed) -> str:
    return "::".join(node_name(n, p) for n in chain) if chain else "(top level)"


def index_units(p: Parsed) -> dict[str, object]:
    """Every unit by qualified name (the first of duplicates wins)."""
    types = UNIT_TYPES.get(p.language, set())
    out: dict[str, object] = {}
    stack = [(p.root, (), False)]
    while stack:
        node, names, in_function = stack.pop()
        for child in node.children:
            inside = in_function or child.type in FUNCTIONS
            if child.type in types and child.is_named and not (in_function and child.type in DECLARATIONS):
                key = names + (node_name(child, p),)
                out.setdefault("::".join(key), child)
                stack.append((child, key, inside))
            elif child.child_count:
                stack.append((child, names, inside))
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
    if not callee or "\n" in callee:
        return False
    callee = callee.replace("?.", ".").replace("&.", ".").replace("::", ".").lower()
    receiver, _, method = callee.rpartition(".")
    if callee not in _PRINTS and not (method in LOG_METHODS and ("log" in receiver or receiver == "console")):
        return False
    return not _acts(node, p)


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


def _has_arguments(node) -> bool:
    for child in node.children:
        if child.type in _ARGUMENTS and (child.named_child_count if child.type != "call_suffix" else _has_arguments(child)):
            return True
        if child.type in ("annotated_lambda", "do_block", "block") and node.type in _CALLS:
            return True
    return False


def _acts(call, p: Parsed) -> bool:
    """Whether anything inside logging call ``call`` (but the call itself) may change state."""
    stack = list(call.children)
    while stack:
        n = stack.pop()
        if n.type in _ACTING:
            if n.type in ("postfix_unary_expression", "prefix_unary_expression") and not any(
                    c.type in ("++", "--") for c in n.children):
                pass  # `!x`, `-x`, Kotlin's `x!!`: no change
            else:
                return True
        if n.type in _CALLS and _has_arguments(n):
            name = (_callee(n, p) or "").replace("::", ".").lower()
            if name not in _FORMATTERS and name.rpartition(".")[2] not in _FORMATTERS:
                return True
        stack.extend(n.children)
    return False


_STATEMENT_PARENTS = {"body_statement", "then", "else", "do_block", "block", "begin", "program", "statement_block",
                      "statement_list", "constructor_body", "switch_block_statement_group", "statements",
                      "function_body", "ensure", "rescue", "switch_case", "switch_default", "class_body",
                      "do", "block_body", "chunk", "source_file", "expression_case", "default_case"}


# TypeScript's types never run: with the "annotations" step these nodes are dropped, and a cast
# or a non-null assertion is read as the expression it wraps.
_TS_TYPE_ONLY = {"type_annotation", "type_arguments", "type_parameters", "opt_type_annotation", "asserts_annotation",
                 "interface_declaration", "type_alias_declaration", "accessibility_modifier", "override_modifier"}
_TS_WRAPPERS = {"as_expression", "satisfies_expression", "non_null_expression"}


def dump(node, p: Parsed, logging: bool, annotations: bool = False) -> str:
    """The node as an S-expression of every token, without comments (and logging statements,
    and TypeScript types)."""
    types_only = annotations and p.language in ("typescript", "tsx")
    out: list[str] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, str):
            out.append(n)
            continue
        if "comment" in n.type or (types_only and n.type in _TS_TYPE_ONLY):
            continue
        if types_only and n.type in _TS_WRAPPERS and n.named_child_count:
            stack.append(n.named_children[0])
            continue
        if n.child_count == 0:
            out.append(p.text(n))
            continue
        out.append("(" + n.type)
        stack.append(")")
        children = n.children
        if logging and n.type in _STATEMENT_PARENTS:
            children = [c for c in children if not is_logging(c, p)]
        stack.extend(reversed(children))
    return " ".join(out)


def proof_of_no_change(base, base_p: Parsed, head, head_p: Parsed) -> tuple[str, ...] | None:
    """("formatting",) or ("formatting", "logging") when the two units are the same tree once
    comments, formatting (and logging) are removed; None when they differ."""
    if dump(base, base_p, False) == dump(head, head_p, False):
        return ("formatting",)
    if dump(base, base_p, True) == dump(head, head_p, True):
        return ("formatting", "logging")
    if dump(base, base_p, False, True) == dump(head, head_p, False, True):
        return ("formatting", "annotations")
    if dump(base, base_p, True, True) == dump(head, head_p, True, True):
        return ("formatting", "logging", "annotations")
    return None


_WORDS = {"formatting": "comments or formatting", "logging": "logging calls", "annotations": "type annotations"}


def describe(proof: tuple[str, ...]) -> str:
    words = [_WORDS[step] for step in proof]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
