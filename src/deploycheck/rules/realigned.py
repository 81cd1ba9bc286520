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
    blocks = _change_blocks(ctx.removed, ctx.added)
    other_side = "base" if side == "head" else "head"
    twins: dict[tuple, set[str]] = {}
    for n, line in other.items():
        twins.setdefault((blocks[(other_side, n)], *_spacing_free(line, lexer)), set()).add(line)
        if (code := _without_comment(line, lexer)) is not None:
            twins.setdefault((blocks[(other_side, n)], "code", *code), set()).add(line)
    out = set()
    for n, line in mine.items():
        found = twins.get((blocks[(side, n)], *_spacing_free(line, lexer)))
        if not found and (code := _without_comment(line, lexer)) is not None:
            found = twins.get((blocks[(side, n)], "code", *code))
        if found and line not in found:
            out.add(n)
    return frozenset(out)


def _without_comment(line: str, lexer: str) -> tuple[str, tuple[str, ...]] | None:
    """A line of code's indentation and words once its comment is blanked (strings kept): a
    trailing comment reworded beside an unchanged schedule (CasaOS's `spec := "*/30 * * * * ?"
    //cron…`, a new user's trial, session 34) changes nothing. None for a line that is only a
    comment: directives live there (`# frozen_string_literal: true`, `//go:build`)."""
    kept = lex(line, lexer).nocomment
    if not kept.strip():
        return None
    return line[: len(line) - len(line.lstrip())], tuple(kept.split())


def _spacing_free(line: str, lexer: str) -> tuple[str, tuple[str, ...], str]:
    """A line's indentation, words and the text of its strings (each space kept: lexed with the
    spaces marked, the string literals are what the lexer blanks and the comments are not)."""
    marked = lex(line.replace(" ", "\x00").replace("\t", "\x01"), lexer)
    strings = "".join(c for c, code, kept in zip(line, marked.code, marked.nocomment) if code == " " and kept != " ")
    return line[: len(line) - len(line.lstrip())], tuple(line.split()), strings


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
