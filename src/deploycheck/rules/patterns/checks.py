"""Structural checks for pattern packs: what one regex over one line cannot decide.

Each check is a function ``(view, pack_rule) -> list[Finding]`` registered in ``CHECKS`` under
the name a pack's rule gives in ``check:``. Checks read the lexed text of the file through the
``FileView`` (comments blanked; strings blanked unless asked for) and report only lines that the
change added (side "head") or removed (side "base").
"""

from __future__ import annotations

import fnmatch

import bisect
import posixpath
import re
from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Iterable, NamedTuple

from ...git.model import ADDED, DELETED, Finding
from ..counters import new_counter
from ..base import scan_memo
from ..paths import deployed_path, template_globs

# Imported lazily by patterns.py; patterns imports this module only inside functions, so the
# names below can be imported at module level without a cycle at start-up.
from .engine import FileView, PackRule, consequence, render, short

Check = Callable[[FileView, PackRule], list[Finding]]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn

    return register


def _added(view: FileView) -> dict[int, str]:
    return view.changed("head")


def _finding(view: FileView, pr: PackRule, line: int, side: str = "head", **values: Any) -> Finding:
    return pr.rule.finding(view.path, line, render(pr.message, path=view.path, **values), side=side)


# --- read-modify-write in application code --------------------------------------------------

# The old value as a computed write reads it: `p.stock`, `p?.stock` (Prisma's `findUnique` returns
# a row or null), or with a default, `(p.stock ?? 0)`.
_JS_OLD = r"(?:\(\s*(?P=obj)\??\.(?P=field)\s*\?\?[^()]*\)|(?P=obj)\??\.(?P=field))"
_JS_WRITES = (
    re.compile(r"\b(?P<obj>\w+)\.(?P<field>\w+)\s*=\s*" + _JS_OLD + r"\s*[-+*/](?!=)"),
    re.compile(r"\b(?P<obj>\w+)\.(?P<field>\w+)\s*(?:[-+*/]=|\+\+|--)"),
)
_JS_INLINE = re.compile(r"\b(?P<field>\w+)\s*:\s*\(?\s*(?P<obj>\w+)\??\.(?P=field)(?:\s*\?\?[^()]*\))?\s*[-+*/]")
_JS_READ = r"\b{obj}\s*=\s*(?:await\s+)?[\w.$]*?\.(?P<method>findOne|findByPk|findUnique|findUniqueOrThrow|findFirst|findFirstOrThrow|findById|findOneBy|findOneOrFail|findOneByOrFail)\s*[(<]"
_JS_LOCK = re.compile(r"\block\s*:|\bsetLock\s*\(|(?i:\bfor\s+update\b)|pessimistic", re.IGNORECASE)
# The same through a local: `const attempts = (doc.attempts ?? 0) + 1;` then, within 30 lines,
# an update writing `attempts: attempts` (Mongoose's `$set`, an ORM's `data`).
_JS_LOCAL = re.compile(r"\b(?:const|let|var)\s+(?P<local>\w+)\s*=\s*\(?\s*(?P<obj>\w+)\??\.(?P<field>\w+)\b[^;\n]*?\)?\s*[-+*/](?!=)")
_JS_SAVE = re.compile(r"\.(?:save|update|persist|flush)\s*\(")
_JS_WRITE_CALL = re.compile(r"\b(?:update|upsert|save|updateOne|data)\b")

LOOKBACK = 60


def _find_back(lines: list[str], start: int, pattern: re.Pattern[str], limit: int = LOOKBACK) -> tuple[int, re.Match[str]] | None:
    """The nearest line above index ``start`` (0-based) matching ``pattern``."""
    for i in range(start - 1, max(-1, start - 1 - limit), -1):
        m = pattern.search(lines[i])
        if m:
            return i, m
    return None


def _written_from_old(view: FileView, patterns) -> tuple[list[int], list[str], list[str]] | None:
    """(added lines that match one of ``patterns``, the head's lines, the same with strings kept),
    or None when no added line does: the file is read and lexed only when one does."""
    numbers = [n for n, raw in sorted(_added(view).items()) if any(r.search(raw) for r in patterns)]
    if not numbers:
        return None
    lines, strings = view.lines("head"), view.lines("head", strings=True)
    return None if lines is None or strings is None else (numbers, lines, strings)


@check("js-lost-update")
def js_lost_update(view: FileView, pr: PackRule) -> list[Finding]:
    out: list[Finding] = []
    # Cheap first: only lines that look like a computed write on the raw text are candidates,
    # so the file is read and lexed only when one exists.
    found = _written_from_old(view, (*_JS_WRITES, _JS_INLINE, _JS_LOCAL))
    if found is None:
        return out
    candidates, lines, strings = found
    for number in candidates:
        line = lines[number - 1] if number <= len(lines) else ""
        hit = None
        for regex in _JS_WRITES:
            m = regex.search(line)
            if m and any(_JS_SAVE.search(x) for x in lines[number - 1 : number + 30]):
                hit = m
                break
        if hit is None:
            m = _JS_INLINE.search(line)
            if m and any(_JS_WRITE_CALL.search(x) for x in lines[max(0, number - 6) : number]):
                hit = m
        if hit is None:
            m = _JS_LOCAL.search(line)
            # `{ archived: n }`, or the shorthand `{ archived }` for a local named as the field.
            written = re.compile(rf"\b{re.escape(m.group('field'))}\s*:\s*{re.escape(m.group('local'))}\b"
                                 + (rf"|[{{,]\s*{re.escape(m.group('field'))}\s*[,}}]" if m.group("local") == m.group("field") else "")
                                 ) if m else None
            if written is not None and any(written.search(x) and _JS_WRITE_CALL.search(" ".join(lines[max(0, i - 5) : i + 1]))
                                           for i, x in enumerate(lines[number : number + 30], start=number)):
                hit = m
        if hit is None or hit.group("obj") in ("this", "self"):
            continue
        obj, field = hit.group("obj"), hit.group("field")
        read = _find_back(lines, number - 1, re.compile(_JS_READ.format(obj=re.escape(obj))))
        if read is None:
            continue
        read_index, read_match = read
        if any(_JS_LOCK.search(x) for x in strings[read_index : number]):
            continue
        out.append(
            _finding(view, pr, number, target=f"{obj}.{field}", read=f"{read_match.group('method')} on line {read_index + 1}")
        )
    return out


# The old value as a computation starts from it: also converted or defaulted first
# (`c.models_count.to_i + 1`, `(c.runs || 0) + 1`, `Integer(c.runs) + 1`), as a nil-safe counter
# is written, or stepped by a method rather than an operator (`c.runs.to_i.succ`).
_RB_CAST = r"(?:Integer|Float|BigDecimal|Rational)\s*\(\s*"  # `Integer(c.runs)`
_RB_TO_NUMBER = r"(?:&?\.to_[ifdr]\b)?"  # `c.runs.to_i`, `c.runs&.to_f`
_RB_CONVERTED = r"\(?\s*(?:" + _RB_CAST + r"\(?\s*)?"
_RB_OLD_TAIL = (r"\.(?P=field)" + _RB_TO_NUMBER + r"(?:\s*\|\|\s*0(?:\.0)?)?\s*\)?\s*\)?\s*"
                r"(?:[-+*/]|\.(?:succ|next|pred)\b)")
_RB_OLD = _RB_CONVERTED + r"(?P=obj)" + _RB_OLD_TAIL
# Mongoid's `set(field: value)` writes at once, as `update_column` does (errbit's trial, session 35).
_RB_INLINE = re.compile(
    r"(?<![\w@])(?P<call>update!?|update_columns?|assign_attributes|update_attributes!?|attributes\s*=|set)[\s(]"
    r"[^\n]*?\b(?P<field>\w+):\s*" + _RB_CONVERTED + r"(?P<obj>@?\w+)" + _RB_OLD_TAIL
)
# The same pair on a line of its own, inside a write call opened on an earlier line (sharetribe's
# listing approval, apps-ae 9846ca91: `listing.update_columns(state: …,` then
# `approval_count: listing.approval_count + 1)`): ``_rb_open_write`` finds the call.
_RB_PAIR = re.compile(r"(?<![\w@:.])(?P<field>\w+):\s*" + _RB_CONVERTED + r"(?P<obj>@?\w+)" + _RB_OLD_TAIL)
_RB_WRITE_CALLS = r"(?:update!?|update_columns?|assign_attributes|update_attributes!?|set)"
_RB_ATTRIBUTE = re.compile(r"\bupdate_(?:attribute|column)\s*\(?\s*:(?P<field>\w+)\s*,\s*" + _RB_CONVERTED
                           + r"(?P<obj>@?\w+)" + _RB_OLD_TAIL)
_RB_ASSIGN = (
    re.compile(r"(?<![\w@])(?P<obj>@?\w+)\.(?P<field>\w+)\s*=\s*" + _RB_OLD + r"(?!=)"),
    re.compile(r"(?<![\w@])(?P<obj>@?\w+)\.(?P<field>\w+)\s*[-+*/]="),
    # ActiveRecord's in-memory `increment(:n)`/`decrement(:n)`/`toggle(:n)` (no bang): the new
    # value is computed from the loaded one and written by the next save.
    re.compile(r"(?<![\w@])(?P<obj>@?\w+)\.(?:increment|decrement|toggle)\s*\(?\s*:(?P<field>\w+)(?![\w!?])"),
)
# The same through a local that holds the old value (`runs = insight.runs_count` then
# `insight.update(runs_count: runs + 1)`, or `insight.runs_count = runs + 1` and a save): the
# local is matched to the field it was read from below, in ``_rb_local_read``.
_RB_LOCAL_INLINE = re.compile(
    r"(?<![\w@])(?P<obj>@?\w+)\.(?P<call>update!?|update_columns?|assign_attributes|update_attributes!?|set)[\s(]"
    r"[^\n]*?\b(?P<field>\w+):\s*(?P<local>[a-z_]\w*)\s*[-+*/]"
)
_RB_LOCAL_ASSIGN = re.compile(r"(?<![\w@])(?P<obj>@?\w+)\.(?P<field>\w+)\s*=\s*(?P<local>[a-z_]\w*)\s*[-+*/](?!=)")
_RB_DEF = re.compile(r"^\s*def\s")
# A model's own method computing a column from its old value and saving itself (autolab's
# `self.version_number += 1; save!`, a new user's trial): `self.n += 1`, `self.n = n + 1`, or a
# receiverless `update!(n: n + 1)` / `update_column(:n, n + 1)`, in a class of ActiveRecord's.
_RB_OLD_BARE = r"\(?\s*(?:self\.)?(?P=field)\b" + _RB_TO_NUMBER + r"(?:\s*\|\|\s*0(?:\.0)?)?\s*\)?\s*(?:[-+*/]|\.(?:succ|next|pred)\b)"
_RB_SELF_ASSIGN = re.compile(r"(?<![\w@.:])self\.(?P<field>\w+)\s*(?:[-+*/]=|=\s*" + _RB_OLD_BARE + r"(?!=))")
_RB_SELF_UPDATE = re.compile(r"(?<![\w@.:])(?:update!?|update_columns?|update_attributes!?)[\s(][^\n]*?\b(?P<field>\w+):\s*"
                             + _RB_OLD_BARE)
_RB_SELF_ATTRIBUTE = re.compile(r"(?<![\w@.:])update_(?:attribute|column)\s*\(?\s*:(?P<field>\w+)\s*,\s*" + _RB_OLD_BARE)
_RB_SELF_SAVED = re.compile(r"(?<![\w@.:])(?:self\.)?(?:save|update)!?(?![\w?])")
# An ActiveRecord model, or a Mongoid document (errbit's `Problem`, a new user's trial, session 35).
_RB_MODEL = re.compile(r"^\s*class\s+[\w:]+\s*<\s*(?:ApplicationRecord|ActiveRecord::Base|[\w:]*Record)\s*$"
                       r"|^\s*include\s+Mongoid::Document\b", re.M)
# The receiverless row lock of a model's own method (`with_lock do`, `lock!`).
_RB_SELF_LOCKED = re.compile(r"(?<![\w.@:$])(?:with_lock|lock!)(?!\w)")
# A model's own `lock` scope without a receiver (`lock(true).find(id)`, `lock.find_by(…)`) locks
# the row it reads as `Model.lock.find` does (DC251 reads the same).
_RB_LOCKED = re.compile(r"\.with_lock\b|\.lock!|\.lock\b(?!_)|\bwith_advisory_lock\b|(?i:\bfor\s+update\b)"
                        r"|(?<![\w.@:$])lock(?:\(\s*(?:true\b|[\"'])|\.(?:find\w*|where|first|last|take)\b)")


@check("ruby-lost-update")
def ruby_lost_update(view: FileView, pr: PackRule) -> list[Finding]:
    out: list[Finding] = []
    found = _written_from_old(view, (_RB_INLINE, _RB_ATTRIBUTE, _RB_PAIR, *_RB_ASSIGN, _RB_LOCAL_INLINE, _RB_LOCAL_ASSIGN,
                                     _RB_SELF_ASSIGN, _RB_SELF_UPDATE, _RB_SELF_ATTRIBUTE))
    if found is None:
        return out
    candidates, lines, strings = found
    model: bool | None = None
    for number in candidates:
        line = lines[number - 1] if number <= len(lines) else ""
        start = _find_back(lines, number, _RB_DEF, limit=200)
        body_start = start[0] if start else 0
        if (own := _rb_own_column(line, lines, number)) is not None:
            if model is None:
                model = _rb_model(view)
            if model and start is not None and not re.match(r"\s*def\s+self\.", start[1].string) \
                    and not _rb_named_locally(own, line, lines, body_start, number) \
                    and not any(_RB_LOCKED.search(x) or _RB_SELF_LOCKED.search(x) for x in strings[body_start:number]):
                out.append(_finding(view, pr, number, target=f"self.{own}", read=f"the loaded {own}"))
            continue
        m = _RB_INLINE.search(line) or _RB_ATTRIBUTE.search(line)
        if m is None and (pair := _RB_PAIR.search(line)) is not None and _rb_open_write(lines, number, pair.group("obj")):
            m = pair
        if m is None:
            for regex in (*_RB_ASSIGN, _RB_LOCAL_ASSIGN):
                a = regex.search(line)
                if a and "local" in a.groupdict() and not _rb_local_read(lines, number, body_start, a):
                    continue
                if a and _rb_saved(lines, number, a.group("obj")):
                    m = a
                    break
        if m is None:
            a = _RB_LOCAL_INLINE.search(line)
            m = a if a and _rb_local_read(lines, number, body_start, a) else None
        if m is None or m.group("obj") == "self":
            continue
        obj, field = m.group("obj"), m.group("field")
        if any(_RB_LOCKED.search(x) for x in strings[body_start:number]):
            continue
        read = _find_back(lines, number - 1, re.compile(rf"(?<![\w@]){re.escape(obj)}\s*=\s*[^=\n]*?\.(?P<method>find_by!?|find|first!?|last!?|take!?|find_or_create_by!?)\b"))
        read_text = f"{read[1].group('method')} on line {read[0] + 1}" if read and read[0] >= body_start else f"the loaded {obj}.{field}"
        out.append(_finding(view, pr, number, target=f"{obj}.{field}", read=read_text))
    return out


def _rb_open_write(lines: list[str], number: int, obj: str) -> bool:
    """Whether line ``number`` is an argument of `obj.update…(` opened on one of the 20 lines
    before it (a Rails update of eight keys, one per line, is common: the red team of session 38):
    the call's own parenthesis is the one open at the line's start."""
    call = re.compile(rf"(?<![\w@]){re.escape(obj)}\.{_RB_WRITE_CALLS}\s*\(")
    for start in range(number - 2, max(-1, number - 22), -1):
        m = call.search(lines[start])
        if m is not None:
            depth = 1
            for c in lines[start][m.end():] + "".join(lines[start + 1 : number - 1]):
                depth += (c == "(") - (c == ")")
                if depth == 0:
                    return False
            return depth == 1
    return False


def _rb_own_column(line: str, lines: list[str], number: int) -> str | None:
    """The column a model's method computes from its own old value on ``line`` and saves: set on
    `self` and saved by a receiverless `save`/`update` within 20 lines, or written by a receiverless
    `update!(n: n + 1)` / `update_column(:n, n + 1)`."""
    m = _RB_SELF_UPDATE.search(line) or _RB_SELF_ATTRIBUTE.search(line)
    if m is not None:
        return m.group("field")
    m = _RB_SELF_ASSIGN.search(line)
    if m is None:
        return None
    for after in lines[number - 1 : number + 20]:
        if after is not line and _RB_DEF.search(after):
            return None  # the next method's save is not this one's
        if _RB_SELF_SAVED.search(after):
            return m.group("field")
    return None


def _rb_model(view: FileView) -> bool:
    """An ActiveRecord model's file: a class of ApplicationRecord's (or any `…Record`'s), or any
    subclass under `app/models/` (single-table inheritance: `class PremiumAccount < Account`)."""
    text = view.text("head") or ""
    return _RB_MODEL.search(text) is not None or (
        "app/models/" in view.path and re.search(r"^\s*class\s+[\w:]+\s*<\s*(?:::)?[A-Z]", text, re.M) is not None)


def _rb_named_locally(field: str, line: str, lines: list[str], body_start: int, number: int) -> bool:
    """Whether the bare `field` that ``line`` computes from is the method's parameter or a local
    assigned earlier in it (`def move_to!(position)`, then `self.position = position - 1`), not
    the column's old value; `self.field` and `self.field += n` read the column whatever is local."""
    if re.search(rf"(?<![\w.@:])self\.{re.escape(field)}\s*[-+*/]=", line):
        return False
    value = line.split("=", 1)[1] if re.search(rf"self\.{re.escape(field)}\s*=[^=]", line) else line
    if re.search(rf"(?<![\w.@:])self\.{re.escape(field)}\b", value):
        return False
    header = lines[body_start] if body_start < len(lines) else ""
    params = re.search(r"\bdef\s+[\w.]+[!?=]?\s*\(?([^)#\n]*)", header)
    if params and re.search(rf"(?<![\w@]){re.escape(field)}\b", params.group(1)):
        return True
    local = re.compile(rf"^\s*{re.escape(field)}\s*(?:=[^=~>]|\|\|=)")
    return any(local.search(x) for x in lines[body_start + 1 : number - 1])


def _rb_saved(lines: list[str], number: int, obj: str) -> bool:
    """Whether ``obj`` is saved or updated on line ``number`` or within the 20 lines after it, also
    by a save chained to its in-memory step (argo's jobs' `bulk_action.increment(:n).save`, a new
    user's trial, session 36)."""
    saved = re.compile(rf"(?<![\w@]){re.escape(obj)}(?:\.(?:increment|decrement|toggle)\s*\(\s*:\w+[^()\n]*\))?\.(?:save|update)!?(?!\w)")
    return any(saved.search(x) for x in lines[number - 1 : number + 20])


def _rb_local_read(lines: list[str], number: int, body_start: int, m: re.Match[str]) -> bool:
    """Whether the local that ``m`` writes from was set, earlier in the same method, to the
    field it writes (`runs = insight.runs_count`), also converted first as ``_RB_OLD`` reads it
    (`runs = insight.runs_count.to_i`, `runs = Integer(insight.runs_count)`)."""
    read = re.compile(rf"^\s*{re.escape(m.group('local'))}\s*=\s*(?:{_RB_CAST})?"
                      rf"{re.escape(m.group('obj'))}\.{re.escape(m.group('field'))}{_RB_TO_NUMBER}\s*\)?\s*(?:$|#|\|\|)")
    return any(read.search(lines[i]) for i in range(body_start, number - 1))


_JVM_WRITES = (
    re.compile(r"\b(?P<obj>\w+)\.set(?P<field>\w+)\s*\(\s*(?P=obj)\.get(?P=field)\s*\(\s*\)\s*[-+*/]"),
    re.compile(r"\b(?P<obj>\w+)\.(?P<field>\w+)\s*=\s*(?P=obj)\.(?P=field)\s*[-+*/](?!=)"),
    re.compile(r"\b(?P<obj>\w+)\.(?P<field>\w+)\s*(?:[-+*/]=|\+\+|--)"),
    re.compile(r"\b(?P<obj>\w+)\.copy\s*\([^)]*\b(?P<field>\w+)\s*=\s*(?P=obj)\.(?P=field)\s*[-+*/]"),
)
# Through a local that holds the old value (`int sent = latest.getRemindersSent();
# latest.setRemindersSent(sent + 1);`): the local must be read from the same getter earlier in
# the method (``_jvm_local_read``).
_JVM_LOCAL_WRITE = re.compile(r"\b(?P<obj>\w+)\.set(?P<field>\w+)\s*\(\s*(?P<local>[a-z_]\w*)\s*[-+*/]")
_JVM_READ = r"\b{obj}\s*=\s*[^=;\n]*?\.(?P<method>findById|getById|getReferenceById|getOne|findBy\w+|find)\s*\("
# `for (MailSendLog log : mapper.findPending())`, `logs.forEach(log -> {`, `.forEach((MailSendLog log) -> {`.
_JVM_ROW_READ = (r"\bfor\s*\(\s*(?:final\s+)?[\w<>,.?\[\] ]+\s+{obj}\s*:\s*[^)]*\w\s*\("
                 r"|\.forEach\s*\(\s*(?:\(\s*(?:[\w<>,.?]+\s+)?{obj}\s*\)|{obj})\s*->")
# The row written back: a call whose name saves or updates, with the row as its argument.
_JVM_WRITTEN_BACK = r"\.\w*(?:[Ss]ave|[Uu]pdate|[Mm]erge|[Pp]ersist)\w*\s*\(\s*{obj}\s*\)"
_JVM_GUARDED = re.compile(r"@Lock\b|\bLockModeType\.PESSIMISTIC|@Version\b")
_JVM_LOCK_NEAR = re.compile(r"PESSIMISTIC|(?i:\bfor\s+update\b)|\.lock\s*\(")


@check("jvm-lost-update")
def jvm_lost_update(view: FileView, pr: PackRule) -> list[Finding]:
    out: list[Finding] = []
    found = _written_from_old(view, (*_JVM_WRITES, _JVM_LOCAL_WRITE))
    if found is None or _JVM_GUARDED.search(view.text("head")):
        return out
    candidates, lines, strings = found
    for number in candidates:
        line = lines[number - 1] if number <= len(lines) else ""
        m = next((x for x in (r.search(line) for r in _JVM_WRITES) if x), None)
        if m is None and (local := _JVM_LOCAL_WRITE.search(line)) is not None and _jvm_local_read(lines, number, local):
            m = local
        if m is None or m.group("obj") == "this":
            continue
        obj, field = m.group("obj"), m.group("field")
        read = _find_back(lines, number - 1, re.compile(_JVM_READ.format(obj=re.escape(obj))))
        shown = f"{read[1].group('method')} on line {read[0] + 1}" if read is not None else ""
        if read is None:
            # A row of a query's list, written back by a call that names it (a MyBatis job's
            # `logs.forEach(log -> { log.setCount(log.getCount() + 1); mapper.update(log); })`).
            read = _find_back(lines, number - 1, re.compile(_JVM_ROW_READ.format(obj=re.escape(obj))))
            if read is None or not any(re.search(_JVM_WRITTEN_BACK.format(obj=re.escape(obj)), x)
                                       for x in lines[number - 1 : number + 20]):
                continue
            shown = f"a row of the list read on line {read[0] + 1}"
        if any(_JVM_LOCK_NEAR.search(x) for x in strings[read[0] : number]):
            continue
        field_name = field[0].lower() + field[1:]
        out.append(_finding(view, pr, number, target=f"{obj}.{field_name}", read=shown))
    return out


def _jvm_local_read(lines: list[str], number: int, m: re.Match[str]) -> bool:
    """Whether the local that ``m`` writes from was set, within the 30 lines before it, to the
    getter of the field it sets (`int sent = latest.getRemindersSent();`, Kotlin's `val sent =
    latest.remindersSent`), and not set again in between."""
    local, obj, field = (re.escape(m.group(k)) for k in ("local", "obj", "field"))
    read = re.compile(rf"\b{local}\s*=\s*{obj}\.(?:get{field}\s*\(\s*\)|{field[:1].lower()}{field[1:]}\b)\s*;?\s*(?:$|//)")
    again = re.compile(rf"(?<![\w.]){local}\s*(?:=(?!=)|[-+*/]=|\+\+|--)")
    for i in range(number - 2, max(-1, number - 32), -1):
        if read.search(lines[i]):
            return True
        if again.search(lines[i]):
            return False
    return False


# --- Go -----------------------------------------------------------------------------------

_GO_START = re.compile(r"\bgo\s+func\s*\((?P<params>[^)]*)\)")
_GO_DECL = re.compile(r"(?P<names>\w+(?:\s*,\s*\w+)*)\s*:=|\bvar\s+(?P<var>\w+)|\bfunc\s*\((?P<fparams>[^)]*)\)")
_GO_SYNC = re.compile(r"\.(?:R?Lock|TryR?Lock)\(\)|\batomic\.")
_GO_MAP_WRITE = re.compile(r"(?<![\w.])(?P<name>[\w.]+)\[[^\]]*\]\s*(?:=(?!=)|[-+*/]=|\+\+|--)")
_GO_COUNTER = re.compile(r"(?<![\w.\]])(?P<name>[\w.]+)\s*(?:\+\+|--|[-+*/]=)")
_GO_ASSIGN = re.compile(r"^\s*(?P<name>[\w.]+)\s*=(?!=)")


def _go_body(lines: list[str], start: int, col: int) -> tuple[int, str] | None:
    """(last line index, body text) of the brace block opening after ``col`` on ``start``."""
    depth, opened, parts = 0, False, []
    for i in range(start, min(len(lines), start + 2000)):
        segment = lines[i][col:] if i == start else lines[i]
        for j, ch in enumerate(segment):
            if ch == "{":
                depth += 1
                opened = True
            elif ch == "}":
                depth -= 1
                if opened and depth == 0:
                    parts.append(segment[: j + 1])
                    return i, "\n".join(parts)
        parts.append(segment)
    return None


def _param_names(params: str) -> set[str]:
    names = set()
    for part in params.split(","):
        words = part.split()
        if words:
            names.add(words[0])
    return names


@check("go-goroutine-write")
def go_goroutine_write(view: FileView, pr: PackRule) -> list[Finding]:
    # Read the file only when the change starts a goroutine or makes a write that could race.
    if not any(_GO_START.search(raw) or _GO_MAP_WRITE.search(raw) or _GO_COUNTER.search(raw) or "append(" in raw for raw in _added(view).values()):
        return []
    lines = view.lines("head")
    if lines is None:
        return []
    added = _added(view)
    text = view.text("head")
    out: list[Finding] = []
    reported: set[int] = set()
    for index, line in enumerate(lines):
        start = _GO_START.search(line)
        if not start:
            continue
        body = _go_body(lines, index, start.end())
        if body is None:
            continue
        end, body_text = body
        if _GO_SYNC.search(body_text):
            continue
        local = _param_names(start.group("params")) | {"_"}
        for d in _GO_DECL.finditer(body_text):
            if d.group("names"):
                local.update(n.strip() for n in d.group("names").split(","))
            if d.group("var"):
                local.add(d.group("var"))
            if d.group("fparams"):
                local.update(_param_names(d.group("fparams")))
        go_line = index + 1
        for i in range(index, end + 1):
            segment = lines[i][start.end():] if i == index else lines[i]
            target = _go_shared_write(segment, local, text)
            if target is None or _goroutine_own(lines, index, end, target):
                continue
            number = i + 1 if (i + 1) in added else go_line if go_line in added else None
            if number is None or number in reported:
                continue
            reported.add(number)
            out.append(_finding(view, pr, number, target=target, go_line=go_line))
    return out


def _goroutine_own(lines: list[str], go: int, end: int, name: str) -> bool:
    """Whether the variable ``name`` the goroutine on row ``go`` (its body ending on row ``end``)
    writes is its own: declared in the enclosing function before it, with no loop opened in
    between (one goroutine per declaration), and named nowhere else in that function. kopia's
    timer keeps `var currentTimer *time.Timer`, declared just above `go func() {`, for the
    goroutine alone: no other goroutine can touch it (a new user's trial, session 38)."""
    if not re.fullmatch(r"[A-Za-z_]\w*", name):
        return False  # a field (`s.count`) lives as long as its struct, whoever else holds it
    top = next((i for i in range(go, -1, -1) if lines[i].startswith("func ")), None)
    if top is None:
        return False
    # gofmt ends the signature's line with the body's brace (`func f(v interface{}) {`).
    opened = lines[top].rstrip()
    whole = _go_body(lines, top, len(opened) - 1) if opened.endswith("{") else None
    bottom = whole[0] if whole is not None else len(lines) - 1
    named = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
    declared = re.compile(rf"^\s*(?:var\s+{re.escape(name)}\b|{re.escape(name)}\s*:=)")
    outside = [i for i in range(top + 1, bottom + 1) if not go <= i <= end and named.search(lines[i])]
    if len(outside) != 1 or not declared.search(lines[outside[0]]) or outside[0] > go:
        return False
    # Started once: no loop, and no function literal (a handler run per request, a callback), opened
    # between the declaration and the `go` (the red team of session 39: a handler's goroutine).
    if any(re.match(r"^\s*for\b", lines[i]) or _FUNC_LITERAL.search(lines[i]) for i in range(outside[0] + 1, go)):
        return False
    # Named only by the goroutine's own code: not by a function literal inside it, which a timer
    # or a callee may run on another goroutine (`time.AfterFunc(d, func() { pending = nil })`); a
    # deferred one runs on this goroutine (kopia's `defer func() { currentTimer.Stop() }()`).
    inner = [i for i in range(go + 1, end + 1) if _FUNC_LITERAL.search(lines[i]) and not _DEFERRED.match(lines[i])]
    return not any(named.search(lines[i]) for first in inner for i in range(first, _block_end(lines, first) + 1))


_FUNC_LITERAL = re.compile(r"(?<![\w.])func\s*\(")
_DEFERRED = re.compile(r"^\s*defer\s+func\s*\(")


def _block_end(lines: list[str], row: int) -> int:
    """The last row of the brace block that opens on ``row``."""
    body = _go_body(lines, row, 0)
    return body[0] if body is not None else len(lines) - 1


def _is_map(name: str, text: str) -> bool:
    leaf = re.escape(name.split(".")[-1])
    return re.search(rf"\b{leaf}\s*(?::=|=)\s*(?:make\(\s*)?map\[|\b{leaf}\s+map\[|\bvar\s+{leaf}\s+(?:=\s*)?map\[", text) is not None


def _go_shared_write(segment: str, local: set[str], text: str) -> str | None:
    for m in _GO_MAP_WRITE.finditer(segment):
        name = m.group("name")
        if name.split(".")[0] not in local and _is_map(name, text):
            return f"the map {name}"
    for regex in (_GO_COUNTER, _GO_ASSIGN):
        for m in regex.finditer(segment):
            name = m.group("name")
            if name.split(".")[0] not in local and not name[0].isdigit():
                return name
    return None


# The same incident through an ORM: a struct loaded by gorm (`db.First(&p, id)`, `Take`, `Last`,
# `Find`) or sqlx (`db.Get(&p, q, id)`), a field computed from its old value (`p.Stock -= qty`,
# `p.Stock = p.Stock - qty`) and the struct written back (`db.Save(&p)`, `Updates(&p)`, or
# `Update("stock", p.Stock)`).
_GO_ORM_WRITES = (
    re.compile(r"\b(?P<obj>\w+)\.(?P<field>[A-Z]\w*)\s*=\s*(?P=obj)\.(?P=field)\s*[-+*/](?!=)"),
    re.compile(r"\b(?P<obj>\w+)\.(?P<field>[A-Z]\w*)\s*(?:[-+*/]=|\+\+|--)"),
)
_GO_ORM_READ = r"\.(?P<method>First|Take|Last|Find|Get|GetContext)\s*\((?:\s*ctx\s*,)?\s*&{obj}\b"
_GO_ORM_SAVE = r"\.(?:Save|Updates)\s*\(\s*&?{obj}\b|\.Update(?:Column)?\s*\([^)]*\b{obj}\.\w+"
_GO_ORM_LOCK = re.compile(r"clause\.Locking|(?i:\bfor\s+(?:no\s+key\s+)?update\b)|gorm:query_option")


@check("go-orm-lost-update")
def go_orm_lost_update(view: FileView, pr: PackRule) -> list[Finding]:
    out: list[Finding] = []
    found = _written_from_old(view, _GO_ORM_WRITES)
    if found is None:
        return out
    candidates, lines, strings = found
    for number in candidates:
        line = lines[number - 1] if number <= len(lines) else ""
        hit = next((m for m in (r.search(line) for r in _GO_ORM_WRITES) if m), None)
        if hit is None:
            continue
        obj, field = hit.group("obj"), hit.group("field")
        save = re.compile(_GO_ORM_SAVE.format(obj=re.escape(obj)))
        saved = next((i for i in range(number - 1, min(len(lines), number + 30)) if save.search(lines[i])), None)
        if saved is None:
            continue
        func = _find_back(lines, number, _GO_FUNC, limit=400)
        top = func[0] if func else max(0, number - 1 - LOOKBACK)
        read = _find_back(lines, number - 1, re.compile(_GO_ORM_READ.format(obj=re.escape(obj))), limit=number - 1 - top)
        if read is None:
            continue
        read_index, read_match = read
        if any(_GO_ORM_LOCK.search(x) for x in strings[read_index : saved + 1]):
            continue
        out.append(_finding(view, pr, number, target=f"{obj}.{field}",
                            read=f"{read_match.group('method')} on line {read_index + 1}"))
    return out


# gorm's whole-row write (`Save` writes every column of the struct as it was loaded, and inserts
# it again when its key is gone; it takes the one value it writes, where gorilla's
# `session.Save(r, w)` takes two) and its column writes (`Update`, `Updates`, `UpdateColumn(s)`,
# `Select(…)` before them). A chain split after its dots, as gofmt leaves it, puts the call at the
# start of a line.
_GO_ORM_WHOLE = re.compile(r"(?:\.|^\s*)Save\(\s*&?[\w.\[\]]+\s*\)")
_GO_ORM_COLUMNS = re.compile(r"(?:\.|^\s*)(?:Updates?|UpdateColumns?)\(")
_GORM_IMPORT = re.compile(r"[\"`](?:gorm\.io/gorm|github\.com/jinzhu/gorm)[\"`/]")


def _gorm_package(view: FileView) -> bool:
    """Whether the file or another of its Go package (its folder) imports gorm: gophish's
    models/imap.go writes through the package's `db`, declared in models.go."""
    text = view.ctx.head_text()
    if text is not None and _GORM_IMPORT.search(text):
        return True
    ctx = view.ctx
    if ctx.repo is None:
        return False
    folder = posixpath.dirname(view.path)
    memo = scan_memo(ctx)
    key = ("patterns.gorm-package", folder)
    if key not in memo:
        from ...git import gitcmd

        memo[key] = bool(gitcmd.grep_files(ctx.repo.root, ctx.repo.head_sha, ["gorm.io/gorm", "github.com/jinzhu/gorm"],
                                           [f":(glob){folder + '/' if folder else ''}*.go"], what="gorm's import"))
    return memo[key]


@check("go-orm-write-scope")
def go_orm_write_scope(view: FileView, pr: PackRule) -> list[Finding]:
    """A hunk that replaces gorm's whole-row `Save` with a column update, or the reverse."""
    head, base = view.lines("head"), view.lines("base")
    if head is None or base is None or not _gorm_package(view):
        return []
    out: list[Finding] = []
    for hunk in view.ctx.file.hunks:  # code only: comments and strings blanked
        added = {line.number: head[line.number - 1] for line in hunk.added}
        removed = {line.number: base[line.number - 1] for line in hunk.removed}
        for old, new, became in ((_GO_ORM_WHOLE, _GO_ORM_COLUMNS, "a column update"),
                                 (_GO_ORM_COLUMNS, _GO_ORM_WHOLE, "a whole-row `Save`")):
            if not any(old.search(line) for line in removed.values()) or any(old.search(line) for line in added.values()):
                continue
            number = next((n for n, line in sorted(added.items()) if new.search(line)), None)
            if number is None:
                continue
            start = number  # from the statement's first line (a chain split after its dots)
            while start - 1 in added and added[start - 1].rstrip().endswith((".", "(", ",")):
                start -= 1
            was = "a whole-row `Save`" if became == "a column update" else "a column update"
            out.append(pr.rule.finding(view.path, start, render(pr.message, path=view.path, was=was, became=became),
                                       number if number != start else None))
    return out


# database/sql's and sqlx's statements, and helpers named alike (goatcounter's `zdb.Exec`,
# `zdb.Get(ctx, &cur, "select …")`): the SQL text beside them says what they do.
_GO_EXEC = re.compile(r"\.(?:Must)?(?:Named)?Exec(?:Context)?\s*\(")
_GO_UPDATE_SET = re.compile(r"(?is)\bupdate\s+[\w.\"`]+\s+set\s+(?P<col>\w+)\s*=\s*(?:\?|\$\d+|@\w+|:\w+)")
_GO_SELECT = re.compile(r"\.(?:QueryRow|Query|QueryRowx|Queryx|Get|Select)(?:Context)?\s*\(")
_GO_INSERT = re.compile(r"(?is)\binsert\s+into\s+(?P<table>[\w.\"`]+)")
_GO_FUNC = re.compile(r"^func\b")


def _call_end(code: list[str], number: int) -> int:
    """The index of the line where the call that opens on line ``number`` (its first `(`) closes,
    read on lines whose strings are blanked; at most five lines on."""
    depth = 0
    for i in range(number - 1, min(len(code), number + 5)):
        for char in code[i] if i != number - 1 else code[i][code[i].find("("):]:
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0:
                return i
    return min(len(code), number + 5) - 1


@check("go-sql-lost-update")
def go_sql_lost_update(view: FileView, pr: PackRule) -> list[Finding]:
    code, strings = view.lines("head"), view.lines("head", strings=True)
    if code is None or strings is None:
        return []
    out: list[Finding] = []
    for number in sorted(_added(view)):
        if number > len(code) or not _GO_EXEC.search(code[number - 1]):
            continue
        statement = " ".join(strings[number - 1 : number + 5])
        update = _GO_UPDATE_SET.search(statement)
        # Or the row deleted and inserted again with the value computed (goatcounter's refactor
        # in a new user's trial: select the total, add, delete, insert): an INSERT whose
        # arguments pass the computed variable.
        insert = None if update else _GO_INSERT.search(" ".join(strings[number - 1 : _call_end(code, number) + 1]))
        if update:
            target = f"column {update.group('col')}"
        elif insert:
            target = f"a row of {insert.group('table')}"
        else:
            continue
        func = _find_back(code, number, _GO_FUNC, limit=400)
        top = func[0] if func else 0
        for i in range(number - 2, top - 1, -1):
            if not _GO_SELECT.search(code[i]):
                continue
            select = " ".join(strings[i : i + 4])
            if not re.search(r"(?i)\bselect\b", select) or re.search(r"(?i)\bfor\s+(?:update|no\s+key\s+update)\b", select):
                break
            scanned = set(re.findall(r"&(\w+)", " ".join(code[i : i + 4])))
            window = code[i : number + 5]
            computed = [v for v in sorted(scanned)
                        if any(re.search(rf"\b{re.escape(v)}\s*[-+*/]|[-+*/]\s*{re.escape(v)}\b", x) for x in window)]
            if insert is not None:
                passed = " ".join(code[number - 1 : number + 5])
                computed = [v for v in computed if re.search(rf"\b{re.escape(v)}\b", passed)]
            if computed:
                out.append(_finding(view, pr, number, target=target, read_line=i + 1))
            break
    return out


# --- migrations -----------------------------------------------------------------------------

_DOWN_MIGRATION = re.compile(r"\.down\.sql$|(?:^|/)U\d[^/]*__[^/]*\.sql$", re.IGNORECASE)
_IDENT = r"[\w.\"`\[\]]+"
_STATEMENT = re.compile(r"[^;]+")
_DESTRUCTIVE = (
    (re.compile(rf"\bdrop\s+(?P<what>table|schema|database)\s+(?:if\s+exists\s+)?(?P<name>{_IDENT})", re.I), "DROP {what} {name}"),
    (re.compile(rf"\btruncate\s+(?:table\s+)?(?:only\s+)?(?P<name>{_IDENT})", re.I), "TRUNCATE {name}"),
    (re.compile(rf"\brename\s+table\s+(?P<name>{_IDENT})", re.I), "RENAME TABLE {name}"),
    (re.compile(r"\bsp_rename\b", re.I), "sp_rename"),
)
_ALTER = re.compile(rf"^\s*alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?(?P<table>{_IDENT})", re.I)
_ALTER_CLAUSES = (
    (
        re.compile(
            rf"\bdrop\s+(?:column\s+)?(?:if\s+exists\s+)?(?!(?:constraint|index|default|not|primary|foreign|check|unique|key|partition)\b)(?P<name>{_IDENT})",
            re.I,
        ),
        "DROP COLUMN {table}.{name}",
    ),
    (re.compile(rf"\brename\s+(?:column\s+)?(?P<name>{_IDENT})?", re.I), "ALTER TABLE {table} RENAME"),
    (re.compile(rf"\balter\s+(?:column\s+)?(?P<name>{_IDENT})\s+(?:set\s+data\s+)?type\b", re.I), "column type change of {table}.{name}"),
    (re.compile(rf"\bmodify\s+(?:column\s+)?(?P<name>{_IDENT})", re.I), "column type change of {table}.{name}"),
)
_UNBOUNDED = re.compile(rf"^\s*(?P<op>delete\s+from|update)\s+(?:only\s+)?(?P<table>{_IDENT})(?P<rest>[\s\S]*)$", re.I)


class _Lines:
    """Offset -> line number in one text."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def number(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


def _sql_statements(view: FileView) -> tuple[dict[int, str], _Lines, list[tuple[int, str]]]:
    """(added lines, line numbering of the head text, (offset, statement) of each statement);
    nothing for a down migration or an unreadable head, which the SQL checks never report on."""
    if _DOWN_MIGRATION.search(view.path) or view.lexed("head") is None:
        return {}, _Lines(""), []
    text = view.text("head")
    return _added(view), _Lines(text), [(m.start(), m.group(0)) for m in _STATEMENT.finditer(text)]


@check("sql-destructive")
def sql_destructive(view: FileView, pr: PackRule) -> list[Finding]:
    added, lines, statements = _sql_statements(view)
    out: list[Finding] = []
    for offset, statement in statements:
        hits: list[tuple[int, str]] = []
        alter = _ALTER.match(statement)
        if alter:
            table = alter.group("table")
            for regex, template in _ALTER_CLAUSES:
                for m in regex.finditer(statement, alter.end()):
                    hits.append((m.start(), template.format(table=table, name=m.group("name") or "")))
        for regex, template in _DESTRUCTIVE:
            for m in regex.finditer(statement):
                hits.append((m.start(), template.format(**{k: (v.upper() if k == "what" else v) for k, v in m.groupdict().items() if v})))
        for start, op in sorted(hits):
            number = lines.number(offset + start)
            if number in added:
                out.append(_finding(view, pr, number, op=short(op)))
    return _unique_lines(out)


@check("sql-unbounded")
def sql_unbounded(view: FileView, pr: PackRule) -> list[Finding]:
    added, lines, statements = _sql_statements(view)
    out: list[Finding] = []
    for offset, statement in statements:
        m = _UNBOUNDED.match(statement)
        if not m or re.search(r"\bwhere\b", m.group("rest"), re.I):
            continue
        if m.group("op").lower() == "update" and not re.match(r"\s*set\b", m.group("rest"), re.I):
            continue
        number = lines.number(offset + m.start("op"))
        if number in added:
            op = "DELETE" if m.group("op").lower().startswith("delete") else "UPDATE"
            out.append(_finding(view, pr, number, op=op, table=short(m.group("table"))))
    return out


def _unique_lines(findings: list[Finding]) -> list[Finding]:
    seen: set[int] = set()
    out = []
    for f in findings:
        if f.line not in seen:
            seen.add(f.line)
            out.append(f)
    return out


def _rb_block_end(lines: list[str], start: int, indent: str, braces: bool = False) -> int | None:
    """The index of the `end` (with ``braces``, or `}`) closing the block opened on line index
    ``start`` at indentation ``indent``: found by indentation; None when none is."""
    closer = re.compile(rf"^{indent}(?:end\b{'|}' if braces else ''})")
    return next((j for j in range(start + 1, len(lines)) if closer.match(lines[j])), None)


_RB_DEF_CHANGE = re.compile(r"^(?P<indent>\s*)def\s+change\b")
_RB_EXECUTE = re.compile(r"^\s*(?:connection\.)?execute\b")


def _irreversible_executes(lines: list[str]) -> list[int]:
    """The 1-based numbers of the `execute` lines inside a `def change` with no `reversible`
    or `up_only` in it."""
    out: list[int] = []
    i = 0
    while i < len(lines):
        m = _RB_DEF_CHANGE.match(lines[i])
        if not m:
            i += 1
            continue
        end = _rb_block_end(lines, i, m.group("indent"))
        end = len(lines) - 1 if end is None else end
        body = lines[i + 1 : end]
        if not any(re.search(r"\breversible\b|\bup_only\b", x) for x in body):
            out.extend(i + 2 + offset for offset, line in enumerate(body) if _RB_EXECUTE.match(line))
        i = end + 1
    return out


@check("rails-irreversible-execute")
def rails_irreversible_execute(view: FileView, pr: PackRule) -> list[Finding]:
    """DC453 on the changed `execute` lines, unless the migration's base version already ran as
    many in its `change`: an edit of an old migration (a lint pass turning `<<-SQL` into
    `<<~SQL`) makes nothing irreversible that was not already."""
    lines = view.lines("head")
    if lines is None:
        return []
    found = _irreversible_executes(lines)
    base = view.lines("base")
    if base is not None and len(found) <= len(_irreversible_executes(base)):
        return []
    added = _added(view)
    return [_finding(view, pr, number) for number in found if number in added]


# The undo of a migration: `def down` (`def self.down`), or the `down` branch of `reversible`
# (`dir.down do … end`). Only `db:rollback` runs it, and it removes what `up` added.
_RB_DOWN = re.compile(r"^(?P<indent>\s*)(?:def\s+(?:self\.)?down\b|\w+\.down\s+(?:do\b|\{))")


# An undo written on its one line: `def down = …`, `def down; …; end`, `dir.down { … }`.
_RB_ONE_LINE = re.compile(r"^\s*def\s+(?:self\.)?down\b\s*(?:\([^)]*\))?\s*(?:=(?!=)|;)|^\s*\w+\.down\s*\{[^{}]*\}\s*$")


def _rb_down_lines(lines: list[str]) -> set[int]:
    """The 1-based numbers of the lines inside a migration's undo (its end found by indentation,
    as for `def change` above; a one-line undo is its own line)."""
    inside: set[int] = set()
    for i, line in enumerate(lines):
        if _RB_ONE_LINE.match(line):
            inside.add(i + 1)
            continue
        m = _RB_DOWN.match(line)
        if m is None:
            continue
        end = _rb_block_end(lines, i, m.group("indent"), braces=True)
        if end is not None:  # no end at its indentation (`def down = …`, odd layout): read as code
            inside.update(range(i + 2, end + 1))
    return inside


@check("rails-destructive-migration")
def rails_destructive_migration(view: FileView, pr: PackRule) -> list[Finding]:
    """DC452's patterns, except in the migration's undo: dropping on rollback the column that
    `up` added destroys nothing the old code reads. Its SQL words count only in SQL the migration
    runs (an `execute` line, a heredoc): a column's `comment: "drop column x after July"` runs
    nothing (the red team of session 40)."""
    from .engine import _run_pattern_rule

    lines = view.lines("head")
    undo = _rb_down_lines(lines) if lines is not None else set()
    sql = {side: _rb_sql_rows(view.lines(side, strings=True) or []) for side in ("head", "base")}
    return [f for f in _run_pattern_rule(view, pr) if (f.side != "head" or f.line not in undo)
            and (_RB_DESTRUCTIVE_CALL.search(view.line(f.side, f.line)) or f.line in sql[f.side])]


# DC452's migration methods, as code (its SQL words are read only in SQL, ``_rb_sql_rows``).
_RB_DESTRUCTIVE_CALL = re.compile(r"\b(?:remove_\w+|drop_table|drop_join_table|rename_column|rename_table"
                                  r"|change_column|t\.(?:remove|rename)\w*)\b")
# A line that hands a string to the database, and a heredoc's opening (`execute <<~SQL`).
_RB_RUNS_SQL = re.compile(r"\b(?:execute|exec_query|exec_update|exec_delete|exec_insert|select_all|select_value|select_rows)\b")
_RB_HEREDOC = re.compile(r"<<[~-]?(['\"]?)([A-Za-z_]\w*)\1")


def _rb_sql_rows(lines: list[str]) -> set[int]:
    """The 1-based rows of a Ruby file (strings kept) that hold SQL it runs: lines that call
    `execute` (or a sibling) and the bodies of heredocs."""
    rows: set[int] = set()
    tag: str | None = None
    for number, line in enumerate(lines, 1):
        if tag is not None:
            if line.strip() == tag:
                tag = None
            else:
                rows.add(number)
            continue
        if _RB_RUNS_SQL.search(line):
            rows.add(number)
        opened = _RB_HEREDOC.search(line)
        if opened is not None:
            tag = opened.group(2)
    return rows


# DC456: a unique index added, written as a method call over several lines (`add_index :payments,
# [:order_id, :ref],\n  unique: true`), through a reference (`add_reference :profiles, :account,
# index: { unique: true }`), with a hash rocket, or as SQL (`CREATE UNIQUE INDEX CONCURRENTLY`).
_RB_INDEX_CALL = re.compile(r"^\s*(?:add_index|t\.index|add_reference|add_belongs_to|t\.references|t\.belongs_to"
                            r"|add_unique_constraint|add_unique_key)\b")
_RB_UNIQUE = re.compile(r"\bunique:\s*true\b|:unique\s*=>\s*true\b|^\s*add_unique_(?:constraint|key)\b")
_SQL_UNIQUE_INDEX = re.compile(r"(?i)\bcreate\s+unique\s+index\b|\badd\s+(?:constraint\s+\S+\s+)?unique\b")
_RB_CREATES_TABLE = re.compile(r"\bcreate_table\b|(?i:\bcreate\s+table\b)")


_RB_INDEX_TABLE = re.compile(r"^\s*(?:add_index|add_reference|add_belongs_to|add_unique_constraint|add_unique_key)"
                             r"\s*\(?\s*[:\"'](\w+)|(?i:\bon\s+(?:only\s+)?(?:\w+\.)?\"?(\w+))")
_RB_CHANGE_TABLE = re.compile(r"^\s*change_table\s*\(?\s*[:\"'](\w+)")


def _rb_index_table(lines: list[str], number: int, statement: str) -> str | None:
    """The table a unique index statement names (`add_index :t`, SQL's `ON t`), or for `t.index`
    the `change_table :t` above it."""
    m = _RB_INDEX_TABLE.search(statement)
    if m is not None:
        return m.group(1) or m.group(2)
    for line in reversed(lines[:number - 1]):
        if (c := _RB_CHANGE_TABLE.match(line)) is not None:
            return c.group(1)
    return None


_RB_INDEX_COLUMNS = re.compile(r"^\s*(?:add_index|t\.index)\s*\(?\s*(?:[:\"']\w+[\"']?\s*,\s*)?"
                               r"(%i\[[^\]]*\]|\[[^\]]*\]|:\w+|[\"']\w+[\"'])")


def _base_schema(view: FileView) -> tuple[str, str] | None:
    """(`db/schema.rb` or `db/structure.sql`, its text) at the base, beside the migration's `db/`;
    None when the base has neither. Read once per scan, whichever migration asks."""
    from ...git.basefiles import BaseFiles

    base = view.ctx.settings.base_files
    if not isinstance(base, BaseFiles):
        return None
    root = view.path.rpartition("db/migrate/")[0]
    memo = scan_memo(view.ctx)
    key = ("patterns.base-schema", root)
    if key not in memo:
        memo[key] = None
        for name in ("db/schema.rb", "db/structure.sql"):
            data = base.read(root + name)
            if data is not None:
                memo[key] = (name, data.decode("utf-8", "replace"))
                break
    return memo[key]


def _covered_by_a_base_index(view: FileView, table: str, statement: str) -> bool:
    """Whether a unique index over a set of columns adds no rule: the base's schema already has a
    unique index on the table over some of them (rubygems widened its version indexes by a new
    column, built beside the old ones: every row the new one refuses, the old one already did)."""
    from .rails_schema import _columns, _read_indexes

    m = _RB_INDEX_COLUMNS.match(statement)
    schema = _base_schema(view)
    if m is None or schema is None:
        return False
    columns = _columns(m.group(1).removeprefix("%i"))
    held = _read_indexes(*schema).get(table.lower(), [])
    return any(old and old <= columns for old in held)


def _table_new_in_branch(view: FileView, table: str) -> bool:
    """Whether the base's `db/schema.rb` (or `db/structure.sql`, beside the migration's `db/`)
    exists and names no table ``table``: another migration of the branch creates it, empty (the
    red team of session 40). Unknown (no schema at the base): not new."""
    schema = _base_schema(view)
    if schema is None:
        return False
    name, text = schema
    created = (rf"create_table\s+[\"':]{re.escape(table)}\b" if name.endswith(".rb")
               else rf"(?i)create\s+table\s+(?:\w+\.)?\"?{re.escape(table)}\b")
    return re.search(created, text) is None


@check("rails-unique-index")
def rails_unique_index(view: FileView, pr: PackRule) -> list[Finding]:
    """DC456: each unique index or constraint the branch adds to a migration, outside its undo,
    in a migration that creates no table (a new table has no rows, and its index is part of it)."""
    lines = view.lines("head", strings=True)
    if lines is None or _RB_CREATES_TABLE.search("\n".join(lines)):
        return []
    added, undo, sql = _added(view), _rb_down_lines(lines), _rb_sql_rows(lines)
    out: list[Finding] = []
    number = 1
    while number <= len(lines):
        line, rows, written = lines[number - 1], [number], lines[number - 1]
        if _RB_INDEX_CALL.match(line):
            while written.rstrip().endswith((",", "(", "\\", "{")) and rows[-1] < len(lines):
                rows.append(rows[-1] + 1)
                written += " " + lines[rows[-1] - 1]
            unique = _RB_UNIQUE.search(written) is not None
        else:
            unique = number in sql and _SQL_UNIQUE_INDEX.search(line) is not None
        if unique and any(r in added for r in rows) and number not in undo:
            table = _rb_index_table(lines, number, written)
            if table is None or not (_table_new_in_branch(view, table) or _covered_by_a_base_index(view, table, written)):
                shown = " ".join(" ".join(lines[r - 1].split()) for r in rows)
                out.append(pr.rule.finding(view.path, number, pr.message.format(path=view.path, match=short(shown))))
        number = rows[-1] + 1
    return out


# A read-only transaction, alone on its line: `@Transactional(readOnly = true)`, with any other
# attributes (`propagation = SUPPORTS`, `timeout = 5`).
_JVM_READ_ONLY_TX = re.compile(r"^\s*@Transactional\s*\((?=[^)]*\breadOnly\s*=\s*true\b)[^)]*\)\s*(?://.*)?$")
_JVM_TX = re.compile(r"@Transactional\b")
# A class-level transaction that writes (every method without its own runs in it).
_JVM_CLASS_TX = re.compile(r"^@Transactional\b(?!\s*\([^)]*\breadOnly\s*=\s*true)", re.MULTILINE)
_JVM_TYPE = re.compile(r"^\s*(?:(?:public|protected|private|abstract|final|open|internal|data|sealed)\s+)*(?:class|interface|object)\b")


@check("jvm-concurrency-control")
def jvm_concurrency_control(view: FileView, pr: PackRule) -> list[Finding]:
    """DC253's patterns, except a read-only transaction given to a method that had none: it
    writes nothing and takes no row lock (openmrs's new query methods). It stays when the same
    hunk removed a transaction (Hibernate no longer flushes that method's writes), when it is on a
    class (every method of it joins), and when the class has a transaction that writes (the
    method had one). Nor a new metric counter beside the class's others (rules/counters.py)."""
    from .engine import _run_pattern_rule

    head_hunk, base_hunk = _hunk_index(view)
    had_tx = {base_hunk[n] for n, text in view.changed("base").items() if n in base_hunk and _JVM_TX.search(text)}
    lines = view.lines("head") or []
    added = _added(view)

    def kept(f: Finding) -> bool:
        if f.side == "head" and new_counter(added.get(f.line, ""), view.ctx.head_text() or "", view.ctx.base_text()):
            return False  # a new metric counter beside the class's others (rules/counters.py)
        if f.side != "head" or not _JVM_READ_ONLY_TX.match(added.get(f.line, "")) or head_hunk.get(f.line) in had_tx:
            return True
        # The class and its writing transaction are read only for a read-only transaction's finding.
        following = (line for line in lines[f.line:] if line.strip() and not line.lstrip().startswith("@"))
        return _JVM_CLASS_TX.search("\n".join(lines)) is not None or _JVM_TYPE.match(next(following, "")) is not None

    return [f for f in _run_pattern_rule(view, pr) if kept(f)]


# DC525's configuration fields (`MaxAge:`, `Storage:`, `Replicas:`) are common words: they count
# inside a literal of the broker's own configuration types, not a Prometheus `SummaryOpts{MaxAge: …}`
# or a cookie beside the consumer (the red team of session 32).
_GO_DELIVERY_FIELD = re.compile(r"\b[A-Z]\w*\s*:(?!=)")
_GO_BROKER_LITERAL = re.compile(r"\b(?:StreamConfig|ConsumerConfig|OrderedConsumerConfig|Publishing|"
                                r"KeyValueConfig|ObjectStoreConfig|StreamSourceInfo|SubOpt\w*)\s*\{\s*$")


@check("go-consumer-delivery")
def go_consumer_delivery(view: FileView, pr: PackRule) -> list[Finding]:
    """DC525's patterns, except a configuration field whose enclosing literal is not the
    broker's configuration type. Where the literal cannot be found, the field counts."""
    from .engine import _run_pattern_rule

    def kept(f: Finding) -> bool:
        lines = view.lines(f.side) or []
        if not 0 < f.line <= len(lines):
            return True
        field = _GO_DELIVERY_FIELD.search(lines[f.line - 1])
        if field is None or "(" in lines[f.line - 1][:field.start()]:
            return True  # an option call or a method, not a field of a literal
        opener = _enclosing_literal(lines, f.line - 1, field.start())
        return opener is None or _GO_BROKER_LITERAL.search(opener) is not None

    return [f for f in _run_pattern_rule(view, pr) if kept(f)]


def _enclosing_literal(lines: list[str], row: int, column: int, reach: int = 200) -> str | None:
    """The text up to and including the `{` that opens the braces around ``lines[row][column]``
    (blanked lines: strings and comments hold no braces), or None when none is found in
    ``reach`` lines."""
    depth = 0
    for r in range(row, max(-1, row - reach), -1):
        text = lines[r][:column] if r == row else lines[r]
        for c in range(len(text) - 1, -1, -1):
            if text[c] == "}":
                depth += 1
            elif text[c] == "{":
                if depth == 0:
                    return text[:c + 1]
                depth -= 1
    return None


# --- DC511: an executor's pool ----------------------------------------------------------------

# `Executors.newX(…)` and how many of its tasks run at once. OpenVidu's webhook sender went from
# a pool of one thread per processor to `newSingleThreadExecutor()` (a4fcf9074, a new user's trial,
# session 32): its events, sent in parallel and in any order until then, were sent one at a time
# in the order they happened, and one slow endpoint held up the rest. Nothing was flagged, though
# DC511 said it read executor pool sizes.
_EXECUTOR_CALL = re.compile(r"\bExecutors\s*\.\s*(?P<factory>newFixedThreadPool|newScheduledThreadPool|newWorkStealingPool"
                            r"|newSingleThreadExecutor|newSingleThreadScheduledExecutor|newCachedThreadPool"
                            r"|newVirtualThreadPerTaskExecutor|newThreadPerTaskExecutor)\s*\(")
# The factories whose first argument is the pool's size; the others' is a thread factory, which
# names threads and changes no count.
_POOL_SIZED = frozenset({"newFixedThreadPool", "newScheduledThreadPool", "newWorkStealingPool"})
_POOL_SINGLE = frozenset({"newSingleThreadExecutor", "newSingleThreadScheduledExecutor"})
_POOL_UNBOUNDED = frozenset({"newCachedThreadPool", "newVirtualThreadPerTaskExecutor", "newThreadPerTaskExecutor"})


class _Executor(NamedTuple):
    line: int  # 1-based, where `Executors.` is
    last: int  # where the call closes
    factory: str
    size: str  # the size argument as written, spaces collapsed ("" for a factory without one)

    @property
    def key(self) -> tuple[str, str]:
        return self.factory, "".join(self.size.split())

    @property
    def shown(self) -> str:
        return f"`Executors.{self.factory}({short(self.size)})`"

    @property
    def width(self) -> float | None:
        """How many of its tasks run at once: None when the size is not a number."""
        if self.factory in _POOL_SINGLE:
            return 1
        if self.factory in _POOL_UNBOUNDED:
            return float("inf")
        return float(self.size) if self.size.isdigit() else None

    @property
    def runs(self) -> str:
        if self.width == 1:
            return "one task at a time, in the order they are submitted"
        if self.factory == "newCachedThreadPool":
            return "every task submitted at once (a new thread whenever none is idle)"
        if self.factory in _POOL_UNBOUNDED:
            return "every task submitted at once, each on its own thread"
        if self.factory == "newWorkStealingPool":
            return f"up to {f'`{short(self.size)}`' if self.size else 'one per processor'} tasks at once, in no set order"
        size = self.size if self.size.isdigit() else f"`{short(self.size)}`"
        return f"up to {size} tasks at once"


def _executors(view: FileView, side: str) -> list[_Executor]:
    """Each `Executors.newX(…)` call of one side of a Java or Kotlin file (comments and strings
    blanked, so a parenthesis in either does not count)."""
    lines = view.lines(side)
    if lines is None:
        return []
    text = "\n".join(lines)
    out = []
    for m in _EXECUTOR_CALL.finditer(text):
        depth, i = 1, m.end()
        args: list[str] = []
        current: list[str] = []
        while i < len(text) and depth:
            c = text[i]
            depth += (c in "([{") - (c in ")]}")
            if depth == 1 and c == ",":
                args.append("".join(current))
                current = []
            elif depth:
                current.append(c)
            i += 1
        args.append("".join(current))
        size = " ".join(args[0].split()) if m.group("factory") in _POOL_SIZED else ""
        first = text.count("\n", 0, m.start()) + 1
        out.append(_Executor(first, first + text.count("\n", m.start(), i), m.group("factory"), size))
    return out


def _pool_change(old: _Executor, new: _Executor) -> str:
    o, n = old.width, new.width
    if o == 1 and n != 1:
        return ("tasks that ran one after another now may run at the same time and finish in any order: code that "
                "relied on that order, or on no two of them running at once, breaks.")
    if n == 1 and o != 1:
        return ("tasks that ran at the same time now wait for each other: a slow one holds up every task behind it, "
                "and work queues up in the executor.")
    if o is not None and n is not None and n > o:
        return "more tasks now run at the same time, with more threads and more load on what they call."
    if o is not None and n is not None and n < o:
        return "fewer tasks run at the same time: work waits longer in the executor's queue."
    return "how many tasks run at the same time changes."


def _executor_findings(view: FileView, pr: PackRule) -> list[Finding]:
    """An executor's factory or size changed (paired with the one its hunk removed), or one added
    or removed: a call the other side of the file makes as often only moved."""
    from .engine import JVM_SOURCES, _moved_with_its_file

    if not view.deployed.endswith(JVM_SOURCES):
        return []
    added, removed = view.changed("head"), view.changed("base")
    head, base = _executors(view, "head"), _executors(view, "base")
    counts = {"head": Counter(e.key for e in head), "base": Counter(e.key for e in base)}

    def changed(e: _Executor, lines: dict[int, str]) -> bool:
        return any(n in lines for n in range(e.line, e.last + 1))

    def moved(e: _Executor, side: str, lines: dict[int, str]) -> bool:
        other = "base" if side == "head" else "head"
        return counts[side][e.key] <= counts[other][e.key] or _moved_with_its_file(view, lines.get(e.line, ""))

    def hunk(e: _Executor, index: dict[int, int]) -> int | None:
        return next((index[n] for n in range(e.line, e.last + 1) if n in index), None)

    head_hunk, base_hunk = _hunk_index(view)
    gone = [e for e in base if changed(e, removed)]
    out: list[Finding] = []
    for e in (e for e in head if changed(e, added)):
        was = next((b for b in gone if hunk(b, base_hunk) == hunk(e, head_hunk)), None)
        if was is not None:
            gone.remove(was)
            if was.key != e.key:
                out.append(pr.rule.finding(view.path, e.line, (
                    f"executor {was.shown} is now {e.shown} in {view.path}: it ran {was.runs}, and now runs {e.runs}; "
                    f"{_pool_change(was, e)}")))
        elif not moved(e, "head", added):
            out.append(pr.rule.finding(view.path, e.line, (
                f"new executor {e.shown} in {view.path}: the tasks handed to it run on its threads, {e.runs}, beside "
                "the code that submits them. Say what they share with that code and with each other.")))
    if view.ctx.file.status == DELETED:
        return out  # the code that handed it tasks went with the file
    for e in gone:
        if not moved(e, "base", removed):
            out.append(pr.rule.finding(view.path, e.line, (
                f"executor {e.shown} removed from {view.path}: the tasks it ran ({e.runs}) now run wherever this "
                "change hands them (the caller's thread, another pool). Say where, and whether they now run one "
                "after another or at the same time."), side="base"))
    return out


# Work handed to an executor named on the line: a getter of one (`.planWith(Pools.getMaintenanceExecutor())`),
# or an executor named as the last argument of an `…Async` call (`supplyAsync(task, ioPool)`).
# Not a connection pool's getter (`redis.getJedisPool()`): a pool of threads, workers or tasks.
_HANDED_EXECUTOR = re.compile(r"\.(?P<call>\w+)\((?:[^;]*?[(,]\s*)?(?P<pool>(?:\w+\.)*get\w*(?:Executor\w*|ThreadPool|WorkerPool|"
                              r"TaskPool|Scheduler)\(\s*\))"
                              r"|\.(?P<async>\w+Async)\([^;]*,\s*(?P<named>(?:this\.)?\w*(?:[eE]xecutor(?:Service)?|[pP]ool))\s*\)")
# An executor or scheduler built by the code, not `Executors`: Spring's pools and their builders,
# the JDK's pool classes, a pool's daemon flag (airsonic's task service stopped taking Spring's
# scheduler and built its own daemon one: a new user's trial, session 33).
_BUILT_EXECUTOR = re.compile(r"\b(?P<type>ThreadPoolTaskScheduler|ThreadPoolTaskExecutor|TaskSchedulerBuilder|TaskExecutorBuilder|"
                             r"ScheduledThreadPoolExecutor|ThreadPoolExecutor|ForkJoinPool|SimpleAsyncTaskExecutor|"
                             r"ConcurrentTaskScheduler)\b|\.(?P<set>setDaemon|setPoolSize|setWaitForTasksToCompleteOnShutdown)\(")


def _handed_executors(view: FileView, pr: PackRule) -> list[Finding]:
    """Once per file: an added line that hands work to an executor it names, where the lines the
    change removed named none so (amoro's snapshot-expiry planning moved from Iceberg's global pool
    to a new maintenance pool, apps-z de6205c0); and a line added or removed that builds an executor
    or scheduler itself, as written on no line of the other side."""
    from .engine import JVM_SOURCES, _jvm_import

    if not view.deployed.endswith(JVM_SOURCES):
        return []
    added, removed = view.changed("head"), view.changed("base")
    out = []
    gone = " ".join(removed.values()).replace("this.", "")
    for number, text in sorted(added.items()):
        m = _HANDED_EXECUTOR.search(text)
        pool = (m.group("pool") or m.group("named")) if m else None
        if m is not None and pool and pool.replace("this.", "") not in gone:
            out.append(pr.rule.finding(view.path, number, (
                f"`{m.group('call') or m.group('async')}` now runs its work on `{short(pool)}` in {view.path}: which "
                "threads run it, how many at once, and what else waits for the same pool changed. Say what the work "
                "shares with the code that hands it on and with the pool's other tasks.")))
            break
    for side, lines, other in (("head", added, removed), ("base", removed, added)):
        others = {" ".join(t.split()) for t in other.values()}
        for number, text in sorted(lines.items()):
            m = _BUILT_EXECUTOR.search(text)
            if m is None or _jvm_import(view, side, number, text) or " ".join(text.split()) in others:
                continue
            what = m.group("type") or m.group("set")
            out.append(pr.rule.finding(view.path, number, (
                f"an executor or scheduler is built {'differently' if side == 'head' else 'no longer so'} here "
                f"(`{what}`) in {view.path}: its pool size, daemon threads and shutdown decide how many of its tasks "
                "run at once and whether they finish when the application stops. Say what changed for the tasks it runs."),
                side=side))
            break
    return out


@check("jvm-listener-concurrency")
def jvm_listener_concurrency(view: FileView, pr: PackRule) -> list[Finding]:
    """DC511's setting patterns, an executor's pool made by `Executors`, and work handed to one."""
    from .engine import _run_pattern_rule

    return [*_run_pattern_rule(view, pr), *_executor_findings(view, pr), *_handed_executors(view, pr)]


@check("rails-uniqueness-without-index")
def rails_uniqueness_without_index(view: FileView, pr: PackRule) -> list[Finding]:
    """DC166: read in rails_schema.py (the model's table, the application's schema)."""
    from .rails_schema import unbacked_validations

    return [_finding(view, pr, line, **values) for line, values in unbacked_validations(view, _added(view))]


# --- a Ruby job's queue and arguments ---------------------------------------------------------

# The shared `job_file` pattern of the Ruby pack (packs/ruby.yaml): a Sidekiq worker, an ActiveJob job.
_RB_JOB_FILE = re.compile(r"(?m)^\s*include\s+Sidekiq::(?:Worker|Job)\b|<\s*(?:ApplicationJob|ActiveJob::Base)\b"
                          r"|^\s*sidekiq_options\b")
# A job that inherits its job API from the application's own base class (diaspora's
# `class DeferredRetraction < Base`, whose `Workers::Base` includes Sidekiq::Worker: a new user's
# trial, session 26): a subclass in a job folder that defines `perform`.
_RB_JOB_FOLDER = re.compile(r"(?:^|/)(?:jobs|workers|sidekiq)/")
# GitLab's workers include their API (`include ApplicationWorker`) and name no base class.
_RB_SUBCLASS_PERFORMS = re.compile(r"(?ms)^\s*class\s+[\w:]+\s*(?:<\s*[\w:]+|\n\s*include\s+[\w:]*Worker\b).*?^\s*def\s+perform\b")


def _ruby_job_file(path: str, text: str) -> bool:
    return _RB_JOB_FILE.search(text) is not None or (
        _RB_JOB_FOLDER.search(path) is not None and _RB_SUBCLASS_PERFORMS.search(text) is not None)
_RB_QUEUE = re.compile(r"^\s*(?:queue_as\s*\(?\s*:?[\"']?(?P<a>[\w-]+)|sidekiq_options\b.*?\bqueue:\s*:?[\"']?(?P<b>[\w-]+))")


def _queues_declared(view: FileView, side: str) -> list[tuple[int, str]]:
    return [(number, m.group("a") or m.group("b")) for number, line in sorted(view.changed(side).items())
            if (m := _RB_QUEUE.match(line)) is not None]


def _served_queues(view: FileView) -> tuple[str, set[str], str] | None:
    """The queues the repository's Sidekiq configurations at head list, every file and section
    (an environment's, a capsule's) and every `sidekiq -q` of a Procfile together (or, without
    any, resque-pool's), with the files and who reads them: None when none lists its queues (each
    worker command may name its own then) or one serves any (`*`)."""
    ctx = view.ctx
    memo = scan_memo(ctx)
    if "patterns.sidekiq-queues" not in memo:
        memo["patterns.sidekiq-queues"] = None
        if ctx.repo is not None:
            from ...git import gitcmd

            paths = gitcmd.grep_files(ctx.repo.root, ctx.repo.head_sha, [r"^\s*:?queues:"], ["*.yml", "*.yaml", *_TEMPLATES_OF_YAML],
                                      extended=True, what="Sidekiq's queues")
            names: set[str] = set()
            files: list[str] = []
            for path in paths:
                data = ctx.repo.read_blob(f"{ctx.repo.head_sha}:{path}")
                text = data.decode("utf-8", "replace") if data is not None else ""
                if not _sidekiq_file(deployed_path(path), (partial(str, text),)):
                    continue
                listed = {name for queues in _queue_lists(text.splitlines()).values() for name in queues}
                if listed:
                    names |= listed
                    files.append(path)
            for path in ("Procfile", *(f"Procfile.{suffix}" for suffix in ("dev", "production", "prod", "worker"))):
                data = ctx.repo.read_blob(f"{ctx.repo.head_sha}:{path}")
                for line in (data or b"").decode("utf-8", "replace").splitlines():
                    if re.search(r"\bsidekiq\b", line):
                        names.update(_SIDEKIQ_Q_FLAG.findall(line))
            if names and "*" not in names:
                memo["patterns.sidekiq-queues"] = (", ".join(files) or "the Procfile's `sidekiq -q`", names, "Sidekiq reads")
            elif not names:
                memo["patterns.sidekiq-queues"] = _resque_pool_queues(ctx)
    return memo["patterns.sidekiq-queues"]


# Templates of a YAML configuration (``paths.deployed_path``): `config/sidekiq.yml-example`.
_TEMPLATES_OF_YAML = template_globs(("yml", "yaml"))


def _unserved(view: FileView, name: str) -> str | None:
    """Where the repository lists the queues its workers read, when none of them is ``name``
    ("config/sidekiq.yml lists the queues Sidekiq reads (default, mailers)"); None when one is or
    nothing lists them."""
    served = _served_queues(view)
    if served is None or any(fnmatch.fnmatchcase(name, queue) for queue in served[1]):
        return None
    return f"{served[0]} lists the queues {served[2]} ({', '.join(sorted(served[1]))})"


# A queue a Sidekiq command line names (`sidekiq -q imports -q default,2`).
_SIDEKIQ_Q_FLAG = re.compile(r"(?<!\S)(?:-q|--queue)[ =]+([\w-]+)")


# resque-pool's configuration: each key is a comma-separated list of queues, its value how many
# workers read them, at the top level or under an environment's name (`production:`); `*` is every
# queue. once-campfire's pool serves `default` only (a new user's trial, session 27).
_RESQUE_POOL_FILES = ("config/resque-pool.yml", "resque-pool.yml", "config/resque-pool.yaml")
_RESQUE_POOL_KEY = re.compile(r"""^(?P<indent>[ \t]*)(?P<quote>["']?)(?P<key>[^"'#:]+?)(?P=quote)[ \t]*:[ \t]*(?P<value>[^#]*)""")


def _resque_pool_queues(ctx) -> tuple[str, set[str], str] | None:
    for path in _RESQUE_POOL_FILES:
        data = ctx.repo.read_blob(f"{ctx.repo.head_sha}:{path}")
        if data is None:
            continue
        names: set[str] = set()
        for line in data.decode("utf-8", "replace").splitlines():
            m = _RESQUE_POOL_KEY.match(line)
            if m is not None and m.group("value").strip():  # a key without a value names an environment
                names.update(q.strip() for q in m.group("key").split(",") if q.strip())
        # Resque matches a worker's queue list as globs (`push_*`), as `File.fnmatch` does.
        return (path, names, "resque-pool's workers read") if names and "*" not in names else None
    return None


# A Sidekiq handler's or lifecycle hook's block, where Sidekiq is configured: its body runs for
# every job that fails or dies, or when a worker process starts or stops (octobox's death handler
# releases a dead job's unique lock: the red team of session 29 changed its body, not its line).
_SIDEKIQ_HANDLER_START = re.compile(r"^(?P<indent>[ \t]*)\S.*(?:\.(?:death|error)_handlers\s*<<|\bconfig\.on[(\s]\s*:\w+)"
                                    r".*(?:\bdo\b(?:\s*\|[^|]*\|)?|\{(?:\s*\|[^|]*\|)?)\s*$")
# The Ruby pack's shared `sidekiq_config` (packs/ruby.yaml), which the check's own reading needs too.
_SIDEKIQ_CONFIG = re.compile(r"\bSidekiq\.configure_(?:server|client)\b|\b(?:server|client)_middleware\b")


@check("ruby-job-callbacks")
def ruby_job_callbacks(view: FileView, pr: PackRule) -> list[Finding]:
    """DC167's patterns, and a changed line inside a Sidekiq handler's or lifecycle hook's block."""
    from .engine import _run_pattern_rule

    out = list(_run_pattern_rule(view, pr))
    # Sidekiq is configured in a file named for it (config/initializers/sidekiq.rb): no other
    # file's text is read for this.
    if "sidekiq" not in view.path.lower():
        return out
    lines = view.lines("head")
    if not lines or not _SIDEKIQ_CONFIG.search(view.ctx.head_text() or ""):
        return out
    said = {f.line for f in out if f.side == "head"}
    changed = view.changed("head")
    for i, line in enumerate(lines):
        m = _SIDEKIQ_HANDLER_START.match(line)
        if m is None or i + 1 in said:
            continue  # a handler added or changed on its first line: said there
        indent = m.group("indent")
        end = next((j for j in range(i + 1, len(lines)) if re.match(rf"^{re.escape(indent)}(?:end|\}})\b", lines[j])), None)
        inside = [n for n in range(i + 2, (end or i + 1) + 1) if n in changed and n not in said]
        if inside:
            said.update(inside)
            out.append(pr.rule.finding(view.path, inside[0], (
                f"a Sidekiq handler's body changed in {view.path} (`{line.strip()}`): it runs in every worker process, "
                "for each job that fails or dies, or when the process starts or stops."), inside[-1]))
    return out


# Rails settings that decide which queue backend and which queues the framework's own jobs use:
# `config.active_job.queue_adapter`, a queue name prefix, the queue of `deliver_later` mails,
# Active Storage's analysis and purge jobs, Action Mailbox's routing and incineration, Active
# Record's destroy-async jobs; and how Active Job retries (`retry_jitter`). upcase's
# `deliver_later_queue_name = nil` moved every mail job off the `mailers` queue its workers serve
# (a new user's trial, session 34), and was "Nothing flagged".
_RAILS_QUEUE_SETTING = re.compile(
    r"^\s*(?:Rails\.application\.)?(?P<key>config\.(?:active_job\.(?:\w*queue\w*|retry_jitter)"
    r"|action_mailer\.deliver_later_queue_name|active_storage\.queues?(?:\.\w+)?|action_mailbox\.queues?(?:\.\w+)?"
    r"|active_record\.queues(?:\.\w+)?)|(?:ActiveJob::Base|ActionMailer::Base|self)\.queue_adapter)\s*=(?!=)\s*(?P<value>.*?)\s*$")


def _changed_settings(view: FileView, pattern: re.Pattern[str]) -> tuple[list[tuple[str, int, str, str | None]],
                                                                       list[tuple[str, int, str]]]:
    """(set, removed) for the settings ``pattern`` names (its `key` group, its `value` group) on the
    changed lines: (key, head line, value, old value or None) of each set or changed, once per key,
    and (key, base line, old value) of each removed. A setting moved or re-indented with the same
    value is neither."""
    def settings(side: str) -> dict[str, tuple[int, str]]:
        code = view.lines(side, strings=True)
        out: dict[str, tuple[int, str]] = {}
        for number in sorted(view.changed(side)):
            m = pattern.match(code[number - 1]) if code is not None and 0 < number <= len(code) else None
            if m is not None:
                out.setdefault(m.group("key"), (number, m.group("value") or ""))
        return out

    after, before = settings("head"), settings("base")
    changed = [(key, line, value, old[1] if (old := before.get(key)) else None) for key, (line, value) in after.items()
               if before.get(key, (0, None))[1] != value]
    removed = [(key, line, value) for key, (line, value) in before.items() if key not in after]
    return changed, removed


# Sidekiq's process-wide settings, written in a file that configures it: what every job of the
# process is held to. signon deleted its initializer's `Sidekiq.strict_args!`, and "Nothing flagged"
# (a new user's trial, session 41). Its concurrency and retries are DC718's.
_SIDEKIQ_SETTING = re.compile(
    r"^\s*(?P<key>Sidekiq\.(?:strict_args!|default_job_options|default_worker_options|default_configuration\[[^\]]+\])"
    r"|config\.(?:queues|average_scheduled_poll_interval|poll_interval_average|dead_max_jobs"
    r"|dead_timeout_in_seconds|timeout)|config\[:\w+\])\s*(?:=(?!=)|\(|$)\s*(?P<value>.*?)\s*$")


@check("sidekiq-process-setting")
def sidekiq_process_setting(view: FileView, pr: PackRule) -> list[Finding]:
    """A Sidekiq process-wide setting (``_SIDEKIQ_SETTING``) set, changed or removed in a file that
    configures Sidekiq (its base's text, for a file deleted): once per setting."""
    texts = (view.ctx.head_text() or "") + (view.ctx.base_text() or "")
    if not (_SIDEKIQ_CONFIG.search(texts) or "Sidekiq." in texts):
        return []
    changed, removed = _changed_settings(view, _SIDEKIQ_SETTING)
    out = [pr.rule.finding(view.path, line, (
        f"Sidekiq's `{short(key)}` set to {short(value) or 'on'}{f' (was {short(old)})' if old is not None else ''} in "
        f"{view.path}: every job of every worker process that loads it runs under it (how many at once, which queues, "
        "how arguments and retries are handled).")) for key, line, value, old in changed]
    out += [pr.rule.finding(view.path, line, (
        f"Sidekiq's `{short(key)}`{' = ' + short(value) if value else ''} removed from {view.path}: Sidekiq's "
        "default applies again to every job of every worker process that loaded it."), side="base")
        for key, line, value in removed]
    return out


@check("rails-queue-setting")
def rails_queue_setting(view: FileView, pr: PackRule) -> list[Finding]:
    """A Rails queue or retry setting (``_RAILS_QUEUE_SETTING``) set, changed or removed: once per
    setting, at its head line (its base line when removed)."""
    changed, removed = _changed_settings(view, _RAILS_QUEUE_SETTING)
    out = [pr.rule.finding(view.path, line, (
        f"`{short(key)} = {short(value)}`{f' (was {short(old)})' if old is not None else ''} in {view.path}: "
        f"{_rails_queue_effect(key, value, old)}")) for key, line, value, old in changed]
    # Rails' own default adapter written out and then dropped changes nothing (sul_pub's Rails 7.2
    # upgrade removed `queue_adapter = :async`, apps-aa).
    out += [pr.rule.finding(view.path, line, (
        f"`{short(key)} = {short(value)}` removed from {view.path}: the framework's default applies again, "
        f"and {_rails_queue_effect(key, 'async', value)}"), side="base")
        for key, line, value in removed if not (key.endswith("queue_adapter") and value.strip("'\":") == "async")]
    return out


# Adapters that run jobs inside the process that enqueues them: no worker of their own, nothing
# kept across a restart (errbit's move from sucker_punch to `:async`, a new user's trial, session 35).
_IN_PROCESS_ADAPTERS = {"async": "in the process's own thread pool", "inline": "at once, in the thread that enqueues them",
                        "sucker_punch": "in the process's own thread pool", "test": "nowhere (the test adapter)"}


def _rails_queue_effect(key: str, value: str = "", old: str | None = None) -> str:
    if key.endswith("retry_jitter"):
        return ("how far apart Active Job spreads the retries of failed jobs changes: with less spread, the retries "
                "of jobs that failed together run together again.")
    if key.endswith("queue_adapter"):
        new, was = value.strip("'\": "), (old or "async").strip("'\": ")
        first = "" if old is not None else "set for the first time (Rails' default is `:async`): "
        lost = " Jobs the old one held in memory are lost when the process restarts." if was in _IN_PROCESS_ADAPTERS else \
            " Jobs already queued in the old one are no longer run by it once its workers stop."
        if new in _IN_PROCESS_ADAPTERS:
            return (f"{first}jobs now run {_IN_PROCESS_ADAPTERS[new]}, beside the requests, with no worker of their own: "
                    f"nothing queued survives a restart (each deploy), and they share the process's threads and "
                    f"database connections.{lost}")
        return f"{first}jobs are handed to another queue backend, which needs its own workers.{lost}"
    return ("the jobs it names are queued elsewhere: jobs already on the old queue wait for a worker that still "
            "serves it, and a queue no worker serves takes jobs that never run.")


@check("ruby-job-queue")
def ruby_job_queue(view: FileView, pr: PackRule) -> list[Finding]:
    """A job's queue (`queue_as`, `sidekiq_options queue:`) changed, set or removed: high when the
    repository's Sidekiq configuration lists its queues and the new one is not among them."""
    text = view.ctx.head_text() or view.ctx.base_text() or ""
    if view.ctx.file.status == DELETED or not _ruby_job_file(view.path, text):
        return []  # a deleted job's queue is DC701's
    added, removed = _queues_declared(view, "head"), _queues_declared(view, "base")
    if view.ctx.file.status == ADDED:
        # A new job's queue is where its jobs start: said only when no worker serves it
        # (octobox's CommentWorker on a `comments` queue its sidekiq.yml did not list: the
        # comments were accepted and never posted; a new user's trial, session 29).
        return [pr.rule.finding(view.path, number, (
            f"the new job's queue `{name}` is served by no worker: {unserved}, so its jobs would be accepted and never "
            "run."), severity="high")
            for number, name in added if (unserved := _unserved(view, name))]
    # Each added queue is compared with the one its hunk removed (one file may hold several jobs).
    head_hunk, base_hunk = _hunk_index(view)
    out: list[Finding] = []
    for number, name in added:
        old = {was for line, was in removed if base_hunk.get(line) == head_hunk.get(number)}
        if name in old or (not old and name == "default"):
            continue  # the same queue, moved or reformatted, or the default named
        was = f"from `{', '.join(sorted(old))}` " if old else "from the default queue "
        message = (f"the job's queue changed {was}to `{name}` in {view.path}: jobs already queued stay where they "
                   "were until a worker serves that queue, and a revert strands the ones queued on the new name.")
        if unserved := _unserved(view, name):
            message += f" No worker serves `{name}`: {unserved}, so these jobs would never run."
            out.append(pr.rule.finding(view.path, number, message, severity="high"))
        else:
            out.append(pr.rule.finding(view.path, number, message))
    replaced = {head_hunk.get(number) for number, _ in added}
    base_lines = view.lines("base") or []
    for number, name in removed:
        if base_hunk.get(number) in replaced:
            continue
        parent = _rb_superclass(base_lines, number)
        if parent in ("ApplicationJob", "ActiveJob::Base") and _rb_default_queue_named(view):
            parent = "ApplicationJob, or the default the application configures,"  # (the red team of session 36)
        if name == "default" and parent in _RB_QUEUELESS_BASES:
            continue  # the default queue named, then left unnamed: the same queue (argo's bulk jobs)
        goes = "the default queue" if parent in _RB_QUEUELESS_BASES else \
            f"the queue its superclass `{parent}` names, or the default queue"
        out.append(pr.rule.finding(view.path, number, f"the job's queue `{name}` was removed in {view.path}: its "
                                   f"jobs go to {goes}, and those already queued stay on the old one "
                                   "until a worker serves it.", side="base"))
    return out


# Superclasses that name no queue of the application's: a job of theirs left without `queue_as`
# runs on the default queue. None: no superclass (a Sidekiq worker including its module).
_RB_QUEUELESS_BASES = frozenset({None, "ApplicationJob", "ActiveJob::Base", "Object"})


def _rb_default_queue_named(view: FileView) -> bool:
    """Whether the application's ApplicationJob names a queue (`queue_as :low`) or its
    configuration sets Active Job's default queue name: then a job left without `queue_as`
    runs there, not on `default`."""
    repo = view.ctx.repo
    if repo is None:
        return True  # cannot tell: say it may be another queue
    for path, word in (("app/jobs/application_job.rb", b"queue_as"), ("config/application.rb", b"default_queue_name")):
        data = repo.read_blob(f"{repo.head_sha}:{path}")
        if data and word in data:
            return True
    return False


def _rb_superclass(lines: list[str], number: int) -> str | None:
    """The superclass named by the class around line ``number``, None for none."""
    m = _rb_enclosing(lines, number)
    return m.group(3) if m else None


_RB_PERFORM = re.compile(r"^\s*def\s+perform\b\s*(?P<params>\(.*)?$")


def _perform_params(lines: list[str], number: int) -> str | None:
    """The parameter list of the `def perform` on line ``number`` (1-based), over up to 8 lines,
    with its spacing flattened: "()" for none; None when it does not close."""
    m = _RB_PERFORM.match(lines[number - 1])
    if m is None:
        return None
    if not m.group("params"):
        return "()"
    text = " ".join(line.strip() for line in lines[number - 1: number + 7])
    start = text.index("(", text.index("perform"))
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return re.sub(r"\s+", " ", text[start: i + 1].replace("( ", "(").replace(" )", ")"))
    return None


@check("ruby-job-arguments")
def ruby_job_arguments(view: FileView, pr: PackRule) -> list[Finding]:
    """A job's `perform` takes other arguments than before (the same file's `def perform` on both
    sides, its parameters differing)."""
    head, base = view.lines("head"), view.lines("base")
    if head is None or base is None or not _ruby_job_file(view.path, view.ctx.head_text() or ""):
        return []
    new = [(n, _perform_params(head, n)) for n in sorted(view.changed("head")) if _RB_PERFORM.match(head[n - 1])]
    old = [(n, _perform_params(base, n)) for n in range(1, len(base) + 1) if _RB_PERFORM.match(base[n - 1])]
    out: list[Finding] = []
    if len(old) == 1 and old[0][1] is not None:
        # delayed_job's Struct job takes its arguments as the Struct's members (upcase's jobs made
        # ActiveJob ones read "(was ())", a new user's trial, session 34).
        members = _STRUCT_MEMBERS.search("\n".join(base)) if old[0][1] == "()" else None
        shown = f"() and the Struct's members ({members.group(1).strip()})" if members else old[0][1]
        owner = _rb_enclosing_class(base, old[0][0])
        for number, params in new:
            # Only the same class's `perform`: argo's jobs moved their work into a nested item
            # class whose own `perform()` was read as the job's (a new user's trial, session 36).
            if params is not None and params != old[0][1] and _rb_last(_rb_enclosing_class(head, number)) == _rb_last(owner):
                out.append(_finding(view, pr, number, old=shown, new=params))
    return out


def _rb_last(name: str | None) -> str | None:
    """A class's name without its namespace: `class Imports::SyncJob` inside nothing is the
    `class SyncJob` inside `module Imports` (the red team of session 36)."""
    return name.rpartition("::")[2] if name else name


_RB_CLASS_LINE = re.compile(r"^(\s*)class\s+(?!<<)([\w:]+)\s*(?:<\s*([\w:]+))?")


def _rb_enclosing(lines: list[str], number: int) -> re.Match[str] | None:
    """The `class` line whose body holds line ``number`` (the nearest one above it, indented
    less), matched: its name and superclass; None at the top level."""
    depth = len(lines[number - 1]) - len(lines[number - 1].lstrip())
    for line in reversed(lines[: number - 1]):
        m = _RB_CLASS_LINE.match(line)
        if m and len(m.group(1)) < depth:
            return m
    return None


def _rb_enclosing_class(lines: list[str], number: int) -> str | None:
    """The name of the class whose body holds line ``number``; None at the top level."""
    m = _rb_enclosing(lines, number)
    return m.group(2) if m else None


_STRUCT_MEMBERS = re.compile(r"^\s*class\s+[\w:]+\s*<\s*Struct\.new\(([^)]*)\)", re.MULTILINE)


# --- a job library upgraded -----------------------------------------------------------------------

# The job runners whose own code decides how jobs are fetched, retried, locked and run at once.
_JOB_LIBRARIES = {
    "Gemfile.lock": ("sidekiq", "sidekiq-pro", "sidekiq-ent", "sidekiq-cron", "sidekiq-scheduler", "sidekiq-unique-jobs",
                     "good_job", "solid_queue", "resque", "resque-scheduler", "delayed_job", "que", "sneakers",
                     "shoryuken"),
    "package.json": ("bullmq", "bull", "bee-queue", "agenda", "@hokify/agenda", "pg-boss", "graphile-worker", "kafkajs",
                     "amqplib", "@nestjs/bull", "@nestjs/bullmq", "@temporalio/worker"),
    "go.mod": ("github.com/hibiken/asynq", "github.com/riverqueue/river", "github.com/RichardKnop/machinery",
               "github.com/RichardKnop/machinery/v2", "github.com/gocraft/work", "github.com/robfig/cron/v3",
               "github.com/go-co-op/gocron", "github.com/go-co-op/gocron/v2", "go.temporal.io/sdk"),
}
_VERSION_LINES = {
    # Bundler's resolved specs: four spaces, the gem, its version.
    "Gemfile.lock": r"^    (?P<lib>{names}) \((?P<version>\d+(?:\.\d+)*)[^)]*\)\s*$",
    "package.json": r"^\s*\"(?P<lib>{names})\"\s*:\s*\"[~^>=<v\s]*(?P<version>\d+(?:\.\d+)*)",
    "go.mod": r"^\s*(?:require\s+)?(?P<lib>{names})\s+v(?P<version>\d+(?:\.\d+)*)",
}


# Bundler's sections: only `GEM` holds the gems a project depends on; `PATH` and `GIT` hold its own
# gem (a job library's repository lists itself there) and gems taken from source.
_LOCK_SECTION = re.compile(r"^([A-Z][A-Z ]*)$", re.MULTILINE)


def _library_versions(text: str | None, kind: str, own: str | None = None) -> dict[str, tuple[int, str]]:
    """The job libraries of a manifest's text and their versions, with the line (1-based); not
    ``own``, the repository's own package."""
    if not text:
        return {}
    names = "|".join(re.escape(name) for name in sorted(_JOB_LIBRARIES[kind], key=len, reverse=True))
    pattern = re.compile(_VERSION_LINES[kind].format(names=names), re.MULTILINE)
    sections = [(m.start(), m.group(1)) for m in _LOCK_SECTION.finditer(text)] if kind == "Gemfile.lock" else []
    out: dict[str, tuple[int, str]] = {}
    for m in pattern.finditer(text):
        section = next((name for start, name in reversed(sections) if start < m.start()), "GEM")
        if m.group("lib") != own and section == "GEM":
            out.setdefault(m.group("lib"), (text.count("\n", 0, m.start()) + 1, m.group("version")))
    return out


def _own_package(view: FileView) -> str | None:
    """The name of the package the repository's root `package.json` publishes (pg-boss's monorepo
    depends on `pg-boss` itself: its release is no upgrade of a library it runs on)."""
    ctx = view.ctx
    if ctx.repo is None:
        return None
    memo = scan_memo(ctx)
    if "patterns.own-package" not in memo:
        data = ctx.repo.read_blob(f"{ctx.repo.head_sha}:package.json")
        m = re.search(rb'^\s*"name"\s*:\s*"([^"]+)"', data or b"", re.MULTILINE)
        memo["patterns.own-package"] = m.group(1).decode("utf-8", "replace") if m else None
    return memo["patterns.own-package"]


@check("job-library-version")
def job_library_version(view: FileView, pr: PackRule) -> list[Finding]:
    """A job library's major or minor version changed in Gemfile.lock, package.json or go.mod (a
    patch release is not read)."""
    kind = posixpath.basename(view.deployed)
    if kind not in _JOB_LIBRARIES:
        return []
    sides = {side: view.lines(side) for side in ("base", "head")}  # comments blanked
    own = _own_package(view) if kind == "package.json" else None
    old, new = ({} if lines is None else _library_versions("\n".join(lines), kind, own) for lines in sides.values())
    out: list[Finding] = []
    gone = sorted((lib for lib in old if lib not in new), key=lambda lib: old[lib][0])
    came = [lib for lib in new if lib not in old]
    for lib, (line, version) in sorted(new.items(), key=lambda item: item[1][0]):
        if line not in view.changed("head"):
            continue
        if lib not in old:
            # Added to a manifest that was there: a job runner the application did not run, or in
            # place of another (wildduck's `bull` for `bullmq`, a new user's trial, session 39).
            if sides["base"] is not None:
                instead = f" in place of {', '.join(gone)}" if gone else ""
                out.append(pr.rule.finding(view.path, line, (
                    f"{lib} {version} added to {view.path}{instead}: a job runner the application did not run before; "
                    "how jobs are fetched, retried, locked and run at once is its code now, and jobs queued by the old "
                    "one are not read by it.")))
            continue
        before = old[lib][1]
        if before.split(".")[:2] != version.split(".")[:2]:
            out.append(_finding(view, pr, line, lib=lib, old=before, new=version))
    if sides["head"] is not None and not came:
        for lib in gone:
            line, version = old[lib]
            if line in view.changed("base"):
                out.append(pr.rule.finding(view.path, line, (
                    f"{lib} {version} removed from {view.path}: the jobs it ran, and any still queued for it, "
                    "run no more unless another runner takes them."), side="base"))
    return out


# --- Sidekiq's configuration file, whatever its name --------------------------------------------

# Sidekiq's YAML keys are Ruby symbols at the top level (`:concurrency: 5`, `:queues:`), a style no
# other tool's YAML uses; Sidekiq 7 reads plain keys too, beside a top-level `queues:` list. A file
# so written is Sidekiq's configuration whatever it is called (`config/worker.yml` passed with
# `-C`), not only `sidekiq.yml`.
_SIDEKIQ_NAMED = re.compile(r"sidekiq[^/]*\.ya?ml$", re.IGNORECASE)
_SIDEKIQ_KEYS = re.compile(r"(?m)^[ \t]*:(?:concurrency|queues|max_retries|timeout|scheduler|schedule):"  # any section's
                           r"|^queues:[ \t]*\["  # a flow list
                           r"|^queues:[ \t]*(?:#.*)?\n(?:[ \t]*(?:#.*)?\n)*[ \t]*-[ \t]")  # a block list, indented or not
# Another Ruby job runner's configuration, written alike (Shoryuken's `concurrency:` and `queues:`).
_NOT_SIDEKIQ = re.compile(r"shoryuken|sneakers|good_job|solid_queue|delayed_job", re.IGNORECASE)


def _sidekiq_file(path: str, texts: Iterable[Callable[[], str | None]]) -> bool:
    """Whether ``path`` is Sidekiq's configuration: named for it, or written in its keys on one of
    the sides ``texts`` reads (and not named for another runner)."""
    if _SIDEKIQ_NAMED.search(path):
        return True
    return not _NOT_SIDEKIQ.search(path) and any(
        (text := read()) is not None and _SIDEKIQ_KEYS.search(text) is not None for read in texts)


@check("sidekiq-config")
def sidekiq_config(view: FileView, pr: PackRule) -> list[Finding]:
    """DC506's setting pattern, in a file that is Sidekiq's configuration by its name or keys."""
    from .engine import _run_setting_rule

    if not _sidekiq_file(view.deployed, (view.ctx.head_text, view.ctx.base_text)):
        return []
    return list(_run_setting_rule(view, pr))


# Sidekiq's queue lists: `- name` or `- [name, weight]` items below a `:queues:` (or `queues:`) key,
# at the top level, under an environment (`production:`) or a Sidekiq 7 capsule (`:capsules:
# :serial:`). Weights are how often a process looks at a queue first; without any, it reads them
# in strict order; a queue not listed is never read by the processes the file configures
# (octobox's `sync_notifications` weighted 1 → 2 so that the jobs it enqueues ran first: a new
# user's trial, session 29; environments, capsules and strict order: its red team).
_YAML_KEY = re.compile(r"^(?P<indent>[ \t]*):?(?P<key>[\w-]+):(?P<rest>.*)$")
_WEIGHTED_ITEM = re.compile(r"""^[ \t]*-[ \t]*(?:\[[ \t]*)?:?["']?(?P<name>[\w-]+|\*)["']?(?:[ \t]*,[ \t]*(?P<weight>\d+))?""")


class _Queue(NamedTuple):
    line: int  # 1-based
    weight: int | None  # None: not written
    position: int


def _queue_lists(lines: list[str] | None) -> dict[str, dict[str, _Queue]]:
    """Each queue list of a Sidekiq configuration by its section ("" for the top level,
    "production", "capsules/serial"): its queues by name."""
    out: dict[str, dict[str, _Queue]] = {}
    stack: list[tuple[int, str]] = []  # the keys whose blocks hold the current line
    rows = lines or []
    i = 0
    while i < len(rows):
        m = _YAML_KEY.match(rows[i])
        if m is None or rows[i].lstrip().startswith("-"):
            i += 1
            continue
        indent = len(m.group("indent").expandtabs())
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if m.group("key") != "queues" or m.group("rest").strip():
            if not m.group("rest").strip():
                stack.append((indent, m.group("key")))
            i += 1
            continue
        queues = out.setdefault("/".join(key for _, key in stack), {})
        i += 1
        while i < len(rows):
            if not rows[i].strip():
                i += 1
                continue
            item = _WEIGHTED_ITEM.match(rows[i])
            if item is None:
                break
            weight = int(item.group("weight")) if item.group("weight") else None
            queues.setdefault(item.group("name"), _Queue(i + 1, weight, len(queues)))
            i += 1
    return out


def _in_section(section: str) -> str:
    return f" ({section.replace('/', ' ')})" if section else ""


@check("sidekiq-queues")
def sidekiq_queues(view: FileView, pr: PackRule) -> list[Finding]:
    """DC524: a queue added to, removed from, weighted otherwise or, in strict order, moved in one
    of Sidekiq's queue lists."""
    if not _sidekiq_file(view.deployed, (view.ctx.head_text, view.ctx.base_text)):
        return []
    heads, bases = _queue_lists(view.lines("head")), _queue_lists(view.lines("base"))
    changed, removed_lines = view.changed("head"), view.changed("base")
    out: list[Finding] = []
    for section in sorted(set(heads) | set(bases)):
        head, base = heads.get(section, {}), bases.get(section, {})
        where = f"{view.path}{_in_section(section)}"
        for name, q in head.items():
            if q.line not in changed:
                continue
            if name not in base:
                out.append(pr.rule.finding(view.path, q.line, (
                    f"Sidekiq queue `{name}` added to {where}: the processes this configuration runs now take its "
                    "jobs, beside and before the others by its weight or place.")))
            elif (base[name].weight or 1) != (q.weight or 1):
                out.append(pr.rule.finding(view.path, q.line, (
                    f"Sidekiq queue `{name}` weighted {base[name].weight or 1} → {q.weight or 1} in {where}: the "
                    "order in which each process takes jobs from its queues changes, so jobs that ran before others "
                    "may now run after them, and the other queues' jobs wait longer.")))
        # Without weights Sidekiq reads its queues in strict order: one moved ahead of another
        # makes the other's jobs wait while it has any.
        if all(q.weight is None for q in (*head.values(), *base.values())):
            common = [name for name in head if name in base]
            before = sorted(common, key=lambda name: base[name].position)
            after = sorted(common, key=lambda name: head[name].position)
            if before != after:
                moved = next(a for a, b in zip(after, before) if a != b)
                if head[moved].line in changed or any(head[n].line in changed for n in common):
                    out.append(pr.rule.finding(view.path, head[moved].line, (
                        f"Sidekiq's queues reordered in {where}: without weights each process reads them in strict "
                        f"order, so `{moved}` now comes before {', '.join(f'`{n}`' for n in before[:before.index(moved)])}"
                        ", whose jobs wait while it has any.")))
        for name, q in base.items():
            if name not in head and q.line in removed_lines:
                out.append(pr.rule.finding(view.path, q.line, (
                    f"Sidekiq queue `{name}` removed from {where}: the processes this configuration runs no longer "
                    "take its jobs, which wait, accepted and never run, unless another process reads that queue."),
                    side="base"))
    return out


# --- worker commands (Procfile, shell, Dockerfile, YAML) --------------------------------------

_TOOLS = (
    ("celery", re.compile(r"\bcelery\b")),
    ("gunicorn", re.compile(r"\bgunicorn\b")),
    ("rq", re.compile(r"\brq\s+worker(?:-pool)?\b|\brqworker\b")),
    ("dramatiq", re.compile(r"\bdramatiq\b")),
    ("huey", re.compile(r"\bhuey_consumer(?:\.py)?\b|\brun_huey\b")),
    ("sidekiq", re.compile(r"\bsidekiq\b(?![-_.]?(?:ya?ml|cron)\b)(?!/)")),
)
_FLAGS = {
    "celery": {"-c": "worker concurrency", "--concurrency": "worker concurrency", "-P": "pool", "--pool": "pool",
               "--autoscale": "autoscale", "--prefetch-multiplier": "prefetch multiplier"},
    "gunicorn": {"-w": "workers", "--workers": "workers", "--threads": "threads", "-k": "worker class", "--worker-class": "worker class"},
    "rq": {"-n": "workers", "--num-workers": "workers"},
    "dramatiq": {"-p": "processes", "--processes": "processes", "-t": "threads", "--threads": "threads"},
    "huey": {"-w": "workers", "--workers": "workers", "-k": "worker type", "--worker-type": "worker type"},
    "sidekiq": {"-c": "concurrency", "--concurrency": "concurrency"},
}
_MODEL_SETTINGS = {"pool", "worker class", "worker type"}
# Flags that change what a worker reports, not which jobs it runs or how many at once: adding
# them to a worker command is not a worker change. Value: whether the flag takes a separate value.
_OBSERVABILITY_FLAGS = {
    "celery": {"-E": False, "--task-events": False, "--events": False, "-l": True, "--loglevel": True,
               "--log-level": True, "-f": True, "--logfile": True, "--pidfile": True},
    "rq": {"--verbose": False, "-v": False, "--quiet": False, "-q": False, "--logging_level": True, "--log-format": True},
    "dramatiq": {"-v": False, "--verbose": False, "--log-file": True, "--pid-file": True},
    "huey": {"-v": False, "--verbose": False, "-l": True, "--logfile": True, "-q": False, "--quiet": False},
}
_TOKEN = re.compile(r"[^\s\"'\[\],]+")
_VALUE = re.compile(r"^(?:\$\{?\w+\}?|[\w.:]+(?:,[\w.:]+)*)$")  # 8, gevent, 10,3, $CONCURRENCY
_PROCFILE_LINE = re.compile(r"^(?P<name>[A-Za-z0-9_-]+)\s*:\s*(?P<cmd>\S.*)$")


def _is_procfile(path: str) -> bool:
    base = posixpath.basename(path).lower()
    return base == "procfile" or base.startswith("procfile.") or base.endswith(".procfile")


@dataclass(frozen=True)
class _Setting:
    line: int
    process: str  # Procfile process name, or "" elsewhere
    tool: str
    setting: str
    value: str
    start: int = 0  # the line the worker command (its tool's name) is on


# Text that only prints: `echo "…"`/`printf '…'` up to the end of that command (`;`, `&`, `|`).
_PRINTED = re.compile(r"""\b(?:echo|printf)\b(?:[^;&|'"]|"[^"]*"|'[^']*')*""")


def _unprinted(line: str) -> str:
    """``line`` with what echo/printf print blanked: a message that mentions a flag is no command."""
    return _PRINTED.sub(lambda m: " " * len(m.group(0)), line) if ("echo" in line or "printf" in line) else line


def _continuation_style(path: str) -> str:
    """How a worker command goes on over the next lines of this kind of file: "yaml" (list items,
    `args:`, an open flow list), "ini" (indented lines) or "shell" (a trailing backslash only)."""
    suffix = posixpath.splitext(path)[1].lower()
    if suffix in (".yml", ".yaml", ".toml"):
        return "yaml"
    if suffix in (".ini", ".conf", ".cfg", ".service"):
        return "ini"
    return "shell"


_YAML_GOES_ON = re.compile(r"^\s*(?:-\s|-$|args\s*[:=])")


def _continues(previous: str, line: str, style: str) -> bool:
    """Whether ``line`` still belongs to the command on ``previous`` (the line before it)."""
    before = previous.rstrip()
    if before.endswith("\\"):
        return True
    if style == "yaml":
        return before.endswith((",", "[")) or bool(_YAML_GOES_ON.match(line))
    return style == "ini" and line[:1] in (" ", "\t") and bool(line.strip())


def _tool_match(line: str) -> tuple[str, int] | None:
    """(the worker tool ``line`` names, where its name ends), or None."""
    for name, regex in _TOOLS:
        m = regex.search(line)
        if m:
            return name, m.end()
    return None


def _tool_of(line: str) -> str | None:
    found = _tool_match(line)
    return found[0] if found else None


def _tokens(text: str) -> list[str]:
    """The words of a command line; a trailing backslash only continues the line."""
    return [t for t in _TOKEN.findall(text) if t != "\\"]


def _command_settings(lines: list[str] | dict[int, str], procfile: bool, style: str = "shell") -> list[_Setting]:
    """Every concurrency setting on worker command lines, with the line its value is on. A flag
    counts only on a line naming the worker's tool or on a continuation of that line (``style``,
    see _continuation_style), and never inside what echo/printf print."""
    items = sorted(lines.items()) if isinstance(lines, dict) else list(enumerate(lines, start=1))
    out: list[_Setting] = []
    tool: str | None = None
    start = 0
    previous: tuple[int, str] = (0, "")
    dangling: tuple[str, str, str] | None = None  # (tool, setting, process) waiting for a value
    for number, line in items:
        line = _unprinted(line)
        process = ""
        continued = False
        if procfile:
            m = _PROCFILE_LINE.match(line)
            process = m.group("name") if m else ""
            tool = None
        elif previous[0] != number - 1 or not _continues(previous[1], line, style):
            tool = None
        else:
            continued = True
        previous = (number, line)
        tokens = _tokens(line)
        if procfile and process and tokens:
            tokens = tokens[1:]
        if dangling and tokens:
            # The value of a flag that ended the previous line: `--concurrency \` then `8`, or
            # YAML list items `- --concurrency` then `- "8"`.
            first = tokens[1] if tokens[0] == "-" and len(tokens) > 1 else tokens[0]
            if continued and not first.startswith("-"):
                out.append(_Setting(number, dangling[2], dangling[0], dangling[1], first, start))
            dangling = None
        named = _tool_match(line)
        if named:
            tool, start = named[0], number
            # Flags before the tool's name belong to another program (`sh -c "celery … -c 4"`).
            tokens = _tokens(line[named[1]:])
        if tool is None:
            continue
        flags = _FLAGS[tool]
        tokens = [t for t in tokens if t != "-"]
        for i, token in enumerate(tokens):
            flag, value = token, None
            if token.startswith("--") and "=" in token:
                flag, value = token.split("=", 1)
            elif token[:2] in flags and len(token) > 2 and not token.startswith("--") and token[2:].isdigit():
                flag, value = token[:2], token[2:]
            if flag not in flags:
                continue
            if value is None:
                if i + 1 < len(tokens):
                    value = tokens[i + 1]
                else:
                    dangling = (tool, flags[flag], process)
                    continue
            if _VALUE.match(value):
                out.append(_Setting(number, process, tool, flags[flag], value, start))
    return out


def _hunk_index(view: FileView) -> tuple[dict[int, int], dict[int, int]]:
    head: dict[int, int] = {}
    base: dict[int, int] = {}
    for i, h in enumerate(view.ctx.file.hunks):
        for line in h.added:
            head[line.number] = i
        for line in h.removed:
            base[line.number] = i
    return head, base


def _change_clause(setting: str, old: str | None, new: str | None) -> str:
    if old is not None and new is not None:
        return f"{setting} changed from {short(old)} to {short(new)}"
    if new is not None:
        return f"{setting} set to {short(new)}"
    return f"{setting} setting removed (was {short(old or '')})"


def _first_number(value: str | None) -> str | None:
    if value is None:
        return None
    m = re.match(r"\s*(\d+)", value)
    return m.group(1) if m else value


def _command_consequence(setting: str, old: str | None, new: str | None) -> str:
    if setting in _MODEL_SETTINGS:
        return "jobs now run under a different execution model (threads or green threads share memory and connections)."
    if new is None:
        return "the tool's default (often one worker per CPU) now decides how many jobs run at the same time."
    return consequence(_first_number(old), _first_number(new))


def _jobs_at_once(view: FileView, side: str, setting: _Setting) -> int | None:
    """How many jobs the whole worker command around ``setting`` runs at once, as envparity reads
    commands (dramatiq: processes × threads); None when it cannot tell."""
    from ..envparity import parse_command

    tokens = [
        (token, number)
        for number in range(setting.start or setting.line, setting.line + 1)
        for token in _tokens(_unprinted(view.line(side, number, strings=True)))
    ]
    info = parse_command(tokens, view.deployed, "")
    return info.concurrency.value if info.program == setting.tool and info.concurrency is not None else None


def _command_findings(view: FileView, pr: PackRule) -> list[Finding]:
    key = ("patterns.command", view.path)
    if key in view.ctx.cache:
        return view.ctx.cache[key]
    procfile = _is_procfile(view.deployed)
    head_lines = view.lines("head", strings=True)
    base_lines = view.lines("base", strings=True)
    style = _continuation_style(view.deployed)
    head = _command_settings(head_lines if head_lines is not None else _added(view), procfile, style)
    base = _command_settings(base_lines if base_lines is not None else view.changed("base"), procfile, style)
    added, removed = _added(view), view.changed("base")
    head_hunk, base_hunk = _hunk_index(view)
    by_line: dict[int, list[tuple[str, str | None, str | None, str]]] = {}
    commands: dict[int, tuple[_Setting, _Setting | None]] = {}  # line -> a head setting there, a base one it replaced
    used: set[_Setting] = set()
    for s in head:
        if s.line not in added:
            continue
        same = [b for b in base if b.line in removed and (b.process, b.tool, b.setting) == (s.process, s.tool, s.setting) and b not in used]
        pick = [b for b in same if base_hunk.get(b.line) == head_hunk.get(s.line)] or (same if len(same) == 1 else [])
        old = pick[0] if pick else None
        if old is not None:
            used.add(old)
            if old.value == s.value:
                continue
        by_line.setdefault(s.line, []).append((s.setting, old.value if old else None, s.value, s.tool))
        if s.line not in commands or (old is not None and commands[s.line][1] is None):
            commands[s.line] = (s, old)
    head_keys = {(s.process, s.tool, s.setting, s.value) for s in head}
    base_removed_only: list[_Setting] = []
    for b in base:
        if b.line not in removed or b in used or (b.process, b.tool, b.setting, b.value) in head_keys:
            continue
        # The flag went away: report it on the added line that replaced its line, if any.
        partner = next(
            (n for n in sorted(added) if head_hunk.get(n) == base_hunk.get(b.line) and _tool_of(added[n]) == b.tool
             and (not procfile or _process(added[n]) == b.process)),
            None,
        )
        if partner is not None:
            by_line.setdefault(partner, []).append((b.setting, b.value, None, b.tool))
        else:
            base_removed_only.append(b)
    findings: list[Finding] = []
    for number, changes in sorted(by_line.items()):
        tool = changes[0][3]
        clauses = " and ".join(_change_clause(setting, old, new) for setting, old, new, _ in changes)
        setting, old_value, new, _ = changes[0]
        outcome = _command_consequence(setting, old_value, new)
        if number in commands and setting not in _MODEL_SETTINGS and new is not None:
            # Jobs at once for the whole command (dramatiq: processes × threads), when known.
            head_setting, base_setting = commands[number]
            now = _jobs_at_once(view, "head", head_setting)
            before = _jobs_at_once(view, "base", base_setting) if base_setting else None
            if now is not None and (before is not None or base_setting is None):
                outcome = consequence(None if before is None else str(before), str(now))
        message = f"{tool} {clauses} in {view.path}: {outcome}"
        findings.append(pr.rule.finding(view.path, number, message))
    for b in base_removed_only:
        message = f"{b.tool} worker command with {b.setting} {short(b.value)} removed from {view.path}: check where its jobs now run and how many at once."
        findings.append(pr.rule.finding(view.path, b.line, message, side="base"))
    view.ctx.cache[key] = findings
    return findings


def _process(line: str) -> str:
    m = _PROCFILE_LINE.match(line)
    return m.group("name") if m else ""


@check("command-concurrency")
def command_concurrency(view: FileView, pr: PackRule) -> list[Finding]:
    if view.path.endswith(".py"):  # Python code is not a command line; DC502 reads Celery settings
        return []
    return list(_command_findings(view, pr))


_WORKER_WORDS = re.compile(r"(?i)worker|celery|sidekiq|resque|dramatiq|huey|consumer|queue|jobs?\b|\brq\b|bull|beat|clock|scheduler|cron")


def _normalised_command(cmd: str) -> tuple[tuple[str, ...], frozenset[tuple[str, str]]]:
    """A command as (other tokens, concurrency settings), so that `-c 4` equals
    `--concurrency=4` and spacing does not matter."""
    tokens = _TOKEN.findall(cmd)
    tool = _tool_of(cmd)
    settings = frozenset((s.setting, s.value) for s in _command_settings([cmd], procfile=False))
    flags = _FLAGS.get(tool or "", {})
    quiet = _OBSERVABILITY_FLAGS.get(tool or "", ())
    rest: list[str] = []
    skip = False
    for token in tokens:
        if skip:
            skip = False
            continue
        name = token.split("=", 1)[0]
        if name in quiet:  # task events, log level, log and pid files: how a worker is observed, not how it runs jobs
            skip = "=" not in token and quiet[name]
            continue
        flag = token.split("=", 1)[0] if token.startswith("--") else token[:2] if token[:2] in flags and token[2:].isdigit() else token
        if flag in flags:
            skip = "=" not in token and flag == token
            continue
        rest.append(token)
    return tuple(rest), settings


# Flags other than the concurrency ones (DC500) that change which jobs a worker takes, when, or
# how it coordinates with the other workers: flag -> (setting, whether it takes a value); a switch
# is named by its long spelling, which the message quotes. Flags
# that only change what a worker reports (-E, log level: _OBSERVABILITY_FLAGS) are not here.
_JOB_FLAGS: dict[str, dict[str, tuple[str, bool]]] = {
    "celery": {
        "-Q": ("queues", True), "--queues": ("queues", True),
        "-X": ("excluded queues", True), "--exclude-queues": ("excluded queues", True),
        "-B": ("--beat", False), "--beat": ("--beat", False),
        "-O": ("optimization", True),
        "--without-mingle": ("--without-mingle", False), "--without-gossip": ("--without-gossip", False),
        "--without-heartbeat": ("--without-heartbeat", False),
        "--max-tasks-per-child": ("max tasks per child", True),
        "--time-limit": ("time limit", True), "--soft-time-limit": ("soft time limit", True),
    },
    "dramatiq": {"-Q": ("queues", True), "--queues": ("queues", True)},
    "sidekiq": {"-q": ("queues", True), "--queue": ("queues", True)},
    "rq": {"--with-scheduler": ("--with-scheduler", False), "-b": ("--burst", False), "--burst": ("--burst", False)},
    "huey": {"-n": ("--no-periodic", False), "--no-periodic": ("--no-periodic", False)},
}
_JOB_FLAG_CONSEQUENCES = {
    "queues": "jobs on a queue it no longer consumes wait for another worker (or forever), and jobs on a queue it now consumes run here, at this worker's concurrency",
    "excluded queues": "jobs on a queue it no longer consumes wait for another worker (or forever), and jobs on a queue it now consumes run here, at this worker's concurrency",
    "--beat": "a worker with an embedded beat sends the periodic tasks itself: with several copies of it every periodic task is sent once per copy, with none it is never sent",
    "optimization": "how tasks are handed to the pool's processes changes (with `fair`, a long task no longer holds back the tasks prefetched behind it)",
    "--without-mingle": "mingle is how a starting worker learns from the others which tasks were revoked: without it a task revoked before the worker started can still run on it",
    "--without-gossip": "gossip is how a worker follows the other workers' events, which Celery uses to coordinate them (logical clock, electing one worker)",
    "--without-heartbeat": "heartbeats are how monitors and the other workers tell whether a worker is alive while it runs jobs",
    "max tasks per child": "pool processes are recycled after a different number of jobs, so per-process state, connections and caches live for a different number of jobs",
    "time limit": "a job running longer is killed at a different point, and a killed job can leave its work half done",
    "soft time limit": "a job running longer is interrupted at a different point, and one that does not handle the interruption can leave its work half done",
    "--with-scheduler": "the worker that runs RQ's scheduler moves scheduled and retried jobs onto their queues: without one they never run",
    "--burst": "a worker in burst mode exits once its queues are empty, so jobs enqueued later wait for its next start",
    "--no-periodic": "a consumer without --no-periodic enqueues the periodic tasks: with several such consumers each one enqueues them",
}


def _words(text: str) -> list[str]:
    """The words of a command line with the quotes, brackets and commas of YAML lists stripped,
    but a value's own commas kept (`-Q emails,default`)."""
    words = (w.strip("\"'[],") for w in text.split())
    return [w for w in words if w and w != "\\"]


@dataclass
class _Command:
    start: int
    end: int
    tool: str
    flags: dict[str, tuple[tuple[str, ...], int]]  # setting -> (values, line)


def _worker_commands(lines: list[str], style: str) -> list[_Command]:
    """Every worker command in ``lines`` (a line naming the tool and its continuations, as
    _command_settings reads them), with the job flags of _JOB_FLAGS it sets."""
    out: list[_Command] = []
    current: _Command | None = None
    pending: tuple[str, str] | None = None  # (flag, setting) whose value is on the next line
    previous = ""
    for number, raw in enumerate(lines, start=1):
        line = _unprinted(raw)
        named = _tool_match(line)
        if named:
            current, pending = _Command(number, number, named[0], {}), None
            out.append(current)
            tokens = _words(line[named[1]:])
        elif current is not None and _continues(previous, line, style):
            tokens = _words(line)
        else:
            current = None
        previous = line
        if current is None:
            continue
        current.end = number
        table = _JOB_FLAGS.get(current.tool, {})
        for token in (t for t in tokens if t != "-"):
            if pending is not None:
                if not token.startswith("-"):
                    values = current.flags.get(pending[1], ((), number))[0]
                    current.flags[pending[1]] = (tuple(sorted({*values, *token.split(",")})), number)
                pending = None
                continue
            flag, value = (token.split("=", 1) + [None])[:2] if token.startswith("--") else (token, None)
            if flag not in table and token[:2] in table and not token.startswith("--") and table[token[:2]][1]:
                flag, value = token[:2], token[2:]  # -Qemails
            if flag not in table:
                continue
            setting, takes_value = table[flag]
            if not takes_value:
                current.flags[setting] = (("on",), number)
            elif value:
                values = current.flags.get(setting, ((), number))[0]
                current.flags[setting] = (tuple(sorted({*values, *value.split(",")})), number)
            else:
                pending = (flag, setting)
    return out


def _flag_clause(setting: str, old: tuple[str, ...] | None, new: tuple[str, ...] | None) -> str:
    if old == ("on",) or new == ("on",):
        return f"`{setting}` {'added' if new else 'removed'}"
    return _change_clause(setting, ",".join(old) if old else None, ",".join(new) if new else None)


def _job_flag_findings(view: FileView, pr: PackRule) -> list[Finding]:
    """DC501 outside Procfiles: a worker command whose queues, embedded scheduler, coordination,
    recycling or time-limit flags changed. Only a command that replaced one of the same tool in
    the same hunk is compared: a new command is a new worker, not a changed one."""
    style = _continuation_style(view.deployed)
    head = _worker_commands(view.lines("head", strings=True) or [], style)
    base = _worker_commands(view.lines("base", strings=True) or [], style)
    added, removed = _added(view), view.changed("base")
    head_hunk, base_hunk = _hunk_index(view)
    used: set[int] = set()
    out: list[Finding] = []
    for command in head:
        changed = [n for n in range(command.start, command.end + 1) if n in added]
        if not changed:
            continue
        hunks = {head_hunk.get(n) for n in changed}
        old = next((b for b in base if b.tool == command.tool and b.start not in used and any(
            n in removed and base_hunk.get(n) in hunks for n in range(b.start, b.end + 1))), None)
        if old is None:
            continue
        used.add(old.start)
        by_line: dict[int, list[tuple[str, str]]] = {}  # line -> [(setting, what changed)]
        for setting in sorted(set(command.flags) | set(old.flags)):
            new_values, line = command.flags.get(setting, (None, changed[0]))
            old_values = old.flags.get(setting, (None, 0))[0]
            if new_values != old_values:
                where = line if line in added else changed[0]  # a removed flag: the command's changed line
                by_line.setdefault(where, []).append((setting, _flag_clause(setting, old_values, new_values)))
        for line, items in sorted(by_line.items()):
            clauses = " and ".join(clause for _setting, clause in items)
            why = "; ".join(dict.fromkeys(_JOB_FLAG_CONSEQUENCES[setting] for setting, _clause in items))
            message = f"{command.tool} worker command in {view.path}: {clauses}; {why}."
            out.append(pr.rule.finding(view.path, line, message))
    return out


@check("procfile-worker")
def procfile_worker(view: FileView, pr: PackRule) -> list[Finding]:
    if not _is_procfile(view.deployed):
        # Python is not a command line: DC502/DC515 read Celery settings there
        return [] if view.path.endswith(".py") else _job_flag_findings(view, pr)
    concurrency_lines = {f.line for f in _command_findings(view, pr) if f.side == "head"}
    added, removed = _added(view), view.changed("base")
    old_lines = {n: view.line("base", n, strings=True).strip() for n in removed}
    old_by_name = {_process(t): (n, t) for n, t in sorted(old_lines.items()) if _process(t)}
    new_names = {_process(view.line("head", n, strings=True).strip()) for n in added} - {""}
    head_lines = view.lines("head", strings=True) or []
    out: list[Finding] = []
    for number in sorted(added):
        m = _PROCFILE_LINE.match(view.line("head", number, strings=True).strip())
        if not m or number in concurrency_lines:
            continue
        name, cmd = m.group("name"), m.group("cmd")
        if not (_WORKER_WORDS.search(name) or (_tool_of(cmd) not in (None, "gunicorn")) or _WORKER_WORDS.search(cmd)):
            continue
        old = old_by_name.get(name)
        if old is not None:
            old_cmd = _PROCFILE_LINE.match(old[1].strip())
            if old_cmd and _normalised_command(old_cmd.group("cmd")) == _normalised_command(cmd):
                continue
            message = f"worker process '{name}' command changed in {view.path} (was `{short(old_cmd.group('cmd') if old_cmd else old[1])}`): check which queues it consumes and how many jobs it runs at once."
        else:
            message = f"new worker process '{name}' in {view.path} runs `{short(cmd)}`: its jobs will run alongside the existing workers."
        out.append(pr.rule.finding(view.path, number, message))
    for name, (number, text) in sorted(old_by_name.items(), key=lambda kv: kv[1][0]):
        if name in new_names or any(_process(x.strip()) == name for x in head_lines):
            continue
        m = _PROCFILE_LINE.match(text.strip())
        if m and (_WORKER_WORDS.search(name) or _tool_of(m.group("cmd")) not in (None, "gunicorn")):
            message = f"worker process '{name}' removed from {view.path}: jobs on its queues may go unprocessed or move to workers with a different concurrency."
            out.append(pr.rule.finding(view.path, number, message, side="base"))
    return out


# --- YAML manifests (Kubernetes, Helm values, docker-compose) ---------------------------------

MAX_MANIFEST_BYTES = 1_000_000
MAX_DOCUMENTS = 500
_WORKERISH = re.compile(r"(?i)worker|celery|consumer|queue|jobs?(?![a-z])|sidekiq|dramatiq|huey|resque|(?:^|[-_.])rq(?:[-_.]|$)")
_WORKER_COMMAND = re.compile(r"(?i)\b(?:celery|sidekiq|rq\s+worker|rqworker|dramatiq|huey_consumer|resque|worker)\b")
_WORKLOADS = {"Deployment", "StatefulSet", "ReplicaSet", "DeploymentConfig"}
_HELM_KEYS = {"replicas", "replicaCount", "minReplicas", "maxReplicas", "minReplicaCount", "maxReplicaCount"}


def compose_documents(text: str, source: str) -> list[Any] | None:
    """Every document of a (multi-document) YAML text as node trees, with the same safety as
    ``yamlload.compose`` (safe loader, no aliases, no custom tags, depth and size caps); None
    when the text is not plain, valid YAML — an analysed file is never an error."""
    import yaml

    from ...util import yamlload

    if len(text) > MAX_MANIFEST_BYTES or "\x00" in text:
        return None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    docs: list[Any] = []
    try:
        while loader.check_node() and len(docs) < MAX_DOCUMENTS:
            node = loader.get_node()
            if node is not None:
                yamlload._check_tree(node, source, yamlload.MAX_DEPTH, yamlload.YamlError)
            docs.append(node)
    except (yaml.YAMLError, yamlload.YamlError, RecursionError):
        return None
    finally:
        loader.dispose()
    return docs


def _get(node: Any, *keys: str) -> Any:
    import yaml

    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((v for k, v in node.value if k.value == key), None)
    return node


def _scalar(node: Any) -> str | None:
    import yaml

    return node.value if isinstance(node, yaml.ScalarNode) else None


def _scalars(node: Any) -> Iterable[str]:
    import yaml

    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, yaml.ScalarNode):
            yield n.value
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            stack.extend(v for _, v in n.value)


@dataclass(frozen=True)
class _Scale:
    owner: str  # e.g. "Deployment 'celery-worker'"
    setting: str
    value: str
    line: int
    rule: str  # "scaling" or "schedule"


def _container_text(spec: Any) -> str:
    import yaml

    out: list[str] = []
    containers = _get(spec, "template", "spec", "containers")
    if isinstance(containers, yaml.SequenceNode):
        for c in containers.value:
            for key in ("command", "args", "image", "name"):
                out.extend(_scalars(_get(c, key)))
    return " ".join(out)


def _k8s_entries(docs: list[Any], path: str) -> list[_Scale]:
    import yaml

    out: list[_Scale] = []

    def add(owner: str, setting: str, node: Any, rule: str = "scaling") -> None:
        value = _scalar(node)
        if value is not None:
            out.append(_Scale(owner, setting, value, node.start_mark.line + 1, rule))

    helm_values = re.match(r"values[^/]*\.ya?ml$", posixpath.basename(path), re.I) is not None
    for doc in docs:
        if not isinstance(doc, yaml.MappingNode):
            continue
        kind = _scalar(_get(doc, "kind")) or ""
        name = _scalar(_get(doc, "metadata", "name")) or ""
        spec = _get(doc, "spec")
        owner = f"{kind} '{name}'"
        target = _scalar(_get(spec, "scaleTargetRef", "name")) or ""
        if kind in _WORKLOADS:
            if _WORKERISH.search(name) or _WORKER_COMMAND.search(_container_text(spec)):
                add(owner, "replicas", _get(spec, "replicas"))
        elif kind == "HorizontalPodAutoscaler":
            if _WORKERISH.search(name) or _WORKERISH.search(target):
                add(owner, "minReplicas", _get(spec, "minReplicas"))
                add(owner, "maxReplicas", _get(spec, "maxReplicas"))
        elif kind == "ScaledObject":
            if _WORKERISH.search(name) or _WORKERISH.search(target):
                add(owner, "minReplicaCount", _get(spec, "minReplicaCount"))
                add(owner, "maxReplicaCount", _get(spec, "maxReplicaCount"))
        elif kind == "Job":
            add(owner, "parallelism", _get(spec, "parallelism"))
        elif kind == "CronJob":
            add(owner, "concurrencyPolicy", _get(spec, "concurrencyPolicy"))
            add(owner, "parallelism", _get(spec, "jobTemplate", "spec", "parallelism"))
            add(owner, "schedule", _get(spec, "schedule"), rule="schedule")
        elif not kind and helm_values:
            _helm_walk(doc, [], out, _WORKERISH.search(path) is not None)
    return out


def _helm_walk(node: Any, trail: list[str], out: list[_Scale], workerish: bool) -> None:
    import yaml

    if not isinstance(node, yaml.MappingNode) or len(trail) > 12:
        return
    for key, value in node.value:
        here = [*trail, key.value]
        if key.value in _HELM_KEYS and isinstance(value, yaml.ScalarNode):
            if workerish or any(_WORKERISH.search(part) for part in trail):
                out.append(_Scale(f"values '{'.'.join(trail) or '(top level)'}'", key.value, value.value, value.start_mark.line + 1, "scaling"))
        else:
            _helm_walk(value, here, out, workerish)


_K8S_FALLBACK = re.compile(r"^\s*(?P<key>replicas|replicaCount|minReplicas|maxReplicas|minReplicaCount|maxReplicaCount|parallelism|concurrencyPolicy|schedule)\s*:\s*(?P<value>[^#\s][^#]*?)\s*$")
_K8S_KINDS = re.compile(r"(?m)^\s*kind:\s*[\"']?(?:Deployment|StatefulSet|ReplicaSet|HorizontalPodAutoscaler|ScaledObject|Job|CronJob)\b")


def _fallback_entries(view: FileView, side: str) -> list[_Scale]:
    """Templated manifests (Helm) are not YAML: read changed lines one by one."""
    text = view.text(side, strings=True)
    if not _K8S_KINDS.search(text) or not (_WORKERISH.search(view.path) or re.search(r"(?m)^\s*name:.*" + _WORKERISH.pattern[4:], text)):
        return []
    out = []
    for number, _ in sorted(view.changed(side).items()):
        m = _K8S_FALLBACK.match(view.line(side, number, strings=True))
        if m:
            rule = "schedule" if m.group("key") == "schedule" else "scaling"
            out.append(_Scale("the workload", m.group("key"), m.group("value").strip("'\""), number, rule))
    return out


def _yaml_entries(view: FileView, side: str, compose: bool) -> list[_Scale]:
    key = ("patterns.yaml-entries", side, compose)
    if key in view.ctx.cache:
        return view.ctx.cache[key]
    text = view.ctx.head_text() if side == "head" else view.ctx.base_text()
    entries: list[_Scale] = []
    if text is not None:
        docs = compose_documents(text.replace("\r\n", "\n"), f"{view.path} ({side})")
        if docs is None:
            entries = [] if compose else _fallback_entries(view, side)
        else:
            entries = _compose_entries(docs) if compose else _k8s_entries(docs, view.path)
    view.ctx.cache[key] = entries
    return entries


def _compose_entries(docs: list[Any]) -> list[_Scale]:
    import yaml

    out: list[_Scale] = []
    for doc in docs:
        services = _get(doc, "services")
        if not isinstance(services, yaml.MappingNode):
            continue
        for name_node, service in services.value:
            name = name_node.value
            command = " ".join([*_scalars(_get(service, "command")), *_scalars(_get(service, "entrypoint"))])
            if not (_WORKERISH.search(name) or _WORKER_COMMAND.search(command)):
                continue
            for setting, node in (("deploy.replicas", _get(service, "deploy", "replicas")), ("scale", _get(service, "scale"))):
                value = _scalar(node)
                if value is not None:
                    out.append(_Scale(f"compose service '{name}'", setting, value, node.start_mark.line + 1, "scaling"))
    return out


def _policy_consequence(new: str) -> str:
    return {
        "Allow": "runs of this job may now overlap.",
        "Forbid": "a run is now skipped while the previous one is still running.",
        "Replace": "a running job is now cancelled when the next run starts.",
    }.get(new, "whether runs may overlap changes.")


def _scale_findings(view: FileView, pr: PackRule, rule: str, compose: bool) -> list[Finding]:
    if not view.deployed.lower().endswith((".yml", ".yaml")):
        return []
    head = [e for e in _yaml_entries(view, "head", compose) if e.rule == rule]
    base = [e for e in _yaml_entries(view, "base", compose) if e.rule == rule]
    added, removed = _added(view), view.changed("base")
    out: list[Finding] = []
    for e in head:
        if e.line not in added:
            continue
        olds = [b for b in base if (b.owner, b.setting) == (e.owner, e.setting)]
        old = olds[0].value if len(olds) == 1 else None
        if old == e.value:
            continue
        out.append(pr.rule.finding(view.path, e.line, _scale_message(view.path, e, old)))
    head_keys = {(e.owner, e.setting) for e in head}
    for b in base:
        if b.line in removed and (b.owner, b.setting) not in head_keys and b.owner != "the workload":
            message = f"{b.setting} of {b.owner} (was {short(b.value)}) removed from {view.path}: the default now applies."
            out.append(pr.rule.finding(view.path, b.line, message, side="base"))
    return out


def _scale_message(path: str, e: _Scale, old: str | None) -> str:
    what = f"{e.setting} of {e.owner}"
    if e.setting == "schedule":
        tail = "runs may now overlap each other or other jobs."
    elif e.setting == "concurrencyPolicy":
        tail = _policy_consequence(e.value)
    else:
        tail = consequence(old, e.value)
    if old is not None:
        return f"{what} changed from {short(old)} to {short(e.value)} in {path}: {tail}"
    return f"{what} set to {short(e.value)} in {path}: {tail}"


_COMPOSE_NAME = re.compile(r"(?:^|/)(?:docker-)?compose[^/]*\.ya?ml$", re.I)


@check("k8s-scaling")
def k8s_scaling(view: FileView, pr: PackRule) -> list[Finding]:
    if _COMPOSE_NAME.search(view.deployed):
        return []
    return _scale_findings(view, pr, "scaling", compose=False)


@check("compose-scaling")
def compose_scaling(view: FileView, pr: PackRule) -> list[Finding]:
    return _scale_findings(view, pr, "scaling", compose=True)


_CRON_LINE = re.compile(
    r"^\s*(?P<when>@(?:reboot|yearly|annually|monthly|weekly|daily|midnight|hourly)|[\d*/,-]+\s+[\d*/,-]+(?:\s+[\w*/,?#-]+){3})\s+(?P<cmd>\S.*?)\s*$"
)


def _is_crontab(path: str) -> bool:
    base = posixpath.basename(path).lower()
    return base == "crontab" or base.endswith((".crontab", ".cron")) or "/cron.d/" in f"/{path.lower()}"


@check("schedule-changed")
def schedule_changed(view: FileView, pr: PackRule) -> list[Finding]:
    if _is_crontab(view.deployed):
        return _crontab_findings(view, pr)
    if _JOB_SCHEDULE_FILE.search(view.deployed):
        return _job_schedule_findings(view, pr)
    if _VERCEL_FILE.search(view.deployed):
        return _job_schedule_findings(view, pr, _vercel_crons)
    if _WHENEVER_FILE.search(view.deployed):
        return _whenever_findings(view, pr)
    if _CAPISTRANO_FILE.search(view.deployed):
        return _capistrano_role_findings(view, pr)
    if view.deployed.endswith(".rb"):
        return _schedule_loading_findings(view, pr)
    if _COMPOSE_NAME.search(view.deployed):
        return []
    return _scale_findings(view, pr, "schedule", compose=False)


def _crontab_findings(view: FileView, pr: PackRule) -> list[Finding]:
    def entries(side: str) -> list[tuple[int, str, str]]:
        out = []
        for number in sorted(view.changed(side)):
            m = _CRON_LINE.match(view.line(side, number, strings=True))
            if m:
                out.append((number, " ".join(m.group("when").split()), m.group("cmd")))
        return out

    head, base = entries("head"), entries("base")
    head_hunk, base_hunk = _hunk_index(view)
    out: list[Finding] = []
    used: set[int] = set()
    for number, when, cmd in head:
        same_cmd = [b for b in base if b[2] == cmd and b[0] not in used]
        same_hunk = [b for b in base if base_hunk.get(b[0]) == head_hunk.get(number) and b[0] not in used]
        pick = same_cmd[:1] or (same_hunk if len(same_hunk) == 1 else [])
        if pick:
            used.add(pick[0][0])
            if pick[0][1] == when and pick[0][2] == cmd:
                continue
            if pick[0][1] == when:
                continue  # only the command changed; the schedule is the same
            message = f"schedule of `{short(cmd)}` changed from {pick[0][1]} to {when} in {view.path}: runs may now overlap each other or other jobs."
        else:
            message = f"new schedule {when} for `{short(cmd)}` in {view.path}: it may run at the same time as other jobs or its own previous run."
        out.append(pr.rule.finding(view.path, number, message))
    return out


# --- the schedule files of Ruby job libraries (DC509) ---------------------------------------------

# Solid Queue's `config/recurring.yml`, sidekiq-cron's and sidekiq-scheduler's `config/schedule.yml`,
# and sidekiq-scheduler's `:scheduler: :schedule:` inside `config/sidekiq.yml`.
_JOB_SCHEDULE_FILE = re.compile(r"(?:^|/)config/(?:recurring|schedule|sidekiq[\w.-]*)\.ya?ml$", re.I)
_WHEN_KEYS = ("schedule", "cron", "every", "at", "in", "interval")  # when an entry runs
_TASK_KEYS = ("class", "command", "job", "job_class")  # what it runs: an entry has one
_WHEN_LINE = re.compile(r"^\s*:?(?:schedule|cron|every|at|in|interval):\s*\S")
_CLASS_NAME = re.compile(r"^[A-Z]\w*(?:::[A-Z]\w*)*$")  # a Ruby class, `Billing::SyncJob`


def _job_schedules(node: Any, path: tuple[str, ...] = ()) -> Iterable[_Scale]:
    """Each scheduled task of a job library's YAML file: a mapping that names what it runs
    (``_TASK_KEYS``) and when (``_WHEN_KEYS``), wherever it is nested (under an environment, under
    `:schedule:`); its owner is the keys that lead to it. Keys may be written `:cron:`."""
    import yaml

    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _job_schedules(item, (*path, str(i)))
    if not isinstance(node, yaml.MappingNode):
        return
    keys = {k.value.lstrip(":"): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    task = next((_scalar(keys[k]) for k in _TASK_KEYS if _scalar(keys.get(k))), None)
    if task is None and path and _CLASS_NAME.match(path[-1]) and any(_when(keys.get(k)) for k in _WHEN_KEYS):
        # sidekiq-scheduler runs the class an entry is keyed by when it names none
        # (`SubscriptionPlacementJob: {every: "5m"}`: openfoodnetwork, a new user's trial).
        task = path[-1]
    if task is not None:
        when = next((k for k in _WHEN_KEYS if _when(keys.get(k)) is not None), None)
        if when is not None:
            name = ".".join(path) or "the task"
            yield _Scale(f"`{name}` ({short(task)})", when, _when(keys[when]) or "", keys[when].start_mark.line + 1, "schedule")
        return
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value != "<<":
            yield from _job_schedules(v, (*path, k.value.lstrip(":")))


def _when(node: Any) -> str | None:
    """A schedule's value as written: a scalar (`"5m"`), or sidekiq-scheduler's list with its
    options (`["5m", first_in: "1m"]` -> `5m, first_in: 1m`)."""
    import yaml

    if isinstance(node, yaml.SequenceNode) and node.value and isinstance(node.value[0], yaml.ScalarNode):
        parts = []
        for item in node.value:
            if isinstance(item, yaml.MappingNode):
                parts += [f"{k.value}: {', '.join(_scalars(v))}" for k, v in item.value if isinstance(k, yaml.ScalarNode)]
            else:
                parts += list(_scalars(item))
        return ", ".join(parts)
    return _scalar(node)


def _app_yaml_entries(view: FileView, side: str, read: Callable[[Any], Iterable[_Scale]]) -> list[_Scale] | None:
    """What ``read`` finds in one side of an application's YAML file; None when that side is not
    valid YAML (or too large). Rails apps share settings between environments with
    `<<: *default`: the merged entries are read too."""
    from ...errors import DeployCheckError
    from ...util import yamlload

    text = view.ctx.head_text() if side == "head" else view.ctx.base_text()
    if text is None:
        return []
    try:
        root = yamlload.compose(text.replace("\r\n", "\n"), f"{view.path} ({side})", merges=True)
    except DeployCheckError:
        return None
    return list(read(root))


def _changed_entries(head: list[_Scale], base: list[_Scale], added: dict[int, str]) -> Iterable[tuple[_Scale, str | None]]:
    """Each head entry on an added line whose value the base does not give it (a new entry: None
    as the old value), once per line: a setting merged into several environments from one
    anchor is one line, said once."""
    before = {(e.owner, e.setting): e.value for e in base}
    said: set[int] = set()
    for e in head:
        old = before.get((e.owner, e.setting))
        if e.line not in added or e.line in said or old == e.value:
            continue
        said.add(e.line)
        yield e, old


def _job_schedule_findings(view: FileView, pr: PackRule,
                           read: Callable[[Any], Iterable[_Scale]] = _job_schedules) -> list[Finding]:
    """A scheduled task whose schedule the branch changed, or a new one, at its schedule's line
    (a schedule shared through a merge key is said once). A file that is not valid YAML (JSON is
    YAML): every changed line that sets a schedule."""
    head, base = _app_yaml_entries(view, "head", read), _app_yaml_entries(view, "base", read)
    added = _added(view)
    if head is None or base is None:
        return [pr.rule.finding(view.path, n, f"schedule line changed in {view.path}, which is not valid YAML, so the task "
                                "it schedules could not be told: runs may now overlap each other or other jobs.")
                for n in sorted(added) if _WHEN_LINE.match(view.line("head", n).replace('"', ""))]
    out: list[Finding] = []
    for e, old in _changed_entries(head, base, added):
        if old is not None:
            message = (f"schedule of {e.owner} changed from {short(old)} to {short(e.value)} in {view.path}: runs may now "
                       "overlap each other or other jobs.")
        else:
            message = (f"new schedule {short(e.value)} for {e.owner} in {view.path}: it may run at the same time as other "
                       "jobs or its own previous run.")
        out.append(pr.rule.finding(view.path, e.line, message))
    return out


# Vercel's cron jobs: `vercel.json`'s `"crons": [{"path": "/api/billing/export", "schedule": "0 5 * * *"}]`
# calls the path on that schedule (jitsu's billing export went from daily to every minute with
# "Nothing flagged", a new user's trial, session 40). Each cron is its path's.
_VERCEL_FILE = re.compile(r"(?:^|/)vercel\.json$")


def _vercel_crons(root: Any) -> Iterable[_Scale]:
    import yaml

    if not isinstance(root, yaml.MappingNode):
        return
    crons = next((v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "crons"), None)
    if not isinstance(crons, yaml.SequenceNode):
        return
    seen: Counter = Counter()
    for item in crons.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        keys = {k.value: v for k, v in item.value if isinstance(k, yaml.ScalarNode)}
        path, when = _scalar(keys.get("path")), _scalar(keys.get("schedule"))
        if path is not None and when is not None:
            # Two crons may call one path (at 0 and at 30): each is its path's n-th, or the
            # second was read as the first changed (the red team of session 40).
            seen[path] += 1
            nth = f" (its cron #{seen[path]})" if seen[path] > 1 else ""
            yield _Scale(f"the cron job calling `{short(path)}`{nth}", "schedule", when,
                         keys["schedule"].start_mark.line + 1, "schedule")


# --- whenever's `config/schedule.rb` and the code that loads a Sidekiq schedule (DC509) -----------

# whenever writes the crontab from `config/schedule.rb`: `every 4.hours do rake "backup" end`,
# `every 1.day, at: "4:30 am" do runner "Report.send!" end`.
_WHENEVER_FILE = re.compile(r"(?:^|/)config/schedule\.rb$")
_EVERY = re.compile(r"^(?P<indent>\s*)every\b\s*\(?\s*(?P<when>.+?)\s*\)?\s+do\b")
_EVERY_START = re.compile(r"^\s*every\b")
# whenever's own task verbs, and those a schedule defines (`job_type :sidekiq, "… push :task"`).
_WHENEVER_VERBS = ("runner", "rake", "command", "script")
_JOB_TYPE = re.compile(r"^\s*job_type\s*\(?\s*:(\w+)")


def _whenever_tasks(lines: list[str]) -> list[tuple[str, str, range, int]]:
    """(task, when, the `every`'s lines, the task's line) for each task line inside an `every` block,
    lines 1-based; a block ends at the `end` at its `every`'s indentation. An `every` wrapped over
    lines (`every 1.day,` / `at: "5 am",` / `roles: [:worker] do`) is read as one, at its first line."""
    verbs = _WHENEVER_VERBS + tuple(m.group(1) for line in lines if (m := _JOB_TYPE.match(line)))
    task_line = re.compile(rf"^\s*(?:{'|'.join(re.escape(v) for v in verbs)})\b\s*\(?\s*\S")
    out = []
    block: tuple[str, str, range] | None = None  # indentation, when, lines
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        header, first = line, number
        if _EVERY_START.match(line) and not _EVERY.match(line):
            # Wrapped: join the lines up to the one that opens the block (a few at most).
            while number < len(lines) and number - first < 5 and not _EVERY.match(header):
                header += " " + lines[number].strip()
                number += 1
            if not _EVERY.match(header):
                number = first  # not a block after all: read its lines one by one
                header = line
        m = _EVERY.match(header)
        if m:
            block = (m.group("indent"), " ".join(m.group("when").split()), range(first, number + 1))
        elif block is not None and re.match(rf"^{block[0]}end\b", line):
            block = None
        elif block is not None and task_line.match(line):
            out.append((" ".join(line.split()), block[1], block[2], number))
    return out


def _whenever_findings(view: FileView, pr: PackRule) -> list[Finding]:
    """A task of whenever's schedule whose `every` changed, or that is new, at its `every` line
    when that line changed, else at the task's. A task only removed no longer runs: not flagged."""
    head, base = view.lines("head", strings=True), view.lines("base", strings=True)  # comments blanked
    if head is None:
        return []
    before = {task: when for task, when, _e, _t in _whenever_tasks(base or [])}
    added = _added(view)
    out: dict[int, Finding] = {}
    for task, when, every, line in _whenever_tasks(head):
        if not any(n in added for n in every) and line not in added:
            continue
        old = before.get(task)
        if old == when:
            continue  # moved or re-indented: the same task on the same schedule
        at = next((n for n in every if n in added), line)
        if old is not None:
            message = (f"schedule of `{short(task)}` changed from every {short(old)} to every {short(when)} in {view.path} "
                       "(whenever): runs may now overlap each other or other jobs.")
        else:
            message = (f"new schedule every {short(when)} for `{short(task)}` in {view.path} (whenever): it may run at "
                       "the same time as other jobs or its own previous run.")
        out.setdefault(at, pr.rule.finding(view.path, at, message))
    return [out[n] for n in sorted(out)]


# whenever installs a task's cron entry on the hosts of the Capistrano roles its `every` names
# (`every 1.day, roles: [:harvester_prod] do`), and a task that names none on those of
# `whenever_roles` (`:db` unless config/deploy.rb sets it). A stage file that gives a host such a
# role, or takes it away, starts or stops the task there: on two hosts at once it runs twice
# (sul_pub's stage files dropping `harvester_dev`, apps-aa).
_CAPISTRANO_FILE = re.compile(r"(?:^|/)config/deploy(?:\.rb|/[^/]+\.rb)$")
_CAP_SERVER = re.compile(r"""^\s*server\s*\(?\s*['"]([^'"]+)['"](.*)$""")
_CAP_ROLE = re.compile(r"""^\s*role\s*\(?\s*:(\w+)\s*,(.*)$""")
# `roles: %w(web app)` or, in older files, `:roles => [:web, :app]`.
_CAP_ROLES_OPTION = re.compile(r"""(?:\broles:|:roles\s*=>)\s*(%[wiWI][\[({<][^\])}>]*[\])}>]|\[[^\]]*\]|:\w+|['"]\w+['"])""")
_PERCENT_WORDS = re.compile(r"%[wW][\[({<]([^\])}>]*)[\])}>]")
_WHENEVER_ROLES = re.compile(r"""\bwhenever_roles\b.*?(%[wiWI][\[({<][^\])}>]*[\])}>]|\[[^\]]*\]|:\w+)""")


def _role_words(text: str) -> set[str]:
    """`%w(web db)`, `[:web, 'db']`, `:web`: the role names written."""
    body = text[3:-1] if text.startswith("%") else text
    return {w.lstrip(":") for w in re.findall(r":?\w+", body) if w.lstrip(":") not in ("w", "i")}


def _host_roles(lines: list[str]) -> dict[tuple[str, str], int]:
    """(host, role) → the 1-based line that gives the host the role, for `server 'h', roles: …`
    and `role :name, 'h1', 'h2'` lines."""
    out: dict[tuple[str, str], int] = {}
    for number, line in enumerate(lines, 1):
        if (m := _CAP_SERVER.match(line)) and (roles := _CAP_ROLES_OPTION.search(m.group(2))):
            out.update({(m.group(1), role): number for role in _role_words(roles.group(1))})
        elif m := _CAP_ROLE.match(line):
            # `role :app, "h1", "h2"` or, as Capistrano's generated stage file writes it, `role :app, %w{h1 h2}`
            hosts = re.findall(r"""['"]([^'"]+)['"]""", m.group(2)) + \
                [h for words in _PERCENT_WORDS.findall(m.group(2)) for h in words.split()]
            out.update({(host, m.group(1)): number for host in hosts})
    return out


def _scheduled_roles(ctx: Any) -> dict[str, list[str]]:
    """Role → the whenever tasks installed by it, from config/schedule.rb at head (no repository
    at hand, or no schedule: none)."""
    if ctx.repo is None:
        return {}
    data = ctx.repo.read_blob(f"{ctx.repo.head_sha}:config/schedule.rb")
    if not data:
        return {}
    lines = data.decode("utf-8", "replace").splitlines()
    deploy = ctx.repo.read_blob(f"{ctx.repo.head_sha}:config/deploy.rb") or b""
    default = _WHENEVER_ROLES.search(deploy.decode("utf-8", "replace"))
    fallback = _role_words(default.group(1)) if default else {"db"}
    out: dict[str, list[str]] = {}
    for task, _when, every, _line in _whenever_tasks(lines):
        header = " ".join(lines[n - 1] for n in every if n - 1 < len(lines))
        named = _CAP_ROLES_OPTION.search(header)
        for role in sorted(_role_words(named.group(1)) if named else fallback):
            out.setdefault(role, []).append(task)
    return out


def _capistrano_role_findings(view: FileView, pr: PackRule) -> list[Finding]:
    head, base = view.lines("head", strings=True), view.lines("base", strings=True)  # the hosts are strings
    after, before = _host_roles(head or []), _host_roles(base or [])
    moved = {pair: ("head", line) for pair, line in after.items() if pair not in before}
    moved.update({pair: ("base", line) for pair, line in before.items() if pair not in after})
    if not moved:
        return []
    scheduled = _scheduled_roles(view.ctx)
    out: dict[tuple[str, int], Finding] = {}
    for (host, role), (side, line) in sorted(moved.items()):
        if role not in scheduled or (side, line) in out:
            continue
        tasks = ", ".join(f"`{short(t)}`" for t in scheduled[role][:3]) + (" …" if len(scheduled[role]) > 3 else "")
        effect = ("they start running there too: a task whose role two hosts carry runs twice, at the same time"
                  if side == "head" else "they stop running there: check that one host, and only one, still runs each")
        out[(side, line)] = pr.rule.finding(view.path, line, (
            f"host {short(host)} {'now has' if side == 'head' else 'no longer has'} the `{role}` role in {view.path}, "
            f"and whenever installs the cron entries of {tasks} (config/schedule.rb) on that role's hosts: {effect}."),
            side=side)
    return list(out.values())


# The code that loads sidekiq-scheduler's or sidekiq-cron's schedule at start-up (an initializer's
# `Sidekiq.schedule = YAML.load_file(…)`, `reload_schedule!`, `Sidekiq::Cron::Job.load_from_hash`):
# a line of it added or removed decides whether, and which, scheduled jobs run at all
# (openfoodnetwork's move of its schedules into Sidekiq, a new user's trial).
_SCHEDULE_LOADING = re.compile(r"\breload_schedule!|\bSidekiq\.schedule\s*=|\bSidekiqScheduler::|\bSidekiq::Cron::Job\."
                               r"(?:load_from_hash!?|load_from_array!?|create|destroy_all!?|destroy_removed_jobs)\b"
                               r"|\bdynamic_schedule\b|\bschedule_file\b")


def _schedule_loading_findings(view: FileView, pr: PackRule) -> list[Finding]:
    out = []
    for side, verb in (("head", "added"), ("base", "removed")):
        code = view.lines(side)
        if code is None:
            continue
        for number in sorted(view.changed(side)):
            m = _SCHEDULE_LOADING.search(code[number - 1]) if 0 < number <= len(code) else None
            if m is not None:
                out.append(pr.rule.finding(view.path, number, (
                    f"`{short(m.group(0).strip())}` {verb} in {view.path}: this code loads the Sidekiq job schedule, so "
                    "whether each scheduled job runs at all, and when, may change. Say in the checklist which "
                    "schedules run after the deploy, and check them in the Sidekiq web UI."), side=side))
    return out


# --- Solid Queue's workers and dispatchers (DC517) ------------------------------------------------

_SOLID_QUEUE_FILE = re.compile(r"(?:^|/)config/(?:solid_)?queue\.ya?ml$", re.I)
# What each kind of process has that decides how many jobs run at once, and which.
_SOLID_QUEUE_SETTINGS = {"workers": ("threads", "processes", "queues", "polling_interval"),
                         "dispatchers": ("batch_size", "polling_interval", "concurrency_maintenance",
                                         "concurrency_maintenance_interval")}


def _solid_queue_processes(node: Any, path: tuple[str, ...] = ()) -> Iterable[_Scale]:
    """The settings of each worker and dispatcher, wherever the environments nest them."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return
    for k, v in node.value:
        if not isinstance(k, yaml.ScalarNode) or k.value == "<<":
            continue
        settings = _SOLID_QUEUE_SETTINGS.get(k.value)
        if settings is not None and isinstance(v, yaml.SequenceNode):
            for i, process in enumerate(v.value):
                for setting in settings:
                    value = _get(process, setting)
                    if value is not None:
                        shown = _scalar(value) or ", ".join(_scalars(value))
                        owner = f"{'.'.join(path) + ' ' if path else ''}{k.value}[{i}]"
                        yield _Scale(owner, setting, shown, value.start_mark.line + 1, "solid-queue")
        else:
            yield from _solid_queue_processes(v, (*path, k.value))


@check("solid-queue-processes")
def solid_queue_processes(view: FileView, pr: PackRule) -> list[Finding]:
    """A changed setting of a Solid Queue worker or dispatcher, at its line (once, when merge keys
    share it between environments), or a new one."""
    if not _SOLID_QUEUE_FILE.search(view.path):
        return []
    head, base = _app_yaml_entries(view, "head", _solid_queue_processes), _app_yaml_entries(view, "base", _solid_queue_processes)
    added = _added(view)
    if head is None or base is None:  # not valid YAML: each changed line that sets one of them
        words = {w for settings in _SOLID_QUEUE_SETTINGS.values() for w in settings}
        return [pr.rule.finding(view.path, n, f"Solid Queue setting changed in {view.path}, which is not valid YAML: how many "
                                "jobs run at the same time, and which, may change.")
                for n in sorted(added) if view.line("head", n).strip().lstrip("- ").split(":")[0] in words]
    out: list[Finding] = []
    for e, old in _changed_entries(head, base, added):
        if e.setting in ("threads", "processes"):
            tail = consequence(old, e.value)
        elif e.setting == "queues":
            tail = "which jobs these processes run changes; a queue no worker lists is no longer drained."
        else:
            tail = "how often jobs are picked up, and how concurrency limits are kept, changes."
        what = f"{e.setting} of Solid Queue's {e.owner}"
        message = (f"{what} changed from {short(old)} to {short(e.value)} in {view.path}: {tail}" if old is not None
                   else f"{what} set to {short(e.value)} in {view.path}: {tail}")
        out.append(pr.rule.finding(view.path, e.line, message))
    return out


# --- MyBatis mappers (DC263) ----------------------------------------------------------------------

MYBATIS_MAPPER = re.compile(r"<mapper\s[^>]*\bnamespace\s*=")
_MYBATIS_STATEMENT = re.compile(
    r"<(?P<kind>update|insert|delete|select|sql)\b[^>]*?\bid\s*=\s*[\"'](?P<id>[^\"']+)[\"'][^>]*>(?P<body>.*?)</(?P=kind)\s*>",
    re.S | re.I)
_MYBATIS_LOCKS = re.compile(r"(?i)\bfor\s+(?:update|share|no\s+key\s+update)\b|\block\s+in\s+share\s+mode\b")


@check("mybatis-write")
def mybatis_write(view: FileView, pr: PackRule) -> list[Finding]:
    """Each statement of a mapper that writes (or locks) and holds a changed line, once, at its
    first changed line; a changed `<sql>` fragment when a writing statement includes it."""
    text = view.text("head", strings=True)
    if not MYBATIS_MAPPER.search(text):
        return []
    numbered = _Lines(text)
    added = sorted(_added(view))
    statements = list(_MYBATIS_STATEMENT.finditer(text))
    writers = [m for m in statements if m.group("kind").lower() in ("update", "insert", "delete")
               or (m.group("kind").lower() == "select" and _MYBATIS_LOCKS.search(m.group("body")))]
    included = {ref for m in writers for ref in re.findall(r"<include\s+refid\s*=\s*[\"']([^\"']+)", m.group("body"))}
    out: list[Finding] = []
    for m in statements:
        kind, sid = m.group("kind").lower(), m.group("id")
        if m not in writers and not (kind == "sql" and sid in included):
            continue
        first, last = numbered.number(m.start()), numbered.number(m.end() - 1)
        rows = [n for n in added if first <= n <= last]
        if not rows:
            continue
        what = {"update": "updates rows", "insert": "inserts rows", "delete": "deletes rows",
                "select": "locks the rows it reads", "sql": "is part of a statement that writes rows"}[kind]
        out.append(pr.rule.finding(
            view.path, rows[0],
            f"MyBatis statement `{sid}` ({kind}) changed in {view.path}: it {what} that requests and jobs share. Say "
            "what two workers running it at once now write, and whether a value it writes was computed from a read "
            "that another worker may have changed since."))
    return out

