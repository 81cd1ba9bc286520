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
from .parse import Parsed

# A call of pg_cron's scheduler or of any pgmq function, as SQL writes it.
_JOB_SQL = re.compile(r"\b(cron\.(?:schedule|schedule_in_database|alter_job)|pgmq\.\w+)\s*\(", re.IGNORECASE)
# Only in text that reads as SQL: a message or a template that merely names `cron.schedule(…)`
# (node-cron's call, written out in a log line) is none.
_SQL = re.compile(r"\b(?:select|perform|from|call|create|insert|update|delete)\b", re.IGNORECASE)
_DEFINES = re.compile(r"\bcreate\s+(?:or\s+replace\s+)?(?:function|procedure)\s+(?:\w+\.)?\"?(\w+)", re.IGNORECASE)

_STRINGS = frozenset({"string", "template_string", "raw_string_literal", "interpreted_string_literal", "heredoc_body",
                      "string_literal", "text_block", "multiline_string_literal"})


def _strings(p: Parsed) -> list:
    """The outermost string literals of the file (a template's substitutions stay inside it)."""
    out, stack = [], [p.root]
    while stack:
        n = stack.pop()
        if n.type in _STRINGS:
            out.append(n)
            continue
        stack.extend(n.children)
    return out


def job_sql_changed(p: Parsed, lines: dict[int, str]) -> list[tuple[int, int, str]]:
    """For each string of ``p`` that the database runs as a job (see the module) and that holds
    changed ``lines``: its first and last changed line and what runs it."""
    source = p.source.lower()
    if not any(word.encode() in source for word in DB_JOB_WORDS):  # no walk of a tree that cannot hold any
        return []
    texts = [(n, p.text(n)) for n in _strings(p)]
    defined = {n.id: m.group(1).lower() for n, text in texts if (m := _DEFINES.search(text))}
    # Why each string runs: its own pg_cron or pgmq call, or a job string calling its function.
    why: dict[int, str] = {}
    for n, text in texts:
        if (m := _JOB_SQL.search(text)) is not None and _SQL.search(text) is not None:
            why[n.id] = f"it calls `{m.group(1)}`"
    callers = {n.id: {name for name in set(defined.values()) if re.search(rf"\b{name}\s*\(", text, re.IGNORECASE)}
               for n, text in texts}
    changed = True
    while changed:
        changed = False
        for n, _text in texts:
            name = defined.get(n.id)
            if name is None or n.id in why:
                continue
            by = next((other for other, _ in texts if other.id in why and other.id != n.id and name in callers[other.id]), None)
            if by is not None:
                runner = defined.get(by.id)
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
