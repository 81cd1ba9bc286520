"""Code that moved is not code that changed: a safeguard moved into a helper, a file moved whole.

**A safeguard moved into a helper is not a removal.**

The regex packs' "safeguard removed" rules (DC355-DC358) count a lock, transaction or version
check per file: when a function's ``tx.Begin``/``mu.Lock()``/``with_lock`` is replaced by a call to
a helper that does the same (``dbutil.WithTx(ctx, db, func…)``, ``c.withLock(func…)``), the count
drops and the removal was reported as a `high`. Read with the trees: the removed line's function
still exists on the head and now calls a helper it did not call before. When that helper is
defined in the same file and holds the safeguard, the finding becomes `info` (moved, verified);
when the helper is defined elsewhere and only its name says lock/transaction, it stays flagged as
a `warning` (moved, not verified). Anything else stays as the pack reports it.

**A file moved whole is not new code.** The change is read with `--no-renames` (the fingerprint's
diff, docs/records.md), so a moved file is one file deleted and one added, and every function
of it read as new background code (xxl-job's open-API services moved to another package,
resque's web helpers moved into a module). ``moved_counterpart`` pairs an added file with the
deleted file of the same language that holds most of the same lines; its units are then compared
with the old file's, as a modified file's are with its base. Where a move changes what runs the
code (an autoloader's constant, a component scan's package), the code that registers it changed
too, or it did not: that is not read here (docs/limitations.md).
"""

from __future__ import annotations

import re

from .langs import language_of, language_of_file
from .parse import Parsed, parse_bytes, parsed
from .units import FUNCTIONS, _callee, index_units, qualname, units_at

_HELPER_NAME = re.compile(r"(?i)lock|tx|transaction|atomic|synchroni[sz]|mutex|serializ")
_CALLS = {"call", "call_expression", "method_invocation"}


def _calls(node, p: Parsed) -> list[str]:
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if n.type in _CALLS:
            name = _callee(n, p)
            if name and "\n" not in name:
                out.append(name)
        stack.extend(n.children)
    return out


def moved_into_helper(ctx, base_line: int, safeguard: re.Pattern[str]) -> tuple[str, str] | None:
    """(severity, explanation) when the safeguard on ``base_line`` moved into a helper, else None."""
    language = language_of_file(ctx)
    if language is None or language == "lua":
        return None
    base, head = parsed(ctx, "base", language), parsed(ctx, "head", language)
    if not isinstance(base, Parsed) or not isinstance(head, Parsed):
        return None
    chain = units_at(base, base_line - 1)
    if not chain or not any(n.type in FUNCTIONS for n in chain):
        return None
    head_units = index_units(head)
    mine = head_units.get(qualname(chain, base))
    if mine is None:
        return None
    before = set(_calls(chain[-1], base))
    for call in _calls(mine, head):
        if call in before:
            continue
        short = re.split(r"[.:]", call)[-1]
        helpers = [node for key, node in head_units.items()
                   if key.rsplit("::", 1)[-1].split("(")[0].split(".")[-1] == short and node is not mine]
        if any(safeguard.search(head.text(node)) for node in helpers):
            return "info", f"it moved into `{short}`, defined in this file, which holds it"
        if not helpers and _HELPER_NAME.search(short):
            return "warning", (f"the function now calls `{call}`, defined elsewhere, whose name says it does "
                               "the same: check that it does")
    return None


# A pair shares at least this share of its distinct non-blank lines (Jaccard): a moved file keeps
# most of its lines, a new file that replaces an old one of the same name does not.
_SAME_ENOUGH = 0.5
# Files of one language added and deleted beyond which only same-named pairs are compared.
_COMPARED = 2500


def moved_counterpart(ctx, language: str) -> tuple[str, Parsed] | None:
    """(path, tree) of the other half of a whole-file move this added (or deleted) file is part
    of: the deleted (or added) file of the change, same language, sharing the most lines with it."""
    key = ("trees.moved-counterpart", language)
    if key not in ctx.cache:
        ctx.cache[key] = None
        files = ctx.settings.base_files
        other = _pairs(files, language).get(ctx.path) if files is not None else None
        if other is not None:
            data = files.read_object(other[1])
            tree = parse_bytes(language, data) if data is not None else None
            if isinstance(tree, Parsed):
                ctx.cache[key] = (other[0], tree)
    return ctx.cache[key]


def _pairs(files, language: str) -> dict[str, tuple[str, str]]:
    """path -> (its other half's path, that file's blob id), both ways, for one scan."""
    key = ("trees.moves", language)
    if key in files.memo:
        return files.memo[key]
    mine = [(status, path, blob) for status, path, blob in files.whole_files if language_of(path) == language]
    added = [(path, blob) for status, path, blob in mine if status == "added"]
    deleted = [(path, blob) for status, path, blob in mine if status == "deleted"]
    lines: dict[str, frozenset[bytes]] = {}

    def of(blob: str) -> frozenset[bytes]:
        if blob not in lines:
            data = files.read_object(blob) or b""
            lines[blob] = frozenset(line.strip() for line in data.splitlines() if line.strip())
        return lines[blob]

    named = len(added) * len(deleted) > _COMPARED
    scored = []
    for new_path, new_blob in added:
        for old_path, old_blob in deleted:
            if named and new_path.rpartition("/")[2] != old_path.rpartition("/")[2]:
                continue
            a, b = of(new_blob), of(old_blob)
            share = len(a & b) / len(a | b) if a | b else 0.0
            if share >= _SAME_ENOUGH:
                scored.append((-share, new_path, old_path, new_blob, old_blob))
    out: dict[str, tuple[str, str]] = {}
    for _, new_path, old_path, new_blob, old_blob in sorted(scored):
        if new_path not in out and old_path not in out:  # each half in one pair, the closest first
            out[new_path], out[old_path] = (old_path, old_blob), (new_path, new_blob)
    files.memo[key] = out
    return out
