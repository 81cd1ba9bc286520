"""The two Rich consoles: stdout for what the user asked for, stderr for diagnostics.

Rich honours NO_COLOR and prints plain text when the stream is not a terminal. Markup is off
by default so untrusted text can never be interpreted; renderers style with Text objects.
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable

# A CI runner reads any output line that starts (after blanks) with `::` as a command: GitHub
# Actions turns `::error file=…::…` into an annotation and `::stop-commands::` silences the log.
# Untrusted text is printed on one line, but Rich wraps and folds long lines, so a hostile file
# name can still land at the start of one. Such a line start is shown as `\x3a:` instead.
_COMMAND_AT_LINE_START = re.compile(r"(^|\n)([ \t]*)::")


class _NoRunnerCommands:
    """A stream (stdout or stderr, looked up at each write so test captures keep working) on
    which no output line can start a CI workflow command."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._at_line_start = True

    @property
    def _stream(self):
        return getattr(sys, self._name)

    def write(self, text: str) -> int:
        guarded = _COMMAND_AT_LINE_START.sub(
            lambda m: m.group(1) + m.group(2) + ("\\x3a:" if m.group(1) or self._at_line_start else "::"), text
        )
        if text:
            self._at_line_start = text.endswith("\n")
        try:
            return self._stream.write(guarded)
        except BrokenPipeError:
            if self._name != "stdout":
                raise
            drop_stdout()  # the report's reader went away; the command goes on (see out())
            return len(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


# Output that is not a terminal (a pipe, a file, a CI log) is never wrapped: a log viewer
# shows long lines whole or folds them itself, and a hard break with an unindented continuation
# splits a message, a path or a YAML example in two. Rich wraps at this width, i.e. never.
NO_WRAP_WIDTH = 100_000


def _width(name: str = "stdout") -> int | None:
    cols = os.environ.get("COLUMNS", "")
    if cols.isdigit() and int(cols) > 20:
        return int(cols)  # asked for explicitly
    try:
        terminal = getattr(sys, name).isatty()
    except (AttributeError, ValueError, OSError):
        terminal = False
    return None if terminal else NO_WRAP_WIDTH


# Whether the reader of stdout went away (`deploycheck check --answers F --yes | head -2`).
reader_gone = False


def drop_stdout() -> None:
    """The rest of stdout goes nowhere: its reader has gone."""
    global reader_gone
    reader_gone = True
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


@lru_cache(maxsize=None)
def out():
    from rich.console import Console

    class _Out(Console):
        def on_broken_pipe(self) -> None:
            # Rich exits with status 1 here: a `check` whose report was piped into `head` then
            # stopped before writing its record (a new user's trial). The report is dropped and
            # the command goes on; `__main__` decides the exit status (the gate's is 1).
            self.quiet = True
            drop_stdout()

    return _Out(file=_NoRunnerCommands("stdout"), markup=False, highlight=False, emoji=False, width=_width(), soft_wrap=False)


@lru_cache(maxsize=None)
def err():
    from rich.console import Console

    return Console(file=_NoRunnerCommands("stderr"), stderr=True, markup=False, highlight=False, emoji=False, width=_width("stderr"))


def warn(message: str) -> None:
    from rich.text import Text

    from ..util.safe import inert

    err().print(Text("deploycheck: warning: ", style="yellow") + Text(inert(message, keep_newlines=False)))


def note(message: str) -> None:
    from rich.text import Text

    from ..util.safe import inert

    err().print(Text("deploycheck: ", style="dim") + Text(inert(message, keep_newlines=False)))


def prints_unchanged(console) -> "Callable[[str], bool] | None":
    """A test of whether ``console.print`` would write a line of text exactly as it is, or None
    when it never would (a terminal, colour or a recording console: styles change the bytes).
    A line passes when it is printable (Rich expands tabs and drops control characters), ends in
    no blank and fits the width (Rich crops). Output of thousands of lines then skips Rich's
    rendering, about 0.1 ms a line."""
    if console.is_terminal or console.color_system is not None or console.record:
        return None
    from rich.cells import cell_len

    width = console.width

    def unchanged(line: str) -> bool:
        # (printable ASCII is one cell a character: no need for Rich's cell_len, ~2 us a line)
        return line.isprintable() and line == line.rstrip() and (len(line) if line.isascii() else cell_len(line)) <= width

    return unchanged
