"""Plain data shared by every part: the change, its files and hunks, and findings.

Nothing here touches git, the terminal or the file system.
"""

from __future__ import annotations

import re
from operator import itemgetter

from ..util.plain import Plain

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SEVERITIES = ("info", "warning", "high")
CATEGORIES = ("job", "queue", "shared-state", "concurrency", "migration", "config")
QUESTION_IDS = (
    "shared-state",
    "sequential-assumption",
    "concurrency-tested",
    "rollback-safe",
    "silent-failure",
)

# File kinds and statuses of a FileChange.
ADDED, MODIFIED, DELETED, TYPE_CHANGED = "added", "modified", "deleted", "type-changed"
KIND_FILE, KIND_SYMLINK, KIND_SUBMODULE = "file", "symlink", "submodule"
# A -U0 hunk header whose new side has no line: the hunk only removes lines.
_PURE_REMOVAL = re.compile(rb"(?m)^@@ -\d+(?:,\d+)? \+\d+,0 @@")


class Line(tuple):
    """One removed or added line: ``(number, text)``, its number on its side and its text.

    ``text`` has no line terminator; it is the line's bytes decoded as UTF-8 with
    ``surrogateescape`` so that non-UTF-8 content survives a round trip (``raw()``).
    A trailing ``\\r`` (CRLF files) is kept in ``text``. (A tuple, not a class with fields: a
    large diff has hundreds of thousands of lines and construction cost matters.)
    """

    __slots__ = ()

    def __new__(cls, number: int, text: str) -> "Line":
        return tuple.__new__(cls, (number, text))

    number = property(itemgetter(0), doc="The line's number on its side.")  # itemgetter: C speed
    text = property(itemgetter(1), doc="The line's text, without its terminator.")

    def __repr__(self) -> str:
        return f"Line(number={self[0]!r}, text={self[1]!r})"

    def raw(self) -> bytes:
        return self.text.encode("utf-8", "surrogateescape")


class Hunk(Plain):
    _fields = ("old_start", "old_count", "new_start", "new_count", "removed", "added")

    def __init__(
        self, old_start: int, old_count: int, new_start: int, new_count: int,
        removed: list[Line] | None = None, added: list[Line] | None = None,
    ) -> None:
        self.old_start, self.old_count, self.new_start, self.new_count = old_start, old_count, new_start, new_count
        self.removed: list[Line] = [] if removed is None else removed
        self.added: list[Line] = [] if added is None else added


# The model parses its own stored hunk bytes (FileChange.hunks), so it never imports the diff
# parser that builds it (git/diffparse.py imports this module).
_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def parse_hunks(data: bytes) -> list[Hunk]:
    """Parse the ``@@`` hunks of one file's section into removed and added lines."""
    hunks: list[Hunk] = []
    removed: list[Line] = []
    added: list[Line] = []
    old_no = new_no = 0
    match = _HUNK.match
    make = tuple.__new__  # Line(n, text) without its Python-level __new__: 2x faster
    for line in data.split(b"\n"):
        if not line:
            continue
        first = line[0]
        if first == 45:  # "-"
            removed.append(make(Line, (old_no, line[1:].decode("utf-8", "surrogateescape"))))
            old_no += 1
        elif first == 43:  # "+"
            added.append(make(Line, (new_no, line[1:].decode("utf-8", "surrogateescape"))))
            new_no += 1
        elif first == 64:  # "@"
            m = match(line)
            if m:
                old_start, old_count, new_start, new_count = m.groups()
                removed, added = [], []
                old_no, new_no = int(old_start), int(new_start)
                hunks.append(Hunk(old_no, 1 if old_count is None else int(old_count),
                                  new_no, 1 if new_count is None else int(new_count), removed, added))
        # "\\ No newline at end of file" carries no line of its own.
    return hunks


class FileChange(Plain):
    """One path in the change. Renames are never detected (``--no-renames``): a move is a
    deletion plus an addition, so ``old_path == new_path`` unless one side is absent.

    The hunks are parsed lazily from ``hunk_bytes`` (the file's section of the diff from its
    first ``@@`` line): most files of a large change are never looked at line by line.
    """

    _fields = ("old_path", "new_path", "status", "old_mode", "new_mode", "old_blob", "new_blob", "binary", "hunk_bytes")

    def __init__(
        self,
        old_path: str | None,  # None when added
        new_path: str | None,  # None when deleted
        status: str,  # added | modified | deleted | type-changed
        old_mode: str | None = None,  # e.g. "100644", "100755", "120000" (symlink), "160000" (submodule)
        new_mode: str | None = None,
        old_blob: str | None = None,  # full object id, None when absent
        new_blob: str | None = None,
        binary: bool = False,
        hunk_bytes: bytes = b"",
    ) -> None:
        self.old_path, self.new_path, self.status = old_path, new_path, status
        self.old_mode, self.new_mode, self.old_blob, self.new_blob = old_mode, new_mode, old_blob, new_blob
        self.binary, self.hunk_bytes = binary, hunk_bytes
        self._hunks: list[Hunk] | None = None

    @property
    def hunks(self) -> list[Hunk]:
        if self._hunks is None:
            self._hunks = parse_hunks(self.hunk_bytes)
        return self._hunks

    @hunks.setter
    def hunks(self, value: list[Hunk]) -> None:
        self._hunks = value

    @property
    def path(self) -> str:
        """The path a reviewer knows the file by: the head path, or the base path when deleted."""
        return self.new_path if self.new_path is not None else self.old_path  # type: ignore[return-value]  # a change always has one of the two

    @property
    def kind(self) -> str:
        mode = self.new_mode or self.old_mode or ""
        if mode == "120000":
            return KIND_SYMLINK
        if mode == "160000":
            return KIND_SUBMODULE
        return KIND_FILE

    @property
    def mode_changed(self) -> bool:
        return self.status == MODIFIED and self.old_mode != self.new_mode

    # Cheap questions about the hunks answered from the raw bytes while they are unparsed (most
    # files of a large change are never parsed): in a -U0 section every line after the first
    # "@@" header is a hunk header, "+added", "-removed" or "\\ No newline".
    def adds_lines(self) -> bool:
        if self._hunks is not None:
            return any(h.added for h in self._hunks)
        return b"\n+" in self.hunk_bytes

    def has_pure_removal(self) -> bool:
        """Whether some hunk only removes lines (its header reads ``+N,0 @@``)."""
        if self._hunks is not None:
            return any(not h.added for h in self._hunks)
        # Such a header holds ",0 @@": a byte search (in C) rules most sections out at once.
        return b",0 @@" in self.hunk_bytes and _PURE_REMOVAL.search(self.hunk_bytes) is not None

    def added_lines(self) -> list[Line]:
        return [line for hunk in self.hunks for line in hunk.added]

    def removed_lines(self) -> list[Line]:
        return [line for hunk in self.hunks for line in hunk.removed]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FileChange):
            return NotImplemented
        fields = ("old_path", "new_path", "status", "old_mode", "new_mode", "old_blob", "new_blob", "binary")
        return all(getattr(self, f) == getattr(other, f) for f in fields) and self.hunks == other.hunks


class Change(Plain):
    """What a branch changed: ``merge_base..head_sha``."""

    _fields = ("repo_root", "base_ref", "base_source", "base_sha", "merge_base", "head_ref", "head_sha", "files")

    def __init__(
        self,
        repo_root: str,
        base_ref: str,  # as the user or environment named it, e.g. "origin/main"
        base_source: str,  # how it was chosen, e.g. "--base", "GITHUB_BASE_REF", "origin/HEAD"
        base_sha: str,
        merge_base: str,
        head_ref: str,
        head_sha: str,
        files: list[FileChange] | None = None,
    ) -> None:
        self.repo_root, self.base_ref, self.base_source, self.base_sha = repo_root, base_ref, base_source, base_sha
        self.merge_base, self.head_ref, self.head_sha = merge_base, head_ref, head_sha
        self.files: list[FileChange] = [] if files is None else files

    def file(self, path: str) -> FileChange | None:
        for f in self.files:
            if f.path == path:
                return f
        return None


class Finding(Plain):
    _fields = (
        "rule", "name", "category", "severity", "path", "line", "end_line", "message", "questions", "side",
        "suppressed", "suppression_reason", "suppressed_by_author", "job", "trail",
    )

    def __init__(
        self,
        rule: str,
        name: str,
        category: str,
        severity: str,
        path: str,
        line: int,
        end_line: int,
        message: str,
        questions: tuple[str, ...] = (),
        side: str = "head",  # "base" when the line numbers refer to the base version (deletions)
        suppressed: bool = False,
        suppression_reason: str | None = None,
        # A suppression comment that the change under test added itself: shown with its reason,
        # never honoured (``suppressed`` stays False), so an author cannot silence their own
        # change (docs/design.md, "The gate"). ``suppression_reason`` holds the comment's reason.
        suppressed_by_author: bool = False,
        # Where background code runs the changed code, for machine readers (the message says it
        # in words): the job, {"kind", "path", "line", "name"}, and the trail of calls from the
        # job down to the changed function, each {"path", "line", "name"} and, where the search
        # followed a name, "calls". Not part of a record (records keep what the author was shown).
        job: dict[str, Any] | None = None,
        trail: tuple[dict[str, Any], ...] | None = None,
    ) -> None:
        self.rule, self.name, self.category, self.severity = rule, name, category, severity
        self.path, self.line, self.end_line, self.message = path, line, end_line, message
        self.questions, self.side = questions, side
        self.suppressed, self.suppression_reason = suppressed, suppression_reason
        self.suppressed_by_author = suppressed_by_author
        self.job, self.trail = job, trail

    @property
    def flags(self) -> bool:
        """Whether this finding makes the change flagged (warning or high, not suppressed; see
        docs/design.md, "Findings and the JSON fields")."""
        return not self.suppressed and self.severity in ("warning", "high")

    @property
    def location(self) -> str:
        """``path:line``, marked when the line number refers to the base version (a removed line)."""
        return f"{self.path}:{self.line} (base)" if self.side == "base" else f"{self.path}:{self.line}"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "name": self.name,
            "category": self.category,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "end_line": self.end_line,
            "message": self.message,
            "questions": list(self.questions),
        }
        if self.side != "head":
            data["side"] = self.side
        if self.suppressed:
            data["suppressed"] = True
            data["suppression_reason"] = self.suppression_reason or ""
        elif self.suppressed_by_author:
            data["suppressed_by_author"] = True
            data["suppression_reason"] = self.suppression_reason or ""
        if self.job is not None:
            data["job"] = dict(self.job)
        if self.trail is not None:
            data["trail"] = [dict(step) for step in self.trail]
        return data

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line, self.rule)
