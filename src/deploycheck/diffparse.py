"""Parse the pinned ``git diff -U0`` output into FileChange objects, one file at a time.

Pure: takes an iterable of raw lines (bytes, each ending in ``\\n``) and yields data. The input
comes from ``change.DIFF_ARGS`` so the format is fixed: no renames, no colour, ``a/``/``b/``
prefixes, full object ids, no context lines.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from .model import ADDED, DELETED, MODIFIED, TYPE_CHANGED, FileChange, Hunk, Line

_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_INDEX = re.compile(rb"^index ([0-9a-f]+)\.\.([0-9a-f]+)(?: (\d+))?$")
_ESCAPES = {ord("n"): 10, ord("t"): 9, ord('"'): 34, ord("\\"): 92, ord("a"): 7, ord("b"): 8,
            ord("f"): 12, ord("r"): 13, ord("v"): 11}


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def unquote_c(quoted: bytes) -> bytes:
    """Undo git's C-style quoting of a path (``"a/t\\303\\251st\\n"`` -> bytes)."""
    assert quoted[:1] == b'"' and quoted[-1:] == b'"'
    body, out, i = quoted[1:-1], bytearray(), 0
    while i < len(body):
        c = body[i]
        if c != 92:  # backslash
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1]
        if 48 <= nxt <= 55:  # octal byte
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
        else:
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
    return bytes(out)


def header_path(line: bytes) -> str:
    """The path of a ``diff --git a/P b/P`` header (both sides are equal without renames)."""
    rest = line[len(b"diff --git ") :].rstrip(b"\n")
    if rest.startswith(b'"'):
        # "a/..." then a space and b/... (quoted or not); the first quoted string is the a-side.
        end, i = None, 1
        while i < len(rest):
            if rest[i] == 92:
                i += 2
                continue
            if rest[i] == 34:
                end = i
                break
            i += 1
        assert end is not None, "unterminated quoted path in diff header"
        return _decode(unquote_c(rest[: end + 1])[2:])
    # Unquoted: "a/P b/P" with the same P on both sides.
    half = (len(rest) - 5) // 2
    return _decode(rest[2 : 2 + half])


def parse_diff(lines: Iterable[bytes]) -> Iterator[FileChange]:
    """Yield one FileChange per file section of the diff, in git's order.

    A type change (file <-> symlink) appears in git's patch output as a deletion followed by an
    addition of the same path; the two are merged into one ``type-changed`` FileChange.
    """
    pending: FileChange | None = None
    for fc in _sections(lines):
        if pending is not None:
            if pending.status == DELETED and fc.status == ADDED and fc.new_path == pending.old_path:
                pending.status = TYPE_CHANGED
                pending.new_path, pending.new_mode, pending.new_blob = fc.new_path, fc.new_mode, fc.new_blob
                pending.binary = pending.binary or fc.binary
                pending.hunks.extend(fc.hunks)
                yield pending
                pending = None
                continue
            yield pending
            pending = None
        if fc.status == DELETED:
            pending = fc  # may be the first half of a type change
        else:
            yield fc
    if pending is not None:
        yield pending


def _sections(lines: Iterable[bytes]) -> Iterator[FileChange]:
    current: FileChange | None = None
    hunk: Hunk | None = None
    old_no = new_no = 0
    in_header = False
    for line in lines:
        if line.startswith(b"diff --git "):
            if current is not None:
                yield current
            path = header_path(line)
            current = FileChange(old_path=path, new_path=path, status=MODIFIED)
            hunk, in_header = None, True
            continue
        if current is None:
            continue
        first = line[:1]
        if hunk is not None and first in (b"-", b"+", b"\\"):
            if first == b"-":
                hunk.removed.append(Line(old_no, _decode(line[1:].rstrip(b"\n"))))
                old_no += 1
            elif first == b"+":
                hunk.added.append(Line(new_no, _decode(line[1:].rstrip(b"\n"))))
                new_no += 1
            # "\ No newline at end of file" carries no line of its own.
            continue
        if first == b"@":
            m = _HUNK.match(line)
            if m:
                in_header = False
                old_start, new_start = int(m.group(1)), int(m.group(3))
                old_count = int(m.group(2)) if m.group(2) is not None else 1
                new_count = int(m.group(4)) if m.group(4) is not None else 1
                hunk = Hunk(old_start, old_count, new_start, new_count)
                current.hunks.append(hunk)
                old_no, new_no = old_start, new_start
                continue
        if in_header:
            _header_line(current, line.rstrip(b"\n"))
    if current is not None:
        yield current


def _header_line(fc: FileChange, line: bytes) -> None:
    if line.startswith(b"new file mode "):
        fc.status, fc.old_path, fc.new_mode = ADDED, None, _decode(line[14:])
    elif line.startswith(b"deleted file mode "):
        fc.status, fc.new_path, fc.old_mode = DELETED, None, _decode(line[18:])
    elif line.startswith(b"old mode "):
        fc.old_mode = _decode(line[9:])
    elif line.startswith(b"new mode "):
        fc.new_mode = _decode(line[9:])
    elif line.startswith(b"index "):
        m = _INDEX.match(line)
        if m:
            old, new = m.group(1).decode(), m.group(2).decode()
            fc.old_blob = None if set(old) == {"0"} else old
            fc.new_blob = None if set(new) == {"0"} else new
            if m.group(3):  # unchanged mode is printed on the index line
                fc.old_mode = fc.old_mode or m.group(3).decode()
                fc.new_mode = fc.new_mode or m.group(3).decode()
    elif line.startswith(b"Binary files ") and line.endswith(b" differ"):
        fc.binary = True
