"""Which changed lines of a file are only realigned: the same words, spaced differently.

gofmt aligning a struct's fields once one is renamed (`mu         sync.Mutex` ->
`mu        sync.Mutex`), or a formatter taking one of the two spaces before a trailing comment
(nakama's `x = ""  // …` -> `x = "" // …`), changes lines and no behaviour. Both the pattern
packs (rules/patterns/engine.py) and the syntax-tree rules (rules/trees/detect.py) read such a
line as unchanged.

A line counts as realigned when the other side changed a line with the same indentation, the
same whitespace-separated words and the same text inside its strings, in the same run of changed
lines. Kept as changes: a line with the same text on both sides (it moved, and moving a lock can
change what it guards), one realigned into another block (a mutex moved to another struct, which
gofmt then aligns with its new neighbours), one re-indented (Python's blocks are indentation), and
one whose strings' spacing changed (`"lock: " + id`, a key the old version still takes). Words
are split at whitespace only, so Ruby's `foo -1` (a call) and `foo - 1` (a subtraction) differ.
A line of code whose trailing comment alone changed counts as realigned too; a line that is only a
comment does not (directives are written as comments).
"""

from __future__ import annotations

import re

from .base import FileContext
from .patterns.lex import lex


def realigned(ctx: FileContext, side: str, lexer: str) -> frozenset[int]:
    """The line numbers of ``side`` ("head": added, "base": removed) that are only realigned;
    ``lexer`` (rules/patterns/lex.py) tells where the file's strings are."""
    key = ("realigned", lexer, side)
    if key not in ctx.cache:
        ctx.cache[key] = _realigned(ctx, side, lexer)
    return ctx.cache[key]


def _realigned(ctx: FileContext, side: str, lexer: str) -> frozenset[int]:
    mine, other = (ctx.added, ctx.removed) if side == "head" else (ctx.removed, ctx.added)
    if not mine or not other:
        return frozenset()
    blocks = _blocks(ctx)
    other_side = "base" if side == "head" else "head"
    twins: dict[tuple, set[str]] = {}
    for n, line in other.items():
        twins.setdefault((blocks[(other_side, n)], *_spacing_free(line, lexer)), set()).add(line)
    out = {n for n, line in mine.items()
           if (found := twins.get((blocks[(side, n)], *_spacing_free(line, lexer)))) and line not in found}
    return frozenset(out | _recommented(ctx, side, lexer, blocks))


def _recommented(ctx: FileContext, side: str, lexer: str, blocks: dict[tuple[str, int], int]) -> set[int]:
    """The lines of ``side`` whose trailing comment alone changed: in a run of changed lines that
    adds as many lines as it removes, the line at the same place on the other side holds the
    same code before a comment of its own (CasaOS's `spec := "*/30 * * * * ?" //cron…` reworded,
    a new user's trial, session 34). Line for line, so that a line doubled (`go w.Run(ctx)` started
    twice) or moved (a write above the lock that guarded it) stays a change (the red team of
    session 34)."""
    marker = _LINE_COMMENTS.get(lexer)
    if marker is None:
        return set()
    runs: dict[int, dict[str, list[int]]] = {}
    for (where, n), block in sorted(blocks.items()):
        runs.setdefault(block, {"head": [], "base": []})[where].append(n)
    # Line for line, with a comment marker on one side at least: only then are the files read.
    pairs = [(head_n, base_n) for run in runs.values() if len(run["head"]) == len(run["base"])
             for head_n, base_n in zip(run["head"], run["base"])
             if marker in ctx.added.get(head_n, "") or marker in ctx.removed.get(base_n, "")]
    if not pairs:
        return set()
    # Lexed whole, not line by line: a heredoc's `#{…}` or a string over several lines is no comment.
    # The same lexing the pattern packs read (FileContext.lexed), done once per file and side.
    head, base = ctx.lexed("head", lexer), ctx.lexed("base", lexer)
    if head is None or base is None:
        return set()
    kept = {"head": head.nocomment_lines(), "base": base.nocomment_lines()}
    out = set()
    for head_n, base_n in pairs:
        a = _code_before_comment(ctx.added.get(head_n), kept["head"], head_n, lexer)
        b = _code_before_comment(ctx.removed.get(base_n), kept["base"], base_n, lexer)
        if a is not None and b is not None and a[1:] == b[1:] and (a[0] or b[0]):
            out.add(head_n if side == "head" else base_n)  # a comment on either side, the same code
    return out


# How a comment that runs to the end of its line starts, per lexer (rules/patterns/lex.py).
_LINE_COMMENTS = {"c": "//", "ruby": "#", "sql": "--", "hash": "#"}
_PAIRS = {")": "(", "]": "[", "}": "{"}


def _code_before_comment(line: str | None, kept: list[str], number: int,
                         lexer: str) -> tuple[bool, str, tuple[str, ...]] | None:
    """Whether a line of code has a trailing line comment, its indentation and the words of its
    code before the comment; None for a line that is only a comment (directives live there:
    `# frozen_string_literal: true`, `//go:build`), a comment inside the line (`/* … */`, a Python
    docstring), or code that leaves a bracket open before the "comment" (a regular expression's
    `\\//` read as one: `url.replace(/^https?:\\/\\//, "")`)."""
    if line is None or not 0 < number <= len(kept):
        return None
    line, code = line.removesuffix("\r"), kept[number - 1]  # the lexed text's line ends are `\n` alone
    if len(code) != len(line):
        return None  # the lexer's view of the line does not line up with it
    indent = line[: len(line) - len(line.lstrip())]
    if code == line:
        return (False, indent, tuple(line.split())) if line.strip() else None
    start = len(code.rstrip())
    if not code[:start].strip() or not line[start:].lstrip().startswith(_LINE_COMMENTS[lexer]) \
            or line[:start].rstrip().endswith("\\"):
        return None
    depth: list[str] = []
    for c in code[:start]:  # strings are kept in ``code``: their brackets count too, paired as a rule
        if c in "([{":
            depth.append(c)
        elif c in _PAIRS and (not depth or depth.pop() != _PAIRS[c]):
            return None
    if depth:
        return None
    return True, indent, tuple(code[:start].split())


def _spacing_free(line: str, lexer: str) -> tuple[str, tuple[str, ...], str]:
    """A line's indentation, words and the text of its strings (each space kept: lexed with the
    spaces marked, the string literals are what the lexer blanks and the comments are not)."""
    marked = lex(line.replace(" ", "\x00").replace("\t", "\x01"), lexer)
    strings = "".join(c for c, code, kept in zip(line, marked.code, marked.nocomment) if code == " " and kept != " ")
    return line[: len(line) - len(line.lstrip())], tuple(line.split()), strings


def _blocks(ctx: FileContext) -> dict[tuple[str, int], int]:
    """``_change_blocks`` of the file, once per file: every pattern match asks ``rebound``."""
    if ("realigned.blocks",) not in ctx.cache:
        ctx.cache[("realigned.blocks",)] = _change_blocks(ctx.removed, ctx.added)
    return ctx.cache[("realigned.blocks",)]


def _change_blocks(removed: dict[int, str], added: dict[int, str]) -> dict[tuple[str, int], int]:
    """Each changed line's run of changed lines: the lines between two unchanged ones, on both
    sides (the unchanged lines pair up in order, so the runs do too)."""
    gone, new = sorted(removed), sorted(added)
    blocks: dict[tuple[str, int], int] = {}
    i = j = 1  # the base's and the head's line, in step while the lines are unchanged
    r = a = block = 0
    while r < len(gone) or a < len(new):
        if (r < len(gone) and gone[r] == i) or (a < len(new) and new[a] == j):
            while r < len(gone) and gone[r] == i:
                blocks[("base", i)] = block
                i, r = i + 1, r + 1
            while a < len(new) and new[a] == j:
                blocks[("head", j)] = block
                j, a = j + 1, a + 1
            block += 1
        else:  # over the unchanged lines up to the next changed one, on either side
            gaps = ([gone[r] - i] if r < len(gone) else []) + ([new[a] - j] if a < len(new) else [])
            i, j = i + min(gaps), j + min(gaps)
    return blocks


# What only takes a call's result: a declaration, an assignment, `return`, `await`, `yield`.
_BINDING = re.compile(r"\s*(?:(?:const|let|var|val|return|await|yield)\s+|[\w$.\[\]{}, :@]+?\s*=\s*)*")
_DISCARDED = re.compile(r"\s*(?:_\s*,\s*)*_\s*:?=\s*")  # Go's `_ =`: the result dropped
_WAITS = re.compile(r"\b(?:await|yield)\b")


def rebound(ctx: FileContext, side: str, number: int, tail: str) -> bool:
    """Whether changed line ``number`` of ``side`` and the line the other side changed at the same
    place of the same run of changed lines both end in ``tail`` (a matched call and the rest of its
    line), at one indentation, and differ only in what takes the call's result before it:
    ActivityPub's `const account = await this.db.transaction(…` became
    `return await this.db.transaction(…` (a new user's trial, session 38). A condition or any
    other code before the call still counts as a change."""
    mine, other = (ctx.added, ctx.removed) if side == "head" else (ctx.removed, ctx.added)
    line = mine.get(number, "")
    if not tail or not line.endswith(tail) or not other:
        return False
    blocks = _blocks(ctx)
    block, other_side = blocks.get((side, number)), "base" if side == "head" else "head"
    # The block's lines are numbered consecutively on each side: the twin is at the same offset.
    own = [n for (s, n), b in blocks.items() if s == side and b == block]
    theirs = [n for (s, n), b in blocks.items() if s == other_side and b == block]
    if len(own) != len(theirs):
        return False
    twin = other.get(min(theirs) + number - min(own), "")
    indent = len(line) - len(line.lstrip())
    if not twin.endswith(tail) or len(twin) - len(twin.lstrip()) != indent:
        return False
    before = [text[indent: len(text) - len(tail)] for text in (line, twin)]
    # Both take the result, alike: a dropped `await`, `return` or `err :=` (the red team of session
    # 38: a transaction left floating, a Go transaction's error ignored) is a change, as is `_ =`.
    return all(b.strip() and _BINDING.fullmatch(b) and not _DISCARDED.fullmatch(b) for b in before) and len(
        {tuple(_WAITS.findall(b)) for b in before}) == 1
