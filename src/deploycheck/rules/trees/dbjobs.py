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

import re

from .keywords import DB_JOB_WORDS
from .parse import STRING_LITERALS, Parsed, walk

# A call of pg_cron's scheduler or of any pgmq function, as SQL writes it; Supabase Queues expose
# pgmq's functions again in the schema `pgmq_public` (`pgmq_public.pop('jobs')`).
_JOB_SQL = re.compile(r"\b(cron\.(?:schedule|schedule_in_database|alter_job)|pgmq(?:_public)?\.\w+)\s*\(", re.IGNORECASE)
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


def job_sql_changed(p: Parsed, lines: dict[int, str]) -> list[tuple[int, int, str]]:
    """For each string of ``p`` that the database runs as a job (see the module) and that holds
    changed ``lines``: its first and last changed line and what runs it."""
    source = p.source.lower()
    if not any(word.encode() in source for word in DB_JOB_WORDS):  # no walk of a tree that cannot hold any
        return []
    texts = [(n, p.text(n)) for n in _strings(p)]
    defined = {n.id: [m.group(1).lower() for m in _DEFINES.finditer(text)] for n, text in texts}
    names = {name for found in defined.values() for name in found}
    # Why each string runs: its own pg_cron or pgmq call, or a job string calling its function.
    why: dict[int, str] = {}
    for n, text in texts:
        if (m := _JOB_SQL.search(text)) is not None and _SQL.search(text) is not None:
            why[n.id] = f"it calls `{m.group(1)}`"
    # A call of the name, quoted or not (`perform public."call_job_endpoint"(…)`).
    callers = {n.id: {name for name in names if re.search(rf"\b{name}\"?\s*\(", text, re.IGNORECASE)}
               for n, text in texts}
    bound = {n.id: _bound_name(n, p) for n, _text in texts}
    handed: dict[int, set[str]] = {}  # per job string, asked once it is one
    changed = True
    while changed:
        changed = False
        for n, _text in texts:
            if n.id in why:
                continue
            # A string the job SQL takes by name (the command a `cron.schedule` call is handed).
            if (name := bound[n.id]) is not None:
                taker = next((other for other, _ in texts if other.id in why and other.id != n.id
                              and name in handed.setdefault(other.id, _handed(other, p))), None)
                if taker is not None:
                    why[n.id] = f"it is `{name}`, which the job SQL at line {taker.start_point[0] + 1} ({why[taker.id]}) takes"
                    changed = True
                    continue
            if not defined[n.id]:
                continue
            by, name = next(((other, name) for other, _ in texts if other.id in why and other.id != n.id
                             for name in defined[n.id] if name in callers[other.id]), (None, ""))
            if by is not None:
                runner = defined[by.id][0] if defined[by.id] else None
                via = f"`{runner}`, " if runner else ""
                why[n.id] = f"it defines `{name}`, which the job SQL at line {by.start_point[0] + 1} ({via}{why[by.id]}) calls"
                changed = True
    out = []
    for n, _text in texts:
        if n.id not in why:
            continue
        first, last = n.start_point[0] + 1, n.end_point[0] + 1
        hit = sorted(x for x in lines if first <= x <= last)
        if hit:
            out.append((hit[0], hit[-1], f"SQL the database runs as a job changed (the string at line {first}: "
                        f"{why[n.id]}): the database runs it on its own schedule, beside the application's "
                        "workers, and no job API in the code names it."))
    return out
