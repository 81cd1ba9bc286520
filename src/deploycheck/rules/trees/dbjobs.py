"""SQL that the database runs as its own background work, written in strings of application code.

Postgres can be a job runner: pg_cron runs SQL on a schedule (`select cron.schedule('process-jobs',
'5 seconds', 'select process_jobs()')`) and pgmq keeps queues that SQL drains (`pgmq.pop('jobs')`).
An application that sets this up keeps the SQL in strings (a `sql` template, `sql.raw(…)`, a
heredoc), so its job runner is neither a job API call nor a file of its own: antiwork/helper's
queue drainer is a function in a template string that pg_cron calls every five seconds and that
posts each job to the application.

Read here: the strings of a file that call pg_cron or pgmq are job SQL; so is a string that
defines a function (`create or replace function name(…)`) that job SQL calls, and on through the
functions those call. A changed line inside one of them is a change to what the database runs as
a job. Pure: the caller hands in the parsed file and its changed lines."""

from __future__ import annotations

import bisect
import re
from functools import partial
from typing import Callable, NamedTuple

from .keywords import DB_JOB_WORDS
from .parse import STRING_LITERALS, Parsed, walk

# A call of pg_cron's scheduler or of any pgmq function, as SQL writes it; Supabase Queues expose
# pgmq's functions again in the schema `pgmq_public` (`pgmq_public.pop('jobs')`).
# pgmq's queue and archive tables (`pgmq.q_emails`, `pgmq.a_emails`) are no function calls (`create index
# … on pgmq.q_emails (vt)`).
# Quoted too, as Supabase's schema dumps write every name (`PERFORM "pgmq"."send"(…)`, a new user's
# trial on capgo).
_JOB_SQL = re.compile(r"\b(cron\"?\.\"?(?:schedule|schedule_in_database|alter_job)|pgmq(?:_public)?\"?\.\"?(?![qa]_)\w+)"
                      r"\"?\s*\(", re.IGNORECASE)
# Only in text that reads as SQL: a message or a template that merely names `cron.schedule(…)`
# (node-cron's call, written out in a log line) is none.
_SQL = re.compile(r"\b(?:select|perform|from|call|create|insert|update|delete)\b", re.IGNORECASE)
# A function's definition, its name after a schema written plain, quoted (`"public"."process_jobs"`)
# or as the code fills it in (`${schema}.process_jobs`, `#{schema}.process_jobs`). Every one of a
# string: a migration's heredoc often defines several.
_DEFINES = re.compile(r"\bcreate\s+(?:or\s+replace\s+)?(?:function|procedure)\s+"
                      r"(?:(?:\"?\w+\"?|[$#]\{[^}]*\})\s*\.\s*)?\"?(\w+)", re.IGNORECASE)

# Ruby's adjacent literals (`"select …" "from …"`) are one string too.
_STRINGS = STRING_LITERALS | {"chained_string"}
# A concatenation (`"create function f() … " + "begin … end"`): one SQL text, however its lines are
# split into literals, when two or more of its operands are strings.
_CONCATENATIONS = frozenset({"binary_expression", "binary", "additive_expression"})


def _strings(p: Parsed) -> list:
    """The outermost string literals of the file (a template's substitutions stay inside it)."""
    out, stack = [], [p.root]
    while stack:
        n = stack.pop()
        if n.type in _STRINGS or (n.type in _CONCATENATIONS and _literal_parts(n) >= 2):
            out.append(n)
            continue
        stack.extend(n.children)
    return out


def _literal_parts(n) -> int:
    """How many string literals the `+` concatenation ``n`` joins (through nested `+`s); 0 for
    another operator."""
    if not any(c.type == "+" for c in n.children):
        return 0
    return sum(1 if c.type in _STRINGS else _literal_parts(c) if c.type in _CONCATENATIONS else 0 for c in n.named_children)


# Where a string is given a name (`const command = "select process_jobs()"`, Go's `q := …`, a
# Java field, a Ruby constant), and the nodes that name it.
_BINDINGS = frozenset({"variable_declarator", "assignment_expression", "assignment", "const_spec", "var_spec",
                       "short_var_declaration", "property_declaration"})
_NAMES = frozenset({"identifier", "constant", "simple_identifier", "property_identifier", "field_identifier"})


def _bound_name(n, p: Parsed) -> str | None:
    """The name the string ``n`` is given, when it is a variable's or a constant's whole value."""
    parent = n.parent
    if parent is not None and parent.type == "expression_list":
        parent = parent.parent
    if parent is None or parent.type not in _BINDINGS:
        return None
    left = next((c for c in parent.named_children if c.type != "modifiers"), None)
    name = p.text(left).strip() if left is not None and left.id != n.id else ""
    return name if re.fullmatch(r"\w+", name) else None


def _handed(n, p: Parsed) -> set[str]:
    """The names the job SQL string ``n`` takes from the code: in its substitutions or its
    concatenation (`${command}`, `"…" + command`), and, when it is a call's argument, the call's
    other arguments (bind parameters: `db.query("select cron.schedule($1, $2, $3)", [name, every,
    command])`)."""
    scope = [n]
    if n.parent is not None and n.parent.type in ("arguments", "argument_list", "value_arguments"):
        scope = list(n.parent.named_children)
    return {p.text(c) for node in scope for c in walk(node) if c.type in _NAMES}


class _Piece(NamedTuple):
    """One SQL text: a string literal of the code, or a statement of a `.sql` file."""
    key: int
    text: str
    first: int  # its first and last line (1-based)
    last: int
    bound: str | None  # the name it is given in the code
    takes: Callable[[], set[str]]  # the names of the code it takes (asked once it is job SQL)


def job_sql_changed(p: Parsed, lines: dict[int, str], elsewhere: dict[str, str] | None = None) -> list[tuple[int, int, str]]:
    """For each string of ``p`` that the database runs as a job (see the module) and that holds
    changed ``lines``: its first and last changed line and what runs it. ``elsewhere``: the
    functions that job SQL in other files calls (``job_callers``), by lower-case name, with where."""
    source = p.source.lower()
    if not elsewhere and not any(word.encode() in source for word in DB_JOB_WORDS):  # no walk of a tree that cannot hold any
        return []
    pieces = [_Piece(n.id, p.text(n), n.start_point[0] + 1, n.end_point[0] + 1, _bound_name(n, p),
                     partial(_handed, n, p)) for n in _strings(p)]
    return _changed(pieces, lines, elsewhere or {}, "the string")


def sql_file_job_changes(text: str, lines: dict[int, str], elsewhere: dict[str, str] | None = None) -> list[tuple[int, int, str]]:
    """As ``job_sql_changed``, for a `.sql` file (a migration): each statement is one SQL text."""
    clean = without_comments(text)  # a schedule written in a comment schedules nothing
    breaks = [m.start() for m in re.finditer("\n", text)]  # a line found by bisection, not by counting from the top

    def line(offset: int) -> int:  # 1-based, of the character at ``offset``
        return bisect.bisect_left(breaks, offset) + 1

    pieces = [_Piece(start, clean[start:end], line(start) + _leading_lines(text[start:end]), line(end - 1), None, set)
              for start, end in statements(text)]
    return _changed(pieces, lines, elsewhere or {}, "the statement")


def defined_functions(text: str) -> set[str]:
    """The database functions ``text`` defines, by lower-case name."""
    return {m.group(1).lower() for m in _DEFINES.finditer(text)}


# A function called by name (`select process_jobs()`, `public."process_jobs"(…)`).
_CALLED = re.compile(r"\"?(\w+)\"?\s*\(")


class Schedule(NamedTuple):
    """A pg_cron call of another file: the job's name (None for the two-argument form), the
    functions its command calls (lower-case), its line."""
    job: str | None
    calls: frozenset[str]
    line: int


_JOB_NAME = re.compile(r"\s*'((?:[^']|'')*)'\s*,\s*'")  # the first of three or more arguments: the job's name
_UNSCHEDULE = re.compile(r"\bcron\.unschedule\s*\(\s*'((?:[^']|'')*)'", re.IGNORECASE)


def schedules(text: str, sql: bool = False) -> list[Schedule]:
    """The pg_cron calls of ``text`` (another file's; a `.sql` file's with ``sql``, its comments
    left out) and what their commands run: the names called inside the call's parentheses,
    however the command is quoted (`'select f()'`, a `$$ … $$` body of several statements)."""
    if sql:
        text = without_comments(text)
    out = []
    for m in _JOB_SQL.finditer(text):
        if not m.group(1).replace('"', "").lower().startswith("cron."):
            continue  # a pgmq call runs no function of the application's by name
        arguments = text[m.end(): _closing(text, m.end() - 1)]
        name = _JOB_NAME.match(arguments)
        calls = frozenset(c.group(1).lower() for c in _CALLED.finditer(arguments))
        out.append(Schedule(name.group(1) if name else None, calls, text.count("\n", 0, m.start()) + 1))
    return out


def unscheduled(text: str) -> list[str]:
    """The pg_cron jobs a `.sql` file unschedules by name (its comments left out)."""
    return [m.group(1) for m in _UNSCHEDULE.finditer(without_comments(text))]


def _changed(pieces: list[_Piece], lines: dict[int, str], elsewhere: dict[str, str], what: str) -> list[tuple[int, int, str]]:
    defined = {piece.key: [m.group(1).lower() for m in _DEFINES.finditer(piece.text)] for piece in pieces}
    names = {name for found in defined.values() for name in found}
    # Why each piece runs: its own pg_cron or pgmq call, a job piece calling its function, or job
    # SQL in another file calling it.
    why: dict[int, str] = {}
    for piece in pieces:
        if (m := _JOB_SQL.search(piece.text)) is not None and _SQL.search(piece.text) is not None:
            why[piece.key] = "it calls `" + m.group(1).replace('"', "") + "`"
        elif (name := next((name for name in defined[piece.key] if name in elsewhere), None)) is not None:
            why[piece.key] = f"it defines `{name}`, which {elsewhere[name]} calls"
    # A call of the name, quoted or not (`perform public."call_job_endpoint"(…)`).
    # One pass over each piece for every name it calls (a statement per name made a 400 kB schema
    # with 1,500 functions cost minutes).
    callers = {piece.key: {m.group(1).lower() for m in _CALLED.finditer(piece.text)} & names for piece in pieces}
    callers_of: dict[str, list[_Piece]] = {}
    for piece in pieces:
        for name in callers[piece.key]:
            callers_of.setdefault(name, []).append(piece)
    order = {piece.key: i for i, piece in enumerate(pieces)}  # the first caller in the file names the trail
    handed: dict[int, set[str]] = {}  # per job piece, asked once it is one
    changed = True
    while changed:
        changed = False
        for piece in pieces:
            if piece.key in why:
                continue
            # A string the job SQL takes by name (the command a `cron.schedule` call is handed).
            if (name := piece.bound) is not None:
                taker = next((other for other in pieces if other.key in why and other.key != piece.key
                              and name in handed.setdefault(other.key, other.takes())), None)
                if taker is not None:
                    why[piece.key] = f"it is `{name}`, which the job SQL at line {taker.first} ({why[taker.key]}) takes"
                    changed = True
                    continue
            if not defined[piece.key]:
                continue
            by, name = min(((order[other.key], other, name) for name in defined[piece.key]
                            for other in callers_of.get(name, ()) if other.key in why and other.key != piece.key),
                           key=lambda found: found[0], default=(0, None, ""))[1:]
            if by is not None:
                runner = defined[by.key][0] if defined[by.key] else None
                via = f"`{runner}`, " if runner else ""
                why[piece.key] = f"it defines `{name}`, which the job SQL at line {by.first} ({via}{why[by.key]}) calls"
                changed = True
    out = []
    for piece in pieces:
        if piece.key not in why:
            continue
        hit = sorted(x for x in lines if piece.first <= x <= piece.last)
        if hit:
            out.append((hit[0], hit[-1], f"SQL the database runs as a job changed ({what} at line {piece.first}: "
                        f"{why[piece.key]}): the database runs it on its own schedule, beside the application's "
                        "workers, and no job API in the code names it."))
    return out


_LEADING = re.compile(r"(?:\s+|--[^\n]*|/\*.*?\*/)*", re.DOTALL)


def _leading_lines(statement: str) -> int:
    """The lines before a statement's first word: blank (the newline that ended the one before)
    or comments."""
    leading = _LEADING.match(statement)
    return statement.count("\n", 0, leading.end() if leading is not None else 0)


_DOLLAR_TAG = re.compile(r"\$(\w*)\$")
_BEGIN_ATOMIC = re.compile(r"begin\s+atomic\b", re.IGNORECASE)
_ATOMIC_END = re.compile(r"\bend\s*(?=;|$)", re.IGNORECASE)


def _skipped(text: str, i: int) -> tuple[int, bool] | None:
    """Where the quoted text, dollar-quoted body or comment starting at ``i`` ends (and whether
    it is a comment); None when none starts there."""
    c, n = text[i], len(text)
    if c in "'\"":
        close = text.find(c, i + 1)
        while close != -1 and text.startswith(c, close + 1):  # a doubled quote is one quote
            close = text.find(c, close + 2)
        return (n if close == -1 else close + 1), False
    if text.startswith("--", i):
        return (n if (close := text.find("\n", i)) == -1 else close), True
    if text.startswith("/*", i):
        return (n if (close := text.find("*/", i + 2)) == -1 else close + 2), True
    if c == "$" and (m := _DOLLAR_TAG.match(text, i)) is not None:
        close = text.find(m.group(0), m.end())
        return (n if close == -1 else close + len(m.group(0))), False
    return None


def _closing(text: str, opening: int, limit: int = 20_000) -> int:
    """The offset of the `)` closing the `(` at ``opening``, past quotes and dollar bodies (the
    text's end, or ``limit`` characters on, when it does not close)."""
    depth, i, n = 0, opening, min(len(text), opening + limit)
    while i < n:
        if (skip := _skipped(text, i)) is not None:
            i = skip[0]
            continue
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
        i += 1
    return n


# Where a quote, a dollar body, a comment, a statement's end or a `begin atomic` body may start:
# the scans below jump from one to the next instead of stepping through every character.
_SPECIAL = re.compile(r"['\"$;]|--|/\*|begin\s+atomic\b", re.IGNORECASE)


def without_comments(text: str) -> str:
    """``text`` with its SQL comments blanked (their line breaks kept, so lines keep their numbers)."""
    out, i, n = [], 0, len(text)
    while i < n:
        m = _SPECIAL.search(text, i)
        if m is None:
            out.append(text[i:])
            break
        out.append(text[i:m.start()])
        skip = _skipped(text, m.start())
        if skip is None:
            out.append(text[m.start()])
            i = m.start() + 1
            continue
        end, comment = skip
        out.append(re.sub(r"[^\n]", " ", text[m.start():end]) if comment else text[m.start():end])
        i = end
    return "".join(out)


def statements(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the SQL statements of ``text``: split at `;` outside quotes,
    dollar-quoted bodies (`$$ … $$`, `$fn$ … $fn$`), comments and SQL-standard bodies (`begin
    atomic … end`)."""
    out, start, i, n = [], 0, 0, len(text)
    while i < n:
        m = _SPECIAL.search(text, i)
        if m is None:
            break
        i = m.start()
        if (skip := _skipped(text, i)) is not None:
            i = skip[0]
            continue
        if (atomic := _BEGIN_ATOMIC.match(text, i)) is not None and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            end = _ATOMIC_END.search(text, atomic.end())
            i = n if end is None else end.end()
            continue
        if text[i] == ";":
            out.append((start, i + 1))
            start = i + 1
        i += 1
    if text[start:].strip():
        out.append((start, n))
    return [(a, b) for a, b in out if text[a:b].strip(" \t\r\n;")]
