"""The change fingerprint: binds a record to the content of a change, not to commit ids.

Pure functions over the ``FileChange`` objects that ``change.py`` parses from the pinned diff
(DESIGN.md "The fingerprint"). A rebase or an edit to an unflagged file leaves the
fingerprint of the flagged files alone; any edit to a flagged file changes its digest.

Byte serialisation of one file (``file_digest``), hashed with SHA-256 and written as lower-case
hex. ``OLD``/``NEW`` stand for the value on each side, or ``0`` when that side is absent:

1. When the file mode differs between the two sides (chmod, file <-> symlink, added or deleted
   file): ``b"mode " + OLD_MODE + b" " + NEW_MODE + b"\\n"``, e.g. ``mode 100644 100755``.
2. Binary files (including text files over git's ``core.bigFileThreshold``):
   ``b"binary " + OLD_BLOB + b" " + NEW_BLOB + b"\\n"`` with the full object ids.
3. Text files: for each hunk in diff order, each removed line as ``b"-" + LINE + b"\\n"``, then
   each added line as ``b"+" + LINE + b"\\n"``. ``LINE`` is the line's exact bytes without its
   terminator and without one trailing ``\\r`` (so CRLF and LF files agree); no line numbers,
   no context. Non-UTF-8 bytes are hashed as they are.

Parts 2 and 3 cannot be confused with part 1 or each other: every text line starts with ``-``
or ``+``. The change fingerprint (``fingerprint``) is SHA-256 over the (path, digest) pairs
sorted by the path's UTF-8 bytes, each serialised as ``PATH + b"\\0" + DIGEST + b"\\n"``.

Known limit: git's ``\\ No newline at end of file`` marker is not part of the model, so adding
and removing a final newline on the same line hash alike (both are ``-x`` then ``+x``).
"""

from __future__ import annotations

import hashlib
from typing import Iterable, Mapping

from .model import FileChange

ALGORITHM = "sha256"


def _path_bytes(path: str) -> bytes:
    return path.encode("utf-8", "surrogateescape")


def _side(value: str | None) -> bytes:
    return (value or "0").encode("ascii", "replace")


def file_bytes(fc: FileChange) -> bytes:
    """The exact bytes ``file_digest`` hashes (see the module docstring)."""
    out = bytearray()
    if (fc.old_mode or None) != (fc.new_mode or None):
        out += b"mode " + _side(fc.old_mode) + b" " + _side(fc.new_mode) + b"\n"
    if fc.binary:
        out += b"binary " + _side(fc.old_blob) + b" " + _side(fc.new_blob) + b"\n"
        return bytes(out)
    for hunk in fc.hunks:
        for line in hunk.removed:
            out += b"-" + _strip_cr(line.raw()) + b"\n"
        for line in hunk.added:
            out += b"+" + _strip_cr(line.raw()) + b"\n"
    return bytes(out)


def _strip_cr(raw: bytes) -> bytes:
    return raw[:-1] if raw.endswith(b"\r") else raw


def path_key(path: str) -> str:
    """The path as records store it. Non-UTF-8 bytes in a path (lone surrogates after
    ``surrogateescape`` decoding) cannot be written to YAML, so each becomes the four
    characters ``\\xNN``; every other path is unchanged."""
    if not any("\ud800" <= ch <= "\udfff" for ch in path):
        return path
    return "".join(
        f"\\x{ord(ch) - 0xDC00:02x}" if "\udc80" <= ch <= "\udcff"
        else (f"\\u{ord(ch):04x}" if "\ud800" <= ch <= "\udfff" else ch)
        for ch in path
    )


def file_digest(fc: FileChange) -> str:
    return hashlib.sha256(file_bytes(fc)).hexdigest()


def file_digests(files: Iterable[FileChange], paths: Iterable[str]) -> dict[str, str]:
    """``{path_key(path): digest}`` for the files of the change whose path is in ``paths`` (the
    flagged ones)."""
    wanted = set(paths)
    return {path_key(fc.path): file_digest(fc) for fc in files if fc.path in wanted}


def fingerprint(pairs: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    """SHA-256 over the sorted ``(path, digest)`` pairs."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    h = hashlib.sha256()
    for path, digest in sorted(((_path_bytes(p), d) for p, d in items)):
        h.update(path + b"\0" + digest.encode("ascii") + b"\n")
    return h.hexdigest()


def compare(recorded: Mapping[str, str], current: Mapping[str, str]) -> list[tuple[str, str]]:
    """Files of ``current`` the record does not cover: ``[(path, reason)]`` sorted by path.

    Files in the record that are no longer flagged are not a problem: the record covered more
    than is needed now.
    """
    problems = []
    for path in sorted(current):
        if path not in recorded:
            problems.append((path, "flagged now, but not covered by the record (newly flagged file)"))
        elif recorded[path] != current[path]:
            problems.append((path, "changed since the record was signed"))
    return problems
