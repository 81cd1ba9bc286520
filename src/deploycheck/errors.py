"""The one exception family for expected failures.

The CLI boundary (``deploycheck.__main__``) turns a ``DeployCheckError`` into its message on
stderr and its exit code; anything else is a bug and becomes exit 2 with a short notice (the
traceback only under ``--debug``).
"""

from __future__ import annotations


class DeployCheckError(Exception):
    """An expected failure: a message naming the cause and the fix, and an exit code."""

    exit_code = 2

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(DeployCheckError):
    """Bad command-line usage (unknown format, conflicting flags)."""


class GitError(DeployCheckError):
    """Git failed, the repository is missing, or history is incomplete."""


class ConfigError(DeployCheckError):
    """A configuration, checklist or answers file is invalid."""


class RecordError(DeployCheckError):
    """A record file cannot be read or written."""


class SigningError(DeployCheckError):
    """No usable signing key, or signing/verification machinery failed."""


class Aborted(DeployCheckError):
    """The user stopped the checklist; nothing was written."""

    exit_code = 1


class Interrupted(DeployCheckError):
    """Ctrl-C: stop at once, write nothing."""

    exit_code = 130

    def __init__(self, message: str = "interrupted; nothing was written.") -> None:
        super().__init__(message)
