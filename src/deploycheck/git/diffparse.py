"""Parse the pinned ``git diff -U0`` output into FileChange objects, one file at a time.

Pure: takes an iterable of raw lines (bytes, each ending in ``\\n``) and yields data. The input
comes from ``change.DIFF_ARGS`` so the format is fixed: no renames, no colour, ``a/``/``b/``
prefixes, full object ids, no context lines.
"""

from __future__ import annotations

import re
TYPE_CHECKING = False  # typing is for type checkers only: its import costs start-up time
if TYPE_CHECKING:
    from typing import IO, Iterable, Iterator

from .model import ADDED, DELETED, MODIFIED, TYPE_CHANGED, FileChange

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


def parse_diff(stream: IO[bytes] | Iterable[bytes]) -> Iterator[FileChange]:
    """Yield one FileChange per file section of the diff, in git's order.

    A type change (file <-> symlink) appears in git's patch output as a deletion followed by an
    addition of the same path; the two are merged into one ``type-changed`` FileChange.
    """
    pending: FileChange | None = None
    for fc in (_section(raw) for raw in split_sections(stream)):
        if pending is not None:
            if pending.status == DELETED and fc.status == ADDED and fc.new_path == pending.old_path:
                pending.status = TYPE_CHANGED
                pending.new_path, pending.new_mode, pending.new_blob = fc.new_path, fc.new_mode, fc.new_blob
                pending.binary = pending.binary or fc.binary
                pending.hunks = pending.hunks + fc.hunks
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


_MARK = b"\ndiff --git "


def split_sections(stream: IO[bytes] | Iterable[bytes], block: int = 1 << 20) -> Iterator[bytes]:
    """Split the diff into per-file sections with byte searches, as git writes it."""
    if hasattr(stream, "read"):
        # read1: what git has written so far (up to a block), so parsing keeps pace with git
        # instead of waiting for whole blocks and leaving the last one to parse after git ends.
        read = getattr(stream, "read1", stream.read)
        chunks: Iterable[bytes] = iter(lambda: read(block), b"")
    else:
        chunks = (b"".join(stream),)
    buf = bytearray()
    for chunk in chunks:
        # What ``buf`` held was searched already: search only the new bytes, plus the few a
        # header could straddle. Linear in the diff's size however small the pieces git writes
        # and however long one file's section.
        searched = len(buf)
        buf += chunk
        cut = buf.find(_MARK, max(1, searched - len(_MARK) + 1))
        start = 0
        while cut >= 0:
            yield bytes(memoryview(buf)[start : cut + 1])
            start = cut + 1
            cut = buf.find(_MARK, start + 1)
        if start:
            del buf[:start]
    if buf.startswith(b"diff --git "):
        yield bytes(buf)


def _section(raw: bytes) -> FileChange:
    """The header of one file's section; its hunks stay as bytes until asked for."""
    at = raw.find(b"\n@@ ")
    header, hunk_bytes = (raw, b"") if at < 0 else (raw[: at + 1], raw[at + 1 :])
    lines = header.split(b"\n")
    path = header_path(lines[0])
    fc = FileChange(old_path=path, new_path=path, status=MODIFIED, hunk_bytes=hunk_bytes)
    for line in lines[1:]:
        _header_line(fc, line)
    return fc


def _header_line(fc: FileChange, line: bytes) -> None:
    head = line[:4]
    if head == b"inde":  # the commonest: "index OLD..NEW [MODE]"
        m = _INDEX.match(line)
        if m:
            old, new = m.group(1).decode(), m.group(2).decode()
            fc.old_blob = None if old.count("0") == len(old) else old
            fc.new_blob = None if new.count("0") == len(new) else new
            if m.group(3):  # unchanged mode is printed on the index line
                fc.old_mode = fc.old_mode or m.group(3).decode()
                fc.new_mode = fc.new_mode or m.group(3).decode()
    elif head == b"new ":
        if line.startswith(b"new file mode "):
            fc.status, fc.old_path, fc.new_mode = ADDED, None, _decode(line[14:])
        elif line.startswith(b"new mode "):
            fc.new_mode = _decode(line[9:])
    elif head == b"dele" and line.startswith(b"deleted file mode "):
        fc.status, fc.new_path, fc.old_mode = DELETED, None, _decode(line[18:])
    elif head == b"old " and line.startswith(b"old mode "):
        fc.old_mode = _decode(line[9:])
    elif head == b"Bina" and line.startswith(b"Binary files ") and line.endswith(b" differ"):
        fc.binary = True
