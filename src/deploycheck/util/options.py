"""Reading a command's few options without the CLI framework, for the paths that must start fast
(the git hook, `scan`). Anything unusual is left to the full CLI, which says what it means."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable


def parse_options(args: list[str], value_options: Iterable[str], flags: Iterable[str] = ()) -> dict[str, str] | None:
    """{option: value} when ``args`` hold only these options, each at most once, a value given as
    `--opt value` or `--opt=value` (a flag's value is ""); None for anything else: an unknown
    option, a repeated one, `--`, a positional argument, a missing value or one starting with
    `-` (which Typer might read differently)."""
    value_options, flags = tuple(value_options), tuple(flags)
    values: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in flags and arg not in values:
            values[arg] = ""
            i += 1
            continue
        name, eq, value = arg.partition("=")
        if name not in value_options or name in values:
            return None
        if not eq:
            if i + 1 >= len(args) or args[i + 1].startswith("-"):
                return None
            value = args[i + 1]
            i += 1
        values[name] = value
        i += 1
    return values
