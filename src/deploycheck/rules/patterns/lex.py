"""Blank out comments and string literals, per language, keeping every line where it was.

Pattern rules must not match words in comments or strings ("# TODO: add a worker", a log
message mentioning a queue). ``lex(text, lexer)`` returns two copies of ``text`` of exactly the
same shape (same length, newlines in the same places):

- ``code``: comments and the contents of string literals replaced by spaces (the quotes stay,
  so a pattern can still see that a string was there);
- ``nocomment``: only comments blanked, strings kept, for patterns that must read inside a
  string (SQL in ``db.Exec("UPDATE …")``, a dict key ``'worker_concurrency'``).

Each lexer is one regular expression of alternatives tried left to right, so the first of a
comment or a string to start wins, which is the rule every one of these languages follows.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ...util.plain import Frozen

# An unterminated string ends at the end of its line. Written as "unrolled loops" (a run of plain
# characters, then escape + run, …) rather than `(?:\\.|[^"\\\n])*`: the two match the same
# text, but Python's re keeps state for every turn of a repeated group, which made one 9 MB
# string literal cost 2.2 GB and 14 s; a repeated character class keeps none.
_DQ = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"?'
_SQ = r"'[^'\\\n]*(?:\\.[^'\\\n]*)*'?"

# name -> (regex, group names that are comments; every other group is a string)
_LEXERS: dict[str, tuple[str, tuple[str, ...]]] = {
    # JavaScript, TypeScript, Go, Java, Kotlin: //, /* */, "", '', `` (template/raw, multi-line),
    # and """ text blocks (Java, Kotlin).
    # A // comment also ends at a lone CR or U+2028/U+2029: JavaScript and Java end lines there
    # (Node runs `// note\rcode()`), while git's lines, and so the packs', end only at \n.
    "c": (
        r"(?P<line>//[^\n\r\u2028\u2029]*)|(?P<block>/\*.*?(?:\*/|\Z))|(?P<tq>\"\"\".*?(?:\"\"\"|\Z))"
        rf"|(?P<dq>{_DQ})|(?P<sq>{_SQ})|(?P<bt>`[^`\\]*(?:\\.[^`\\]*)*`?)",
        ("line", "block"),
    ),
    # Ruby: =begin/=end blocks, # comments, heredocs (<<~SQL … SQL), "", '', ``.
    "ruby": (
        r"(?P<block>^=begin\b.*?(?:^=end\b[^\n]*|\Z))|(?P<line>#[^\n]*)"
        r"|(?P<heredoc><<[~-]?(?P<hq>['\"]?)(?P<tag>[A-Z_][A-Z0-9_]*)(?P=hq)[^\n]*\n.*?(?:^[ \t]*(?P=tag)\b|\Z))"
        rf"|(?P<dq>{_DQ})|(?P<sq>{_SQ})|(?P<bt>`[^`\\\n]*(?:\\.[^`\\\n]*)*`?)",
        ("block", "line"),
    ),
    # Python: # comments; triple-quoted strings (docstrings) count as comments so that prose
    # in them never matches, even for patterns that read inside ordinary strings.
    "python": (
        r"(?P<line>#[^\n]*)|(?P<tq>\"\"\".*?(?:\"\"\"|\Z)|'''.*?(?:'''|\Z))"
        rf"|(?P<dq>{_DQ})|(?P<sq>{_SQ})",
        ("line", "tq"),
    ),
    # SQL: -- and /* */ comments, '' strings ('' escapes a quote). "x" is an identifier: kept.
    "sql": (
        r"(?P<line>--[^\n]*)|(?P<block>/\*.*?(?:\*/|\Z))|(?P<sq>'[^']*(?:''[^']*)*'?)",
        ("line", "block"),
    ),
    # YAML, Procfile, shell, Dockerfile, crontab, INI: a # that starts a line or follows
    # whitespace. Strings are kept as they are: commands and values live in them.
    "hash": (r"(?P<line>(?:(?<=\s)|^)#[^\n]*)", ("line",)),
    # XML (MyBatis mappers): `<!-- -->` comments; text and attribute values are kept (the SQL
    # and its `#{param}`s are what the rules read).
    "xml": (r"(?P<block><!--.*?(?:-->|\Z))", ("block",)),
}


class Lexed(Frozen):
    _fields = ("code", "nocomment")

    def __init__(self, code: str, nocomment: str) -> None:
        self.code, self.nocomment = code, nocomment

    def code_lines(self) -> list[str]:
        return self.code.split("\n")

    def nocomment_lines(self) -> list[str]:
        return self.nocomment.split("\n")


@lru_cache(maxsize=None)
def _compiled(lexer: str) -> tuple[re.Pattern[str], frozenset[str]]:
    try:
        source, comments = _LEXERS[lexer]
    except KeyError:
        raise ValueError(f"unknown lexer {lexer!r}; known: {', '.join(sorted(_LEXERS))}") from None
    return re.compile(source, re.DOTALL | re.MULTILINE), frozenset(comments)


def lexers() -> tuple[str, ...]:
    return tuple(sorted(_LEXERS))


def _spaces(text: str) -> str:
    """Blank every character but newlines, so line numbers and columns survive."""
    # Per line, not per character (re.sub on each character took 1 s per 9 MB string).
    return "\n".join(" " * len(part) for part in text.split("\n"))


def _blank_string(text: str) -> str:
    if len(text) < 2:
        return _spaces(text)
    quote_len = 3 if text[:3] in ('"""', "'''") else 1
    if text.startswith("<<"):  # heredoc: keep the opener line's marker, blank the body
        first, _, rest = text.partition("\n")
        return first + "\n" + _spaces(rest) if rest or text.endswith("\n") else _spaces(text)
    head, body, tail = text[:quote_len], text[quote_len:-quote_len], text[-quote_len:]
    if len(text) < 2 * quote_len or tail != head:  # unterminated: keep the opening quote only
        return head + _spaces(text[quote_len:])
    return head + _spaces(body) + tail


def lex(text: str, lexer: str) -> Lexed:
    pattern, comment_groups = _compiled(lexer)
    code: list[str] = []
    nocomment: list[str] = []
    last = 0
    for m in pattern.finditer(text):
        start, end = m.span()
        if start == end:
            continue
        plain = text[last:start]
        code.append(plain)
        nocomment.append(plain)
        token = m.group(0)
        if m.lastgroup in comment_groups or _is_comment(m, comment_groups):
            blank = _spaces(token)
            code.append(blank)
            nocomment.append(blank)
        else:
            code.append(_blank_string(token))
            nocomment.append(token)
        last = end
    code.append(text[last:])
    nocomment.append(text[last:])
    return Lexed("".join(code), "".join(nocomment))


def _is_comment(m: re.Match[str], comment_groups: frozenset[str]) -> bool:
    # ``lastgroup`` names the last *closed* group, which for the heredoc alternative is an
    # inner group; look at which top-level alternative actually matched.
    return any(m.group(g) is not None for g in comment_groups)
