"""DC166: a Rails model's uniqueness validation with no unique index behind it.

The validation reads whether the row exists, then the insert writes it: two requests or jobs in
between both pass. Only a unique index (or key) over the validated columns, or over a part of
them, makes the database refuse the second row. The table is found as ActiveRecord finds it
(`self.table_name`, a namespace's `table_name_prefix`, a single-table-inheritance parent, its
inflections), the indexes in the application's `db/schema.rb` or `db/structure.sql`
(PostgreSQL's and MySQL's dumps).
"""

from __future__ import annotations

import posixpath
import re

from typing import Any

from ..base import scan_memo
from ..vocabulary import underscored

# ``view`` below is the pattern engine's FileView (engine.py), not imported: the engine's own
# modules would import this one back (docs/design.md, Layout: no import cycle).
FileView = Any

_CLASS = re.compile(r"^\s*class\s+((?:\w+::)*\w+)\s*<\s*((?:::)?[\w:]+)", re.MULTILINE)
_TABLE_NAME = re.compile(r"^\s*self\.table_name\s*=\s*(?:[\"'](?:\w+\.)?(\w+)[\"']|:(\w+))", re.MULTILINE)
# A base class, not a parent whose table the model shares: ApplicationRecord, an abstract
# `…Record` (a second database's), ActiveRecord::Base.
_BASE = re.compile(r"(?:^|::)(?:\w*Record|Base)$")
_VALIDATES = re.compile(r"^\s*(?:validates_uniqueness_of\b(?P<a>.*)|validates\b(?P<b>.*\buniqueness\s*:.*))$", re.DOTALL)
_ATTRIBUTE = re.compile(r"\s*\(?\s*:(\w+)\s*,?")
_SCOPE = re.compile(r"\bscope\s*:\s*(\[[^\]]*\]|%[iw]\[[^\]]*\]|:\w+|[\"']\w+[\"'])")

_IRREGULAR = {"person": "people", "man": "men", "woman": "women", "child": "children", "ox": "oxen",
              "mouse": "mice", "goose": "geese", "tooth": "teeth", "foot": "feet"}
_UNCOUNTABLE = {"equipment", "information", "rice", "money", "species", "series", "fish", "sheep", "jeans", "police"}
# ActiveSupport's plural rules, the last that matches wins (as it applies them).
_RULES = [(r"$", "s"), (r"s$", "s"), (r"(ax|test)is$", r"\1es"), (r"(octop|vir)us$", r"\1i"), (r"(alias|status)$", r"\1es"),
          (r"(bu)s$", r"\1ses"), (r"(buffal|tomat)o$", r"\1oes"), (r"([ti])um$", r"\1a"), (r"sis$", "ses"),
          (r"(?:([^f])fe|([lr])f)$", r"\1\2ves"), (r"(hive)$", r"\1s"), (r"([^aeiouy]|qu)y$", r"\1ies"),
          (r"(x|ch|ss|sh)$", r"\1es"), (r"(matr|vert|ind)(?:ix|ex)$", r"\1ices"), (r"^(m|l)ouse$", r"\1ice"),
          (r"^(ox)$", r"\1en"), (r"(quiz)$", r"\1zes")]


def plural(word: str) -> str:
    """ActiveRecord's table name for a model's snake_case name (ActiveSupport's inflections,
    without an application's own `inflect.irregular`)."""
    head, _, last = word.rpartition("_")
    if last in _UNCOUNTABLE:
        return word
    if last in _IRREGULAR:
        return (head + "_" if head else "") + _IRREGULAR[last]
    for pattern, replacement in reversed(_RULES):
        if re.search(pattern, word):
            return re.sub(pattern, replacement, word, count=1)
    return word + "s"


def _tables(view: FileView, text: str) -> list[str]:
    """The tables the model's rows may be in: its `self.table_name`, else its class's plural (and,
    in a namespace, with the namespace's prefix), and its parent's when it inherits a table."""
    named = _TABLE_NAME.search(text)
    if named:
        return [(named.group(1) or named.group(2)).lower()]
    cls = _CLASS.search(text)
    if cls is None:
        return []
    *spaces, name = cls.group(1).split("::")
    folders = [part for part in view.path.split("app/models/", 1)[-1].split("/")[:-1] if part != "concerns"]
    own = plural(underscored(name))
    out = [own] + [f"{prefix}_{own}" for prefix in {"_".join(underscored(s) for s in spaces), "_".join(folders)} if prefix]
    parent = cls.group(2).lstrip(":")
    if not _BASE.search(parent):  # single-table inheritance: the parent's table
        out.append(plural(underscored(parent.rsplit("::", 1)[-1])))
    return out


# schema.rb: `create_table "t"`, `t.index ["a", "b"], … unique: true` (or an expression, a string),
# `add_index "t", [...], unique: true`.
_SCHEMA_TABLE = re.compile(r'^\s*create_table\s+"(?:\w+\.)?(\w+)"', re.MULTILINE)
_SCHEMA_INDEX = re.compile(r'^\s*t\.index\s+(\[[^\]]*\]|"[^"\n]*")[^\n]*?\bunique:\s*true', re.MULTILINE)
_SCHEMA_ADD_INDEX = re.compile(r'^\s*add_index\s+"(?:\w+\.)?(\w+)",\s*(\[[^\]]*\]|"[^"\n]*")[^\n]*?\bunique:\s*true', re.MULTILINE)
# structure.sql: PostgreSQL's `CREATE UNIQUE INDEX … ON t (…)` and `ALTER TABLE … ADD CONSTRAINT …
# UNIQUE (…)`; MySQL's `UNIQUE KEY name (…)` inside `CREATE TABLE t (…)`.
_PG_INDEX = re.compile(r"CREATE\s+UNIQUE\s+INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+ON\s+(?:ONLY\s+)?"
                       r"(?:[\w\"`]+\.)?[\"`]?(\w+)[\"`]?\s+(?:USING\s+\w+\s*)?\(([^;]*?)\)\s*(?:WHERE\b[^;]*)?;", re.IGNORECASE)
_PG_CONSTRAINT = re.compile(r"ALTER\s+TABLE\s+(?:ONLY\s+)?(?:[\w\"`]+\.)?[\"`]?(\w+)[\"`]?\s+ADD\s+CONSTRAINT\s+\S+\s+"
                            r"(?:UNIQUE|PRIMARY\s+KEY)\s*\(([^)]*)\)", re.IGNORECASE)
_CREATE_TABLE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:[\w\"`]+\.)?[\"`]?(\w+)[\"`]?\s*\((.*?)\n\)", re.IGNORECASE | re.DOTALL)
_INLINE_KEY = re.compile(r"(?:UNIQUE\s+(?:KEY|INDEX)\s*(?:[\w\"`]+\s*)?|PRIMARY\s+KEY\s*|UNIQUE\s*)\(([^)]*)\)", re.IGNORECASE)
_NOT_COLUMNS = frozenset({"asc", "desc", "nulls", "first", "last"})


def _columns(text: str) -> frozenset[str]:
    """The columns an index lists, without functions, casts and sort orders (`lower((email)::text)`)."""
    bare = re.sub(r"::[a-z ]+", "", re.sub(r"\w+\s*\(", "", text.lower()))
    return frozenset(re.findall(r"\w+", bare)) - _NOT_COLUMNS


def _read_indexes(name: str, text: str) -> dict[str, list[frozenset[str]]]:
    found: dict[str, list[frozenset[str]]] = {}
    if name.endswith(".rb"):
        starts = [(m.start(), m.group(1)) for m in _SCHEMA_TABLE.finditer(text)]
        for m in _SCHEMA_INDEX.finditer(text):
            table = next((t for start, t in reversed(starts) if start < m.start()), None)
            if table is not None:
                found.setdefault(table.lower(), []).append(_columns(m.group(1)))
        pairs = [(m.group(1), m.group(2)) for m in _SCHEMA_ADD_INDEX.finditer(text)]
    else:
        pairs = [(m.group(1), m.group(2)) for r in (_PG_INDEX, _PG_CONSTRAINT) for m in r.finditer(text)]
        pairs += [(m.group(1), key.group(1)) for m in _CREATE_TABLE.finditer(text) for key in _INLINE_KEY.finditer(m.group(2))]
    for table, cols in pairs:
        found.setdefault(table.lower(), []).append(_columns(cols))
    return found


def _unique_indexes(view: FileView, roots: list[str]) -> tuple[str, dict[str, list[frozenset[str]]]] | None:
    """The unique indexes (and keys) per table of the first of ``roots`` (the model's application,
    then the repository's, where a packwerk pack's models live) that has a `db/schema.rb` or
    `db/structure.sql`, with the file read: None when none has."""
    ctx = view.ctx
    memo = scan_memo(ctx)
    key = "patterns.unique-indexes:" + "|".join(roots)
    if key not in memo:
        memo[key] = None
        if ctx.repo is not None:
            for root in roots:
                for name in ("db/schema.rb", "db/structure.sql"):
                    path = posixpath.join(root, name) if root else name
                    data = ctx.repo.read_blob(f"{ctx.repo.head_sha}:{path}")
                    if data is not None:
                        memo[key] = (path, _read_indexes(name, data.decode("utf-8", "replace")))
                        break
                if memo[key] is not None:
                    break
    return memo[key]


def _validations(lines: list[str]) -> list[tuple[int, int, list[str], set[str]]]:
    """(first line, last line, attributes, scope columns) of each uniqueness validation, a
    statement continued over the lines that end with a comma or an open bracket."""
    out = []
    i = 0
    while i < len(lines):
        start = i
        statement = lines[i]
        while i + 1 < len(lines) and (statement.rstrip().endswith((",", "{", "(", "[", "\\"))):
            i += 1
            statement += " " + lines[i].strip()
        i += 1
        code = statement.split("#", 1)[0] if not statement.lstrip().startswith("#") else ""
        m = _VALIDATES.match(code)
        if m is None:
            continue
        rest = m.group("a") if m.group("a") is not None else m.group("b")
        attributes = []
        while (a := _ATTRIBUTE.match(rest)) is not None:
            attributes.append(a.group(1))
            rest = rest[a.end():]
        scope = _SCOPE.search(rest)
        columns = set(re.findall(r"\w+", scope.group(1).replace("%i[", "[").replace("%w[", "["))) if scope else set()
        if attributes:
            out.append((start + 1, i, attributes, columns))
    return out


def unbacked_validations(view: FileView, added: dict[int, str]) -> list[tuple[int, dict[str, Any]]]:
    """(line, message values) of each changed uniqueness validation of the model, new to it (one
    the base already had, only reworded, is not), whose table has no unique index over (a part
    of) each validated attribute and its scope."""
    text = view.ctx.head_text() or ""
    if re.search(r"\bMongoid::Document\b", text):
        return []  # no schema file: Mongoid declares its indexes in the model
    tables = _tables(view, text)
    if not tables:
        return []
    before = {(a, frozenset(scope)) for _, _, attributes, scope in _validations((view.ctx.base_text() or "").splitlines())
              for a in attributes}
    root = view.path.split("app/models/")[0].rstrip("/") if "app/models/" in view.path else ""
    out: list[tuple[int, dict[str, Any]]] = []
    for first, last, attributes, scope in _validations(text.splitlines()):
        if not any(n in added for n in range(first, last + 1)):
            continue
        schema = _unique_indexes(view, [root, ""] if root else [""])
        indexes = [index for table in tables for index in (schema[1].get(table, []) if schema else [])]
        bare = [a for a in attributes if (a, frozenset(scope)) not in before
                and not any(index and index <= {a} | scope for index in indexes)]
        if bare:
            columns = ", ".join(sorted({bare[0]} | scope)) + ("" if len(bare) == 1 else f"; also {', '.join(bare[1:])}")
            out.append((first, {"table": tables[0], "columns": columns,
                                "schema": schema[0] if schema else "db/schema.rb (not found)"}))
    return out
