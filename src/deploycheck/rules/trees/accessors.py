"""Go: a field read swapped for the accessor that reads it under its struct's lock, or back (DC704).

nats-server fixed a data race by writing `mset.raftNode()` where it had read `mset.node`:
`raftNode` takes `mset.mu.RLock()` and returns the field (a new user's trial, session 39). The
diff shows only a name changed for a call, so nothing was flagged. Within one hunk, a receiver's
field read on a removed line and a call of a method of it with no arguments on an added line
(or the other way round) are paired; the method is found in the package (its folder) at head
and counts when its body takes a lock and returns that field. The swap to the accessor is a
lock added to a read (a warning: every other reader of the field should be checked); the swap
away is a lock removed (high).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# `mset.raftNode()`, and a field read `mset.node` that is not itself a call.
_CALL = re.compile(r"(?<![\w.])([a-z_]\w*)\.([A-Za-z_]\w*)\(\)")
_FIELD = re.compile(r"(?<![\w.])([a-z_]\w*)\.([A-Za-z_]\w*)\b(?!\s*\()")
_LOCKED = re.compile(r"\.R?Lock\(\)")


def swaps(hunks: Iterable[tuple[dict[int, str], dict[int, str]]]) -> list[tuple[str, int, str, str, str]]:
    """(direction, line, receiver, field, method) for each receiver whose field read on one side
    of a hunk and whose argument-less call on the other may be the same read: "to" when the call
    was added (at its line), "from" when it went away (at the added line that reads the field).
    ``hunks``: (removed, added) lines by their number on their side; the line given is the head's."""
    out = []
    for removed, added in hunks:
        for calls, reads, direction in ((added, removed, "to"), (removed, added, "from")):
            for number, text in sorted(calls.items()):
                for receiver, method in _CALL.findall(text):
                    for other, read in sorted(reads.items()):
                        if f"{receiver}.{method}()" in read:
                            continue  # the call was there on both sides
                        for r, field in _FIELD.findall(read):
                            if r == receiver and field != method:
                                line = number if direction == "to" else other
                                out.append((direction, line, receiver, field, method))
    return out


def locked_accessor(body: str, field: str) -> str | None:
    """The lock call of a Go method's ``body`` when it takes a lock and returns ``field`` of its
    receiver (`mset.mu.RLock()` … `return mset.node`), else None."""
    lock = _LOCKED.search(body)
    if lock is None:
        return None
    returned = re.search(rf"\breturn\s+[a-z_]\w*\.{re.escape(field)}\s*$", body, re.MULTILINE)
    # Or copied under the lock and returned after it: `n := mset.node; mset.mu.RUnlock(); return n`.
    copied = re.search(rf"^\s*(\w+)\s*:?=\s*[a-z_]\w*\.{re.escape(field)}\s*$", body, re.MULTILINE)
    if returned is None and (copied is None or not re.search(rf"\breturn\s+{copied.group(1)}\s*$", body, re.MULTILINE)):
        return None
    start = body.rfind("\n", 0, lock.start()) + 1
    return body[start:lock.end()].strip()


def method_body(source: str, method: str) -> str | None:
    """The body of the first method ``method`` (no parameters) declared in ``source``."""
    m = re.search(rf"^func\s+\([^)]*\)\s+{re.escape(method)}\(\)[^\n{{]*\{{\s*$", source, re.MULTILINE)
    if m is None:
        return None
    end = re.compile(r"^\}\s*$", re.MULTILINE).search(source, m.end())
    return source[m.end(): end.start() if end else len(source)]


def held_at(lines: list[str], line: int, receiver: str, lock: str) -> bool:
    """Whether the function holding ``line`` (1-based) of ``lines`` has locked ``receiver``'s mutex
    that the accessor's ``lock`` names (`mset.mu.RLock()` -> `mu`) before it, and not unlocked it
    since but by a `defer`: there the bare field is the read to make, as calling the accessor would
    take the lock again (a deadlock fix: the red team of session 39)."""
    mutex = lock.split(".")[-2] if lock.count(".") >= 2 else None
    if mutex is None:
        return False
    held = False
    for text in lines[_function_start(lines, line - 1):line - 1]:
        if re.search(rf"(?<![\w.]){re.escape(receiver)}\.{re.escape(mutex)}\.R?Lock\(\)", text):
            held = True
        elif re.search(rf"(?<![\w.]){re.escape(receiver)}\.{re.escape(mutex)}\.R?Unlock\(\)", text) \
                and not re.match(r"^\s*defer\b", text):
            held = False
    return held


def _function_start(lines: list[str], row: int) -> int:
    return next((i for i in range(row, -1, -1) if lines[i].startswith("func ")), 0)


def accessor_findings(candidates: list[tuple[str, int, str, str, str]], find: Callable[[str], str | None],
                      held: Callable[[int, str, str], bool] = lambda line, receiver, lock: False) -> list[tuple[str, int, str]]:
    """(severity, line, message) for each candidate whose method ``find`` (a method name -> its
    body in the package, or None) shows to be a locked accessor of the field; a read swapped back
    where ``held`` (line, receiver, lock) says the function holds that lock already is none."""
    out, seen = [], set()
    for direction, line, receiver, field, method in candidates:
        body = find(method)
        lock = locked_accessor(body, field) if body is not None else None
        if lock is None or (line, field) in seen or direction == "from" and held(line, receiver, lock):
            continue
        seen.add((line, field))
        if direction == "to":
            out.append(("warning", line, (
                f"`{receiver}.{field}` is read through `{method}()` now, which takes the lock (`{lock}`) before it "
                f"returns the field: a read that raced with the field's writers is serialised. Check the field's "
                f"other reads: each one outside the lock still races.")))
        else:
            out.append(("high", line, (
                f"`{receiver}.{field}` is read directly now, where `{method}()` read it under the lock (`{lock}`): "
                f"the read can race with the field's writers (goroutines that set it while this one reads).")))
    return out
