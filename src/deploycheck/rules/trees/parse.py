"""One syntax tree per side of a changed file, parsed once and shared by the detectors.

Fail closed: a side that cannot be read (too large for the scan, not text), is over the parse cap,
or makes the parser fail is returned as an ``Unreadable`` with the reason, and the detector
reports it (DC703) instead of skipping the file. The cap bounds memory: a tree-sitter tree costs
tens of bytes per node, so a 9 MB minified one-line file is refused before it is parsed.
"""

from __future__ import annotations

import re
from typing import Any

from .langs import parser_for

MAX_PARSE_BYTES = 1_000_000  # larger sides are not parsed: reported as not analysed
# Go, JVM, Ruby and Lua source is never one minified line: a tree costs about 25 bytes per byte of
# it (a 1.07 MB oapi-codegen server parses in half a second into 26 MB), so up to the scan's own
# read limit (analysis/scan.py's MAX_TEXT_BYTES). dagu's generated API, just over 1 MB, made every
# handler it calls "maybe reached" (13 false flags, apps-o). JavaScript and TypeScript keep the
# lower cap: a bundle's one line costs ten times as much.
_MAX_PARSE_BYTES = {"go": 2_000_000, "java": 2_000_000, "kotlin": 2_000_000, "ruby": 2_000_000, "lua": 2_000_000}


def parse_cap(language: str) -> int:
    """The largest side of ``language`` that is parsed."""
    return _MAX_PARSE_BYTES.get(language, MAX_PARSE_BYTES)
# The string literals of the tree languages (Ruby's heredoc body, Go's raw and interpreted
# strings, Java's text block, Kotlin's multi-line string): where DC702 finds Lua and DC716 SQL.
STRING_LITERALS = frozenset({"string", "template_string", "raw_string_literal", "interpreted_string_literal",
                             "heredoc_body", "string_literal", "text_block", "multiline_string_literal"})


class Unreadable:
    def __init__(self, reason: str) -> None:
        self.reason = reason


class Parsed:
    """A side's source bytes, its tree, and where the parser gave up (ERROR/MISSING rows)."""

    def __init__(self, language: str, source: bytes, tree) -> None:
        self.language, self.source, self.tree = language, source, tree
        self.root = tree.root_node
        self.memo: dict = {}  # facts about the whole file that several proofs read (its imports)
        self.error_rows: set[int] = set()  # 1-based lines touched by ERROR or MISSING nodes
        if self.root.has_error:
            _collect_errors(self.root, self.error_rows, language in ("typescript", "tsx"))

    def text(self, node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def line(self, row: int) -> bytes:
        """The source's 0-based ``row`` (empty past its end); the source is split once per file."""
        lines = self.memo.get("parse.lines")
        if lines is None:
            lines = self.memo["parse.lines"] = self.source.split(b"\n")
        return lines[row] if 0 <= row < len(lines) else b""


def nodes_of(p: Parsed, types: frozenset[str]) -> list:
    """The named nodes of ``types`` in ``p``'s tree, in the order of a depth-first walk that takes
    the last child first (``walk``), the order the detectors were written against: an enclosing
    node before what it holds (also when both span the same text), a later node before an earlier
    one. Found by a tree-sitter query, in C, once the trees asked about in this process are large:
    a Python walk of every node of the caller files was most of a hook's time in a large Go
    repository, but compiling a query costs as much as walking some thousands of nodes (about
    4 ms for Ruby's grammar), more than a small commit's files hold."""
    key = (p.language, types)
    query = _QUERIES.get(key)
    if query is None:
        size = p.root.descendant_count
        if _walked.get(key, 0) + size <= WALK_BUDGET:
            _walked[key] = _walked.get(key, 0) + size
            return [n for n in walk(p.root) if n.is_named and n.type in types]
        query = _QUERIES[key] = _query(p.language, types)
    if query is False:
        return []
    from tree_sitter import QueryCursor

    found = QueryCursor(query).captures(p.root).get("n", [])
    return sorted(found, key=lambda n: (-n.end_byte, n.start_byte, -n.descendant_count))


WALK_BUDGET = 6_000  # nodes walked per language and node types before their query is compiled
_walked: dict[tuple[str, frozenset[str]], int] = {}
_QUERIES: dict[tuple[str, frozenset[str]], Any] = {}  # a tree_sitter.Query, or False: no type the grammar has


def js_callee(node):
    """A JS/TS call's function (or a `new`'s constructor). With type arguments, TypeScript's grammar
    puts an `await` inside it (`await q.work<T>(…)`, `await tasks.trigger<typeof x>(…)`): the
    awaited callee is the function."""
    callee = node.child_by_field_name("constructor") or node.child_by_field_name("function")
    if callee is not None and callee.type == "await_expression" and callee.named_children:
        callee = callee.named_children[0]
    return callee


def js_function_name(function):
    """The node naming a JS/TS function: its own name, or the variable it is the value of
    (`const arm = () => …`); None for an anonymous one."""
    name = function.child_by_field_name("name")
    if name is None and function.parent is not None and function.parent.type == "variable_declarator":
        name = function.parent.child_by_field_name("name")
    return name


def walk(node):
    """Every node under ``node``, depth first, the last child first."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(n.children)


def _query(language: str, types: frozenset[str]):
    from tree_sitter import Query

    grammar = parser_for(language).language
    # A node type this language's grammar lacks (TypeScript's `public_field_definition` in a .js
    # file) would make the query invalid: it is left out, as no node of it can occur.
    known = sorted(t for t in types if grammar.id_for_node_kind(t, True))
    return Query(grammar, "[" + " ".join(f"({t})" for t in known) + "] @n") if known else False


def _tagged_template_bang(n) -> bool:
    """The zero-width `!` that tree-sitter-typescript (0.23) inserts in a tagged template whose
    type arguments hold an object type (styled-components' `` styled.div<{ $on: boolean }>`…` ``):
    valid TypeScript it cannot parse. The recovered tree is the code's own but for that non-null
    assertion, which the compiler erases, so it is no gap in what was analysed. Only there: the
    `!` wraps the type-instantiated tag of a call whose argument is the template."""
    bang = n.parent
    call = bang.parent if bang is not None else None
    if (not n.is_missing or n.type != "!" or bang is None or bang.type != "non_null_expression"
            or call is None or call.type != "call_expression"):
        return False
    tag, arguments = call.child_by_field_name("function"), call.child_by_field_name("arguments")
    return (tag is not None and tag.id == bang.id and arguments is not None and arguments.type == "template_string"
            and [c.type for c in bang.named_children] == ["instantiation_expression"])


# Where tree-sitter-typescript (0.23) gives up on a call signature of an object type (atproto's
# `export const string: { (): S; <const T extends …>(options: T): S<T> } = …`, TypeScript 5's
# `const` type parameters): valid TypeScript, a type the compiler erases. The error stays inside
# the signature, so no code that runs is lost (a new user's trial, session 28, got DC703 on it).
_SIGNATURES = frozenset({"call_signature", "construct_signature"})
_TYPE_BODIES = frozenset({"object_type", "interface_body"})
_RUNS = frozenset({"statement_block", "class_body", "arrow_function", "function_expression", "call_expression"})


def _in_erased_signature(n) -> bool:
    """Whether an ERROR node lies in a call or construct signature of an object type or interface."""
    signature = False
    a = n.parent
    while a is not None and a.type not in _RUNS:
        if a.type in _SIGNATURES:
            signature = True
        elif a.type in _TYPE_BODIES:
            return signature
        a = a.parent
    return False


def _collect_errors(node, rows: set[int], typescript: bool = False) -> None:
    stack = [node]
    while stack:
        n = stack.pop()
        if typescript and (_tagged_template_bang(n) or (n.is_error and _in_erased_signature(n))):
            continue
        if n.is_error or n.is_missing:
            rows.update(range(n.start_point[0] + 1, n.end_point[0] + 2))
            continue
        if n.has_error:
            stack.extend(n.children)


def parse_bytes(language: str, source: bytes) -> Parsed | Unreadable:
    if len(source) > parse_cap(language):
        return Unreadable(f"it is {len(source):,} bytes, over the {parse_cap(language):,}-byte parse limit")
    try:
        tree = parser_for(language).parse(source)
    except Exception as exc:  # noqa: BLE001 - any parser failure is reported, never skipped
        return Unreadable(f"the {language} parser failed ({type(exc).__name__})")
    if tree is None:
        return Unreadable(f"the {language} parser returned no tree")
    p = Parsed(language, source, tree)
    if language == "go" and p.error_rows and b"new(" in source:
        return _go_new_of_a_value(p) or p
    if language == "kotlin" and p.error_rows:
        return _kotlin_newer_syntax(p) or p
    return p


# Go 1.26's `new(expr)` (`new(int32(100))`, `new("x")`: a variable holding the value) is newer than
# tree-sitter-go 0.25's grammar, which reads only `new(T)` (ory/keto: a new user's trial, session
# 26, got DC703 on valid code). The same bytes with `new(` spelled `nEw(` parse as a call of a
# function, as `new` is; the tree is kept with the file's own source, so every text is the code's.
_GO_NEW = re.compile(rb"\bnew\(")


def _go_new_of_a_value(p: Parsed) -> Parsed | None:
    """``p`` re-read with its `new(` calls on error rows written as a call of a function, when that
    tree has fewer error rows; None otherwise."""
    lines = p.source.split(b"\n")
    patched = b"\n".join(_GO_NEW.sub(b"nEw(", line) if number in p.error_rows else line
                         for number, line in enumerate(lines, 1))
    return _reparsed(p, patched)


def _reparsed(p: Parsed, patched: bytes) -> Parsed | None:
    """``p`` re-read from ``patched``, a respelling of its source of the same length, kept with the
    file's own source when that tree has fewer error rows; None otherwise (or when nothing was
    respelled)."""
    if patched == p.source:
        return None
    tree = parser_for(p.language).parse(patched)
    again = Parsed(p.language, p.source, tree) if tree is not None else None
    return again if again is not None and len(again.error_rows) < len(p.error_rows) else None


# Two spellings of valid Kotlin that tree-sitter-kotlin (0.3) cannot parse, both met in mihon's
# trackers (apps-ac): Kotlin 2.1's multi-dollar strings (`$$"""query ($id: Int)…"""`, for GraphQL
# whose own `$` stays literal) and a modifier keyword used as a name (`private = attrs.private` in an
# `apply` block of a DTO mapping). Rewritten with the same length - the prefix as spaces, the
# keyword capitalised - they parse as an ordinary string and an ordinary name; the tree is kept with
# the file's own source, so every text is the code's.
_KOTLIN_MULTI_DOLLAR = re.compile(rb'(?<![\w$"])\$\$+(?=")')
_KOTLIN_MODIFIER_AS_NAME = re.compile(
    rb"\b(private|public|protected|internal|open|override|abstract|final|sealed|lateinit|vararg|inline"
    rb"|external|tailrec|suspend|infix)\b(?=[ \t]*(?:=(?!=)|[.,)\]}?:]|\r?$))", re.M)


# And the standard library's `suspend { … }`, a call of the function `suspend` with a lambda, which
# the grammar reads as the modifier: element-android's user directory view model (apps-ad
# 07e06957) lost its whole class to one error, and a screen's change was DC703 high.
_KOTLIN_SUSPEND_CALL = re.compile(rb"\bsuspend(?=[ \t]*\{)")


# Two more that thunderbird-android's Compose code uses (a new user's trial, session 38), each a
# DC703 high on valid code: an annotated function type in parentheses (`content: @Composable
# ((Int) -> Unit)`), read once the annotation is blanked; and Kotlin 2.2's guards on `when`
# entries (`is Loaded if state.ready ->`, `else if retry ->`), read with the guard's `if` as a
# second condition (`is Loaded ,  state.ready ->`) and `else if` blanked.
_KOTLIN_ANNOTATED_TYPE = re.compile(rb"@[A-Za-z_][\w.]*(?=[ \t]*\(\()")
_KOTLIN_WHEN_GUARD = re.compile(rb"^([ \t]*!?(?:is|in)[ \t][^\n]*?[ \t])if(?=[ \t][^\n]*->)", re.M)
_KOTLIN_ELSE_GUARD = re.compile(rb"^([ \t]*)else[ \t]+if(?=[ \t][^\n]*->)", re.M)


def _capitalised(m: re.Match[bytes]) -> bytes:
    return m.group()[:1].upper() + m.group()[1:]


def _kotlin_newer_syntax(p: Parsed) -> Parsed | None:
    """``p`` re-read with multi-dollar prefixes blanked, modifier keywords used as names (or
    `suspend` as a function) capitalised, and annotated function types and `when` guards
    respelled, when that tree has fewer error rows; None otherwise."""
    patched = _KOTLIN_MULTI_DOLLAR.sub(lambda m: b" " * len(m.group()), p.source)
    patched = _KOTLIN_MODIFIER_AS_NAME.sub(_capitalised, patched)
    patched = _KOTLIN_SUSPEND_CALL.sub(_capitalised, patched)
    patched = _KOTLIN_ANNOTATED_TYPE.sub(lambda m: b" " * len(m.group()), patched)
    patched = _KOTLIN_WHEN_GUARD.sub(lambda m: m.group(1) + b", ", patched)
    patched = _KOTLIN_ELSE_GUARD.sub(lambda m: m.group(1) + b" " * (len(m.group()) - len(m.group(1))), patched)
    return _reparsed(p, patched)


def parsed(ctx, side: str, language: str) -> Parsed | Unreadable | None:
    """The side's tree, memoised in ``ctx.cache``; None when that side does not exist."""
    key = ("trees.parsed", side)
    if key not in ctx.cache:
        ctx.cache[key] = _parse_side(ctx, side, language)
    return ctx.cache[key]


def _parse_side(ctx, side: str, language: str):
    exists = ctx.file.new_path is not None if side == "head" else ctx.file.old_path is not None
    if not exists:
        return None
    if ctx.file.binary:
        return Unreadable("git reports it as binary")
    text = ctx.head_text() if side == "head" else ctx.base_text()
    if text is None:
        return Unreadable("its text could not be read (larger than the scan reads, or not text)")
    return parse_bytes(language, text.encode("utf-8", "surrogateescape"))
