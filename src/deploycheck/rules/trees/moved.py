"""A safeguard moved into a helper is not a removal.

The regex packs' "safeguard removed" rules (DC355-DC358) count a lock, transaction or version
check per file: when a function's ``tx.Begin``/``mu.Lock()``/``with_lock`` is replaced by a call to
a helper that does the same (``dbutil.WithTx(ctx, db, func…)``, ``c.withLock(func…)``), the count
drops and the removal was reported as a `high`. Read with the trees: the removed line's function
still exists on the head and now calls a helper it did not call before. When that helper is
defined in the same file and holds the safeguard, the finding becomes `info` (moved, verified);
when the helper is defined elsewhere and only its name says lock/transaction, it stays flagged as
a `warning` (moved, not verified). Anything else stays as the pack reports it.
"""

from __future__ import annotations

import re

from .langs import language_of_file
from .parse import Parsed, parsed
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
