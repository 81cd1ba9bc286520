"""The change fingerprint: binds a record to the content of a change, not to commit ids.

Pure functions over the ``FileChange`` objects that ``change.py`` parses from the pinned diff
(docs/design.md "The fingerprint"; the byte format: docs/records.md "Fingerprint format"). A
rebase or an edit to an unflagged file leaves the fingerprint of the flagged files alone; any edit
to a flagged file changes its digest.

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
4. **Where each line sits** (fingerprint version 2): before the first removed line of a hunk,
   and again whenever the scope changes between removed lines, ``b"@-" + SCOPE + b"\\n"``;
   the same with ``b"@+"`` for added lines. ``SCOPE`` is the line's enclosing scope in its
   own side of the file (removed lines: the base version; added lines: the head version),
   computed by ``line_scopes`` from the file's text, never from git's hunk header (which
   ``.gitattributes`` and git's configuration can change), and ``?`` when that text could not
   be read. Without it, the same ``-``/``+`` pair moved from a read-only function into one that
   writes would keep its digest (security review, issue 15).

Scopes come from indentation alone, so that every Python version and every language gives the
same answer for the same bytes (``ast`` would differ between interpreters): a line's scope is
the chain of the nearest earlier lines with less indentation, outermost first, joined by
``\\0``. For Python (``.py``, ``.pyi``, ``.pyw``) only ``def``/``async def``/``class`` lines
count, each as ``def NAME``/``class NAME``, and comment lines never close a scope; for other
files every non-blank line counts, cut to 200 bytes (a YAML key path, a C or JavaScript
function header). Line numbers are not part of it: a rebase that moves the function, or an
edit elsewhere in the file on the base branch, keeps the digest; moving an edit into another
function, or renaming the function it sits in, changes it. Parts 1–3 never start with ``@``.

Parts 2 and 3 cannot be confused with part 1 or each other: every text line starts with ``-``
or ``+``. The change fingerprint (``fingerprint``) is SHA-256 over the (path, digest) pairs
sorted by the path's UTF-8 bytes, each serialised as ``PATH + b"\\0" + DIGEST + b"\\n"``.
Records say which version they used (``fingerprint.version``; absent means 1, which the gate
reports as stale: it did not bind position).

Known limit: git's ``\\ No newline at end of file`` marker is not part of the model, so adding
and removing a final newline on the same line hash alike (both are ``-x`` then ``+x``). Scopes
are read from indentation, so text at a lower indentation inside a multi-line string or bracket
closes a Python scope early; both places then read as module level.
"""

from __future__ import annotations

import hashlib
import re
from typing import Callable, Iterable, Mapping, Sequence

from ..git.model import FileChange

ALGORITHM = "sha256"
VERSION = 2  # 1: content only; 2: content and the scope of each line (part 4 above)
PYTHON_SUFFIXES = (".py", ".pyi", ".pyw")
UNKNOWN_SCOPE = b"?"
_LABEL_LIMIT = 200
_PY_OPENER = re.compile(rb"(?:async[ \t]+)?(def|class)[ \t]+([^\s(:]+)")


def _path_bytes(path: str) -> bytes:
    return path.encode("utf-8", "surrogateescape")


def _side(value: str | None) -> bytes:
    return (value or "0").encode("ascii", "replace")


def _indent(line: bytes) -> int:
    width = 0
    for byte in line:
        if byte == 0x20:
            width += 1
        elif byte == 0x09:
            width += 8 - width % 8
        else:
            break
    return width


def line_scopes(data: bytes | None, python: bool) -> list[bytes]:
    """The scope of every line of ``data`` (index 0 is line 1): see the module docstring."""
    if data is None:
        return []
    stack: list[tuple[int, bytes]] = []
    scopes = []
    for raw in data.split(b"\n"):
        line = _strip_cr(raw)
        text = line.lstrip(b" \t\f\v")
        if not text or (python and text.startswith(b"#")):
            scopes.append(b"\0".join(label for _, label in stack))
            continue
        width = _indent(line)
        while stack and stack[-1][0] >= width:
            stack.pop()
        scopes.append(b"\0".join(label for _, label in stack))
        if python:
            m = _PY_OPENER.match(text)
            if m is not None:
                stack.append((width, m.group(1) + b" " + m.group(2)))
        else:
            stack.append((width, text[:_LABEL_LIMIT]))
    return scopes


def is_python(path: str) -> bool:
    return path.endswith(PYTHON_SUFFIXES)


def file_bytes(fc: FileChange, old_text: bytes | None = None, new_text: bytes | None = None) -> bytes:
    """The exact bytes ``file_digest`` hashes (see the module docstring). ``old_text`` and
    ``new_text`` are the file's content on each side, for the scopes (part 4)."""
    out = bytearray()
    if (fc.old_mode or None) != (fc.new_mode or None):
        out += b"mode " + _side(fc.old_mode) + b" " + _side(fc.new_mode) + b"\n"
    if fc.binary:
        out += b"binary " + _side(fc.old_blob) + b" " + _side(fc.new_blob) + b"\n"
        return bytes(out)
    python = is_python(fc.path)
    old_scopes = line_scopes(old_text, python)
    new_scopes = line_scopes(new_text, python)
    for hunk in fc.hunks:
        _lines(out, b"-", hunk.removed, old_scopes)
        _lines(out, b"+", hunk.added, new_scopes)
    return bytes(out)


def _lines(out: bytearray, sign: bytes, lines: Sequence, scopes: list[bytes]) -> None:
    last = None
    for line in lines:
        number = line.number
        scope = scopes[number - 1] if 0 < number <= len(scopes) else UNKNOWN_SCOPE
        if scope != last:
            out += b"@" + sign + scope + b"\n"
            last = scope
        out += sign + _strip_cr(line.raw()) + b"\n"


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


BlobRead = Callable[[str], "bytes | None"]  # full object id -> content (None: unreadable)


def file_digest(fc: FileChange, read_blob: BlobRead | None = None) -> str:
    """The digest of one file; ``read_blob`` reads each side's content for the scopes (without
    it every scope is ``?``: only for callers that compare digests made the same way)."""
    old_text = new_text = None
    if read_blob is not None and not fc.binary:
        hunks = fc.hunks
        if fc.old_blob and any(h.removed for h in hunks):
            old_text = read_blob(fc.old_blob)
        if fc.new_blob and any(h.added for h in hunks):
            new_text = read_blob(fc.new_blob)
    return hashlib.sha256(file_bytes(fc, old_text, new_text)).hexdigest()


def file_digests(files: Iterable[FileChange], paths: Iterable[str], read_blob: BlobRead | None = None) -> dict[str, str]:
    """``{path_key(path): digest}`` for the files of the change whose path is in ``paths`` (the
    flagged ones)."""
    wanted = set(paths)
    return {path_key(fc.path): file_digest(fc, read_blob) for fc in files if fc.path in wanted}


def fingerprint(pairs: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    """SHA-256 over the sorted ``(path, digest)`` pairs."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    h = hashlib.sha256()
    for path, digest in sorted(((_path_bytes(p), d) for p, d in items)):
        h.update(path + b"\0" + digest.encode("ascii") + b"\n")
    return h.hexdigest()


def compare(recorded: Mapping[str, str], current: Mapping[str, str],
            unflagged: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """Files the record does not cover as they are: ``[(path, reason)]`` sorted by path.

    ``current``: the flagged files' digests. ``unflagged``: the digests of the record's files that
    are no longer flagged but that the change still touches. Such a file edited since signing is
    stale too: the edit may be what made it quiet (a new user's trial put a long-held lock back
    with a one-line edit, and the file dropped out of the flagged set while the record's answers
    still described the lock-free version). So is a recorded file the change no longer touches
    (put back to the base's text): the record was signed for a change that included it, and the
    rest may depend on it (another trial reverted the consumer's half of a queue-region move; the
    producer's half, still signed, kept the record valid). Only an unchanged file is no problem.
    """
    problems = []
    for path in sorted(current):
        if path not in recorded:
            problems.append((path, "flagged now, but not covered by the record (newly flagged file)"))
        elif recorded[path] != current[path]:
            problems.append((path, "changed since the record was signed"))
    quiet = unflagged or {}
    for path in sorted(set(recorded) - set(current)):
        if path not in quiet:
            problems.append((path, "no longer changed by the branch (put back to the base's text since the record was "
                                   "signed): the record's answers describe a change that included it"))
        elif recorded[path] != quiet[path]:
            problems.append((path, "changed since the record was signed (no longer flagged, but the record's answers "
                                   "describe the version it signed)"))
    return sorted(problems)
