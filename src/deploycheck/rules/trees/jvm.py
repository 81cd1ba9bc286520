"""Java and Kotlin facts the proof of unchanged behaviour needs (rules/trees/units.py): which type a
simple name imports, whether a declaration only holds a logger, and whether a member's access
modifier can be read as changing nothing but which callers compile.
"""

from __future__ import annotations

import re

from .parse import Parsed

# Logger types by fully qualified name: a field or variable of one of these only serves logging.
LOGGER_TYPES = frozenset({
    "org.slf4j.Logger", "org.slf4j.ext.XLogger", "org.slf4j.spi.LocationAwareLogger", "java.util.logging.Logger",
    "java.lang.System.Logger", "org.apache.logging.log4j.Logger", "org.apache.logging.log4j.spi.ExtendedLogger",
    "org.apache.log4j.Logger", "org.apache.commons.logging.Log", "org.springframework.core.log.LogAccessor",
    "org.jboss.logging.Logger", "com.google.common.flogger.FluentLogger", "mu.KLogger",
    "io.github.oshai.kotlinlogging.KLogger", "ch.qos.logback.classic.Logger", "org.tinylog.TaggedLogger",
    "io.netty.util.internal.logging.InternalLogger",
})
# Methods that hand out a logger (LoggerFactory.getLogger, LogFactory.getLog, KotlinLogging.logger…).
_LOGGER_FACTORIES = frozenset({"getLogger", "getLog", "getFormatterLogger", "forEnclosingClass", "logger"})
# Calls without arguments that only name the class a logger is for (`getClass()`,
# `MethodHandles.lookup().lookupClass()`).
_NAMES_A_CLASS = frozenset({"getClass", "lookup", "lookupClass", "getName", "getSimpleName", "getCanonicalName"})

_JAVA_TYPE_DECLARATIONS = {"class_declaration", "interface_declaration", "enum_declaration", "record_declaration",
                           "annotation_type_declaration"}
_KOTLIN_TYPE_DECLARATIONS = {"class_declaration", "object_declaration", "type_alias"}
# JDK types a class may extend or implement that declare no member types (so none can shadow an
# import). Thread is not one (Thread.State, Thread.Builder), nor Map (Map.Entry).
_MEMBERLESS_JDK_TYPES = frozenset({"Runnable", "Callable", "Serializable", "Comparable", "AutoCloseable", "Closeable",
                                   "Cloneable", "Iterable", "Object", "Supplier", "Consumer", "Function", "Predicate"})


def _walk(node) -> list:
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(n.children)
    return out


# Where a type names what it extends or implements (Java; Kotlin's delegation specifiers).
_SUPERTYPES = {"superclass", "super_interfaces", "extends_interfaces", "delegation_specifier", "delegation_specifiers"}


def imported_types(p: Parsed) -> dict[str, str]:
    """Simple name -> fully qualified name, from the file's single-type imports (`import a.b.C;`;
    no wildcard, no static import, no Kotlin alias), without the names a type or type parameter
    declared in the file shadows (then the simple name may mean that one). ``p.memo["jvm.inherits"]``
    says whether a type of the file extends or implements another: a member type it inherits from a
    file not read here may shadow an import of the same simple name (JLS 6.4.1)."""
    memo = p.memo.get("jvm.imports")
    if memo is not None:
        return memo
    found: dict[str, str] = {}
    declared: set[str] = set()
    supertypes: list = []
    stack = [p.root]
    while stack:
        n = stack.pop()
        if n.type in ("import_declaration", "import"):
            kinds = {c.type for c in n.children}
            if kinds & {"static", "asterisk", "*", "as", "wildcard_import"} or ".*" in p.text(n):
                continue
            path = next((c for c in n.named_children if c.type in ("scoped_identifier", "qualified_identifier",
                                                                     "identifier")), None)
            if path is not None:
                fqn = "".join(p.text(path).split())
                found.setdefault(fqn.rpartition(".")[2], fqn)
            continue
        if n.type in _JAVA_TYPE_DECLARATIONS or n.type in _KOTLIN_TYPE_DECLARATIONS or n.type == "type_parameter":
            name = n.child_by_field_name("name") or next(
                (c for c in n.named_children if c.type in ("identifier", "type_identifier", "simple_identifier")), None)
            if name is not None:
                declared.add(p.text(name))
            supertypes.extend(c for c in n.children if c.type in _SUPERTYPES)
        stack.extend(n.children)
    result = {simple: fqn for simple, fqn in found.items() if simple not in declared}
    # JDK interfaces without member types are safe to inherit from; any other supertype (or one
    # of those names meaning a type imported from elsewhere or declared here) may not be.
    named = {p.text(t) for s in supertypes for t in _walk(s) if t.type in ("type_identifier", "identifier", "simple_identifier")}
    p.memo["jvm.inherits"] = any(
        name not in _MEMBERLESS_JDK_TYPES or name in declared or not found.get(name, "java.lang.").startswith("java.")
        for name in named
    )
    p.memo["jvm.imports"] = result
    p.memo["jvm.declared"] = declared
    return result


def single_type_imports(p: Parsed):
    """(dotted name, alias or "", line) of each top-level single-type import of a Java or Kotlin
    file, read from its text (`import a.b.C;`, Kotlin's `import a.b.C as D`); static and wildcard
    imports are left out. Shared by the shutdown hooks' annotation reading (beans.py) and the
    whole-file move reading (moved.py)."""
    for stmt in p.root.named_children:
        if stmt.type not in ("import_declaration", "import_header", "import_list"):
            continue
        for header in [stmt] if stmt.type != "import_list" else stmt.named_children:
            text = p.text(header).strip().removeprefix("import").strip().rstrip(";").strip()
            if text.startswith("static ") or text.endswith("*"):
                continue
            dotted, _, alias = text.partition(" as ")
            yield dotted.strip(), alias.strip(), header.start_point[0] + 1


def _dotted(node, p: Parsed) -> list[str] | None:
    """The parts of a type name written `a.b.C` (Java scoped_type_identifier, Kotlin user_type
    without type arguments), or None when it holds anything else (annotations)."""
    if node.type == "type_identifier" or (node.type == "identifier" and p.language == "kotlin"):
        return [p.text(node)]
    if node.type not in ("scoped_type_identifier", "user_type"):
        return None
    parts: list[str] = []
    for child in node.children:
        if child.type == ".":
            continue
        if child.type == "type_arguments":
            break
        sub = _dotted(child, p)
        if sub is None:
            return None
        parts.extend(sub)
    return parts


def qualified(node, p: Parsed) -> str | None:
    """A type name read as fully qualified through the file's imports: `Collection` with `import
    java.util.Collection;`, `Map.Entry` with `import java.util.Map;`, and `java.util.Collection`
    itself all read as the name they denote; None when the node is no plain type name."""
    parts = _dotted(node, p)
    if not parts:
        return None
    imports = imported_types(p)
    if parts[0] in imports:
        parts = imports[parts[0]].split(".") + parts[1:]
    elif parts[:2] == ["System", "Logger"] and "System" not in p.memo["jvm.declared"]:
        parts = ["java", "lang"] + parts  # java.lang is imported by every file
    return ".".join(parts)


# --- logger declarations ----------------------------------------------------------------------

_SAFE_VALUES = {"identifier", "this", "class_literal", "decimal_integer_literal", "true", "false", "null_literal",
                "simple_identifier", "character_literal", "boolean_literal", "integer_literal"}
_STRINGS = {"string_literal", "string", "line_string_literal", "multi_line_string_literal"}


def _pure(node, p: Parsed) -> bool:
    """An initializer that only names or makes a logger: a field or variable read (`Outer.this.log`),
    a class literal, a string, `getClass()`, a logger factory call or a logger constructor whose
    arguments are such too. Anything else may act."""
    t = node.type
    if t in _SAFE_VALUES or "comment" in t:
        return True
    if t in _STRINGS:  # Kotlin's "${call()}" runs code; "$name" only reads
        return "${" not in p.text(node)
    if t in ("parenthesized_expression", "value_argument", "value_arguments", "argument_list"):
        return all(_pure(c, p) for c in node.named_children)
    if t in ("field_access", "navigation_expression", "navigation_suffix"):
        return all(_pure(c, p) for c in node.named_children)
    if t == "method_invocation":
        obj, args = node.child_by_field_name("object"), node.child_by_field_name("arguments")
        name = p.text(node.child_by_field_name("name"))
        if obj is not None and not _pure(obj, p):
            return False
        if name in _LOGGER_FACTORIES:
            return args is None or _pure(args, p)
        return name in _NAMES_A_CLASS and (args is None or not args.named_child_count)
    if t == "object_creation_expression":
        kind, args = node.child_by_field_name("type"), node.child_by_field_name("arguments")
        if node.child_by_field_name("body") is not None or any(c.type == "class_body" for c in node.children):
            return False
        return kind is not None and qualified(kind, p) in LOGGER_TYPES and (args is None or _pure(args, p))
    if t == "call_expression" and p.language == "kotlin":
        callee = node.named_children[0] if node.named_child_count else None
        rest = node.named_children[1:]
        name = p.text(callee).rpartition(".")[2] if callee is not None else ""
        if callee is None or not _pure(callee, p):
            return False
        # Kotlin calls a constructor like a function: `Logger(…)` of a logger type.
        maker = name in _LOGGER_FACTORIES or (callee.type == "identifier" and qualified(callee, p) in LOGGER_TYPES)
        for part in rest:
            if part.type == "annotated_lambda":  # KotlinLogging.logger {}: an empty lambda only
                lam = part.named_children[0] if part.named_child_count else None
                if lam is None or any("comment" not in c.type for c in lam.named_children):
                    return False
            elif not maker or not _pure(part, p):
                return False
        return maker or name in _NAMES_A_CLASS
    return False


_SAFE_ANNOTATIONS = frozenset({
    "Override", "Deprecated", "SuppressWarnings", "SafeVarargs", "FunctionalInterface", "Nullable", "NonNull",
    "Nonnull", "NotNull", "CheckForNull", "VisibleForTesting", "CheckReturnValue", "CanIgnoreReturnValue", "Contract",
})


def _annotations(modifiers, p: Parsed) -> list[str]:
    """The simple names of the annotations among a declaration's modifiers."""
    names: list[str] = []
    if modifiers is None:
        return names
    stack = list(modifiers.children)
    while stack:
        n = stack.pop()
        if n.type in ("marker_annotation", "annotation"):
            name = n.child_by_field_name("name")
            text = p.text(name) if name is not None else p.text(n).lstrip("@").split("(")[0]
            names.append(text.strip().rpartition(".")[2])
            continue
        if n.type in ("annotation", "single_annotation"):
            names.append(p.text(n).lstrip("@").split("(")[0].strip().rpartition(".")[2])
            continue
        stack.extend(n.children)
    return names


def modifiers(node):
    """A Java or Kotlin declaration's `modifiers` node (annotations, `static`, `private`…), or None."""
    return next((c for c in node.children if c.type == "modifiers"), None)


def modifier_keywords(node) -> set[str]:
    """The keywords among a declaration's modifiers (`static`, `final`, `volatile`, `synchronized`…)."""
    mods = modifiers(node)
    return {c.type for c in mods.children} if mods is not None else set()


def is_logger_declaration(node, p: Parsed) -> bool:
    """A Java field or local variable, or a Kotlin property, whose declared type is a logger type
    and whose initial values only name or make a logger (`private static final Logger LOG =
    LoggerFactory.getLogger(Job.class);`). Annotations other than the harmless ones refuse it."""
    if p.language == "java" and node.type in ("field_declaration", "local_variable_declaration"):
        kind = node.child_by_field_name("type")
        if kind is None or qualified(kind, p) not in LOGGER_TYPES:
            return False
        if any(name not in _SAFE_ANNOTATIONS for name in _annotations(modifiers(node), p)):
            return False
        for declarator in node.children_by_field_name("declarator"):
            value = declarator.child_by_field_name("value")
            if value is not None and not _pure(value, p):
                return False
        return True
    if p.language == "kotlin" and node.type == "property_declaration":
        if any(c.type in ("property_delegate", "getter", "setter") for c in node.children):
            return False
        variable = next((c for c in node.named_children if c.type == "variable_declaration"), None)
        kind = next((c for c in variable.named_children if c.type == "user_type"), None) if variable else None
        if kind is not None and qualified(kind, p) not in LOGGER_TYPES:
            return False
        if any(name not in _SAFE_ANNOTATIONS for name in _annotations(modifiers(node), p)):
            return False
        seen_equals = False
        values = []
        for child in node.children:
            if child.type == "=":
                seen_equals = True
            elif seen_equals and child.is_named and "comment" not in child.type:
                if not _pure(child, p):
                    return False
                values.append(child)
        # Its type inferred (`private val logger = LoggerFactory.getLogger(Job::class.java)`): a
        # logger factory's call makes it one (the red team of session 28).
        return kind is not None or (len(values) == 1 and _makes_a_logger(values[0], p))
    if p.language == "kotlin" and node.type == "companion_object":
        # `companion object { private val logger = … }`: Kotlin's static logger field.
        body = next((c for c in node.named_children if c.type == "class_body"), None)
        members = [c for c in body.named_children if "comment" not in c.type] if body is not None else []
        return bool(members) and all(is_logger_declaration(m, p) for m in members)
    return False


def _makes_a_logger(value, p: Parsed) -> bool:
    """A Kotlin call of a logger factory (`LoggerFactory.getLogger(…)`, `KotlinLogging.logger {}`,
    `LogManager.getLogger()`), already read as pure by ``_pure``."""
    callee = value.named_children[0] if value.type == "call_expression" and value.named_child_count else None
    return callee is not None and p.text(callee).rpartition(".")[2] in _LOGGER_FACTORIES


# --- annotations only the compiler reads ---------------------------------------------------

# Annotations of source retention: the compiler reads them (a warning silenced, an override
# checked) and writes nothing of them to the class file, so no reflection, proxy or framework
# can see them at run time. Simple name (as the language imports it by default) -> the name
# written in full. `@Deprecated`, `@SafeVarargs` and `@FunctionalInterface` are kept at run time.
_SOURCE_ONLY = {
    "java": {"Override": "java.lang.Override", "SuppressWarnings": "java.lang.SuppressWarnings"},
    "kotlin": {"Suppress": "kotlin.Suppress"},
}


def _annotation_name(node, p: Parsed) -> str | None:
    """The name an annotation node is written with (`SuppressWarnings`, `java.lang.Override`,
    Kotlin's `Suppress` in `@Suppress("x")`); None for a Kotlin annotation with a use-site target
    (`@file:Suppress`), which is not one of a declaration, or in brackets (`@[A B]`), which is
    several."""
    if p.language == "java":
        name = node.child_by_field_name("name")
        return "".join(p.text(name).split()) if name is not None else None
    if any(c.type in ("use_site_target", ":", "[") for c in node.children):
        return None  # `@[Suppress("x") Transactional]` holds several annotations, some kept at run time
    for child in node.named_children:
        if child.type == "constructor_invocation":
            child = next((c for c in child.named_children if c.type == "user_type"), None)
        if child is not None and child.type == "user_type" and not any(
                c.type == "type_arguments" for c in child.children):
            return "".join(p.text(child).split())
    return None


# Lombok's logging annotations: each only declares the class's logger field (`log`), what
# ``is_logger_declaration`` reads when it is written out.
_LOMBOK_LOGGERS = frozenset({
    "lombok.extern.slf4j.Slf4j", "lombok.extern.slf4j.XSlf4j", "lombok.extern.log4j.Log4j2", "lombok.extern.log4j.Log4j",
    "lombok.extern.java.Log", "lombok.extern.apachecommons.CommonsLog", "lombok.extern.jbosslog.JBossLog",
    "lombok.extern.flogger.Flogger", "lombok.CustomLog",
})


def is_lombok_logger(node, p: Parsed) -> bool:
    """A Lombok logging annotation (`@Slf4j` under `import lombok.extern.slf4j.Slf4j;`, or written
    in full): not when the simple name is not imported from Lombok, or a type of the file has it."""
    if node.type not in ("annotation", "marker_annotation") or p.language not in ("java", "kotlin"):
        return False
    name = _annotation_name(node, p)
    return name is not None and (name in _LOMBOK_LOGGERS or imported_types(p).get(name) in _LOMBOK_LOGGERS)


def is_source_only_annotation(node, p: Parsed) -> bool:
    """A Java `@Override`/`@SuppressWarnings(…)` or Kotlin `@Suppress(…)` that is the language's
    own: not when the file imports or declares a type of that simple name, nor when a type of the
    file extends or implements one that may hold a member type of that name (JLS 6.4.1); written
    in full (`@java.lang.Override`) it is always the language's."""
    if node.type not in ("annotation", "marker_annotation") or p.language not in _SOURCE_ONLY:
        return False
    name = _annotation_name(node, p)
    known = _SOURCE_ONLY[p.language]
    if name is None:
        return False
    if name in known.values():
        return True
    if name not in known:
        return False
    imported_types(p)
    if name in p.memo["jvm.declared"] or p.memo.get("jvm.inherits", True):
        return False
    # Any import naming it (Kotlin's `import a.B as Suppress` too) may bind another type; in
    # Kotlin a star import also outranks the default `kotlin.*` one, in Java it does not.
    for child in p.root.children:
        for node in [child, *child.named_children]:
            if node.type in ("import_declaration", "import_header", "import"):
                text = p.text(node)
                if re.search(rf"\b{name}\b", text) or (p.language == "kotlin" and "*" in text):
                    return False
    return True


# --- members found by name ---------------------------------------------------------------

# Members that frameworks and the JVM find by name, not through a call that compiles:
# serialization hooks, `main`, the static factories converters look for.
_FOUND_BY_NAME = frozenset({"main", "writeObject", "readObject", "readObjectNoData", "writeReplace", "readResolve",
                            "valueOf", "of", "from", "fromString", "fromValue", "parse"})


def hidden_method(node, p: Parsed) -> str | None:
    """The name of a method only its own code could call: Java `private` or package-private (in a
    class, enum or record; an interface's are public), Kotlin `private`; no annotation but the
    harmless ones (`@Scheduled`, `@EventListener`… are called by a framework); not a member the
    JVM or a framework finds by name (`main`, serialization hooks, `valueOf`). None otherwise.
    A package-private method can override only one of its own package, which names it too."""
    if p.language == "java" and node.type == "method_declaration":
        mods = modifiers(node)
        words = {p.text(c) for c in mods.children} if mods is not None else set()
        body = node.parent
        owner = body.parent if body is not None else None
        if words & {"public", "protected"} or owner is None or owner.type not in (
                "class_declaration", "enum_declaration", "record_declaration"):
            return None
    elif p.language == "kotlin" and node.type == "function_declaration":
        mods = modifiers(node)
        words = set(p.text(mods).split()) if mods is not None else set()
        if "private" not in words or "override" in words:
            return None
    else:
        return None
    if any(name not in _SAFE_ANNOTATIONS for name in _annotations(mods, p)):
        return None
    name_node = node.child_by_field_name("name") or next(
        (c for c in node.named_children if c.type in ("identifier", "simple_identifier")), None)
    name = p.text(name_node) if name_node is not None else ""
    return name if name and name not in _FOUND_BY_NAME and name.isidentifier() else None


def in_synchronized(node) -> bool:
    """Whether Java ``node`` runs inside a `synchronized` block, or in a method or constructor
    declared `synchronized` (the innermost one around it)."""
    n = node.parent
    while n is not None:
        if n.type == "synchronized_statement":
            return True
        if n.type in ("method_declaration", "constructor_declaration"):
            return "synchronized" in modifier_keywords(n)
        n = n.parent
    return False
