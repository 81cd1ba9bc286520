"""The two Rich consoles: stdout for what the user asked for, stderr for diagnostics.

Rich honours NO_COLOR and prints plain text when the stream is not a terminal. Markup is off
by default so untrusted text can never be interpreted; renderers style with Text objects.
"""

from __future__ import annotations

import os
from functools import lru_cache


def _width() -> int | None:
    cols = os.environ.get("COLUMNS", "")
    return int(cols) if cols.isdigit() and int(cols) > 20 else None


@lru_cache(maxsize=None)
def out():
    from rich.console import Console

    return Console(markup=False, highlight=False, emoji=False, width=_width(), soft_wrap=False)


@lru_cache(maxsize=None)
def err():
    from rich.console import Console

    return Console(stderr=True, markup=False, highlight=False, emoji=False, width=_width())


def warn(message: str) -> None:
    from rich.text import Text

    from .safe import inert

    err().print(Text("deploycheck: warning: ", style="yellow") + Text(inert(message)))


def note(message: str) -> None:
    from rich.text import Text

    from .safe import inert

    err().print(Text("deploycheck: ", style="dim") + Text(inert(message)))
