"""Files of the base commit that detectors may consult (a package manifest, say), read lazily.

The base, never the head: what the branch under test cannot change. Reads go through the scan's
own object reader (``git cat-file --batch``, already running), so they cost no git process, and
nothing is read until a detector asks.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable


class BaseFiles:
    def __init__(self, rev: str | None, read_object: Callable[[str], bytes | None],
                 touched: frozenset[str] | None = None, at_head: frozenset[str] | None = None,
                 merge_base: str | None = None, whole_files: tuple[tuple[str, str, str], ...] = ()) -> None:
        self.rev, self._read_object = rev, read_object
        # The paths the change adds, removes or modifies (both sides of a rename) since
        # ``merge_base`` (where the branch forked from the base, which may have moved on since):
        # every other file is the same there and at head. None when not known. ``at_head``:
        # those of them that exist at head (not deleted).
        self.touched, self.at_head, self.merge_base = touched, at_head, merge_base
        # The files the change adds or deletes whole, as (status, path, blob id): the two halves of
        # a file moved with --no-renames (rules/trees/moved.py pairs them).
        self.whole_files = whole_files
        self._names: list[str] | None = None
        self.memo: dict = {}  # detectors' conclusions about the base (one scan, one process)

    def read(self, path: str) -> bytes | None:
        """``path`` at the base, or None when absent (or larger than the scan reads)."""
        if not self.rev or "\n" in path:
            return None
        return self._read_object(f"{self.rev}:{path}")

    def read_object(self, oid: str) -> bytes | None:
        """A blob of the change by its id (either side), through the scan's object reader."""
        return self._read_object(oid) if oid and "\n" not in oid else None

    def root_names(self) -> list[str]:
        """The names at the top of the base's tree (read from the raw tree object)."""
        if self._names is None:
            self._names = []
            raw = self._read_object(f"{self.rev}^{{tree}}") if self.rev else None
            digest = 32 if self.rev and len(self.rev) == 64 else 20  # SHA-256 or SHA-1 repositories
            at = 0
            while raw and at < len(raw):
                space, nul = raw.find(b" ", at), raw.find(b"\0", at)
                if space < 0 or nul < 0:
                    break
                self._names.append(raw[space + 1 : nul].decode("utf-8", "surrogateescape"))
                at = nul + 1 + digest
        return self._names
