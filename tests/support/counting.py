"""Work counted, not timed: a string that counts how often a character of it is read."""

from __future__ import annotations


class Counted(str):
    """A string that counts how often a character of it is read: a matcher's work, on any machine."""

    reads = 0

    def __getitem__(self, index):
        Counted.reads += 1
        return str.__getitem__(self, index)
