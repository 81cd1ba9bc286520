"""One dispatch for every git hook: `verify --hook` (pre-push) and `hook warn` (pre-commit).

A hook runs on every push or commit, so neither may pay for Typer, Click or Rich. ``__main__``
asks ``run_hook`` first; it answers the arguments a hook passes and returns None for anything
else (another flag, ``--help``), which the full CLI then parses and reports as it always has.
"""

from __future__ import annotations


def run_hook(args: list[str]) -> int | None:
    """The hook's exit code, or None to let the full CLI handle ``args``."""
    if args == ["hook", "warn"]:
        from .warn import run

        try:
            return run()
        except KeyboardInterrupt:
            import sys

            # Click prints a line break before giving up on Ctrl-C; so did this hook under Typer.
            print(file=sys.stderr)
            raise
    if args[:1] == ["verify"] and "--hook" in args:
        from .fast import try_fast_hook

        return try_fast_hook(args[1:])
    return None
