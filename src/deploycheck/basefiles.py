"""Files of the base commit that detectors may consult (a package manifest, say), read lazily.

The base, never the head: what the branch under test cannot change. Nothing is read until a
detector asks, so a change no detector needs it for costs no git process.
"""

from __future__ import annotations


class BaseFiles:
    def __init__(self, repo_root: str, rev: str | None) -> None:
        self.repo_root, self.rev = repo_root, rev
        self._read: dict[str, bytes | None] = {}
        self._names: list[str] | None = None
        self.memo: dict = {}  # detectors' conclusions about the base (one scan, one process)

    def read(self, path: str, limit: int = 1_000_000) -> bytes | None:
        """``path`` at the base, or None when absent (or over ``limit`` bytes)."""
        if path not in self._read:
            data = None
            if self.rev:
                from .gitcmd import show_file

                data = show_file(self.rev, path, self.repo_root)
            self._read[path] = data if data is None or len(data) <= limit else None
        return self._read[path]

    def root_names(self) -> list[str]:
        """The names at the top of the base's tree."""
        if self._names is None:
            self._names = []
            if self.rev:
                from .gitcmd import output

                self._names = output(["ls-tree", "--name-only", "-z", self.rev], self.repo_root).split("\0")
                self._names = [n for n in self._names if n]
        return self._names
