"""Which languages are read as syntax trees, and how their grammars are loaded.

Grammars are imported only when a file of that language passed the family's pre-filter
(``gate``), so a change without such files never loads tree-sitter at all.
"""

from __future__ import annotations

import re
from functools import lru_cache

# extension -> language name (one grammar each; .tsx and .jsx need the JSX-aware grammars)
EXTENSIONS = {
    ".rb": "ruby", ".rake": "ruby",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
    ".go": "go",
    ".java": "java",
    ".kt": "kotlin", ".kts": "kotlin",
    ".lua": "lua",
}

# The language's grammar package and the function returning its language pointer.
_GRAMMARS = {
    "ruby": ("tree_sitter_ruby", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "go": ("tree_sitter_go", "language"),
    "java": ("tree_sitter_java", "language"),
    "kotlin": ("tree_sitter_kotlin", "language"),
    "lua": ("tree_sitter_lua", "language"),
}


def language_of(path: str) -> str | None:
    dot = path.rfind(".")
    if dot < 0 or "/" in path[dot:]:
        return None
    return EXTENSIONS.get(path[dot:].lower())


# Scripts without an extension (`bin/sidekiqload`, `script/worker`) run through the interpreter
# their `#!` line names; a script of one of these is read by that language's rules like any of
# its files. rules/not_analysed.py reports (DC001) the scripts of interpreters not listed here
# (Python's rules read `.py` files alone). Haraka's `bin/haraka` (`#!/usr/bin/env node`) starts
# its daemon: read, it is JavaScript like any `.js` file, where it used to be refused unread.
# `ts-node`, `tsx` and `deno` run TypeScript (the red team of session 40: `ts-node` read as `node`
# parsed TypeScript as JavaScript). A name counts only as a word of its own (not `node` in `ts-node`).
SCRIPT_INTERPRETERS = {"ruby": "ruby", "node": "javascript", "nodejs": "javascript", "ts-node": "typescript",
                       "tsx": "typescript", "deno": "typescript"}
_INTERPRETER = re.compile(r"#![^\n]*(?<![\w-])(" + "|".join(sorted(SCRIPT_INTERPRETERS, key=len, reverse=True))
                          + r")(?![\w-])")


def has_extension(path: str) -> bool:
    """Whether the file name has an extension (a leading dot, as in `.env`, is none)."""
    return "." in path.rsplit("/", 1)[-1].lstrip(".")


def script_language(text: str | None) -> str | None:
    """The language of a script whose first line is a `#!` naming one of SCRIPT_INTERPRETERS."""
    m = _INTERPRETER.match(text) if text else None
    return SCRIPT_INTERPRETERS[m.group(1)] if m else None


def language_of_file(ctx) -> str | None:
    """``language_of(ctx.path)``, or for a file without an extension the language of its `#!`
    line (the head's; the base's for a deleted file), read once per file."""
    language = language_of(ctx.path)
    if language is not None or has_extension(ctx.path):
        return language
    key = "langs.script"
    if key not in ctx.cache:
        ctx.cache[key] = script_language(ctx.head_text() if ctx.file.new_path is not None else ctx.base_text())
    return ctx.cache[key]


@lru_cache(maxsize=None)
def parser_for(language: str):
    """A tree-sitter parser for ``language`` (imports the grammar on first use)."""
    from importlib import import_module

    import tree_sitter

    module, function = _GRAMMARS[language]
    return tree_sitter.Parser(tree_sitter.Language(getattr(import_module(module), function)()))


def is_sql_file(path: str) -> bool:
    """A `.sql` file (a migration, a schema): read only for SQL the database runs as a job (DC716)."""
    return path.lower().endswith(".sql")
