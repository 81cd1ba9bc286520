"""Entry point and the one error boundary: exceptions become exit codes and readable messages.

Kept free of heavy imports: `--version` and the git hooks (hooks/dispatch.py) never load Typer or Rich.
"""

from __future__ import annotations

import os
import sys

SUBCOMMANDS = {"check", "scan", "verify", "summary", "log", "explain", "rules", "init", "hook", "demo", "envs"}


def _normalise(argv: list[str]) -> list[str]:
    """`deploycheck` alone, or with only check's options, means `deploycheck check`."""
    args = [a for a in argv if a != "--debug"]
    if not args or (args[0].startswith("-") and args[0] not in ("--help", "-h", "--version", "--install-completion", "--show-completion")):
        return ["check", *args]
    return args


def main(argv: list[str] | None = None) -> int:
    sys.unraisablehook = _quiet_interrupt
    code = _main(argv)
    if code == 130:
        quiet_teardown()  # a 130 returned, not raised (the git hooks' own Ctrl-C)
    return code


def _quiet_interrupt(unraisable, _default=sys.unraisablehook) -> None:
    """Ctrl-C that lands inside a callback Python cannot raise from (a weak reference's, while the
    garbage collector runs) is not printed as "Exception ignored" with a traceback (a fresh
    clone's CI saw it at a dumb terminal, session 28): the same Ctrl-C also stops the prompt, in
    the main flow, which says so in one line. Raising it again from here does not work: the
    pending interrupt lands in this hook, which Python reports the same way. Anything else is
    reported as Python would."""
    if unraisable.exc_type is KeyboardInterrupt:
        return
    _default(unraisable)


def quiet_teardown() -> None:
    """After Ctrl-C, nothing more on stderr than the one line that said so. The interrupt can land
    while a library builds an object (prompt_toolkit's event loop, at a dumb terminal): its
    destructor then fails when the process ends, and Python prints that as "Exception ignored"
    with a traceback, beside a warning about the coroutine it never ran. Nothing is left to
    report once the command has stopped."""
    import warnings

    sys.unraisablehook = lambda _unraisable: None
    warnings.simplefilter("ignore")


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or os.environ.get("DEPLOYCHECK_DEBUG") == "1"
    args = _normalise(argv)
    if args == ["--version"]:
        from . import __version__

        print(f"deploycheck {__version__}")
        return 0
    from .errors import DeployCheckError

    try:
        from .hooks.dispatch import run_hook  # git hooks: answered without Typer, Click or Rich

        code = run_hook(args)
        if code is not None:
            return code
        from .cli import run

        code = run(args)
        from .output import console

        # The gate never reports a pass it could not finish telling (exit 1: not passed).
        return 1 if console.reader_gone and args[:1] == ["verify"] and code == 0 else code
    except DeployCheckError as exc:
        if exc.exit_code == 130:  # Ctrl-C is the user's choice, not an error
            # Before this clause ends and frees the interrupted frames (quiet_teardown).
            quiet_teardown()
            from .util.safe import inert

            print(f"deploycheck: {inert(exc.message, keep_newlines=False)}", file=sys.stderr)
        else:
            _error(exc.message)
        return exc.exit_code
    except KeyboardInterrupt:
        quiet_teardown()
        print("\ndeploycheck: interrupted; nothing was written.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`deploycheck log | head`): not an error worth a message.
        from .output.console import drop_stdout

        drop_stdout()
        # The gate never reports a pass it could not finish telling (exit 1: not passed).
        return 1 if args[:1] == ["verify"] else 0
    except Exception as exc:  # noqa: BLE001 - the boundary: a bug must still exit 2 without a traceback
        if debug:
            import traceback

            traceback.print_exc()
        _error(
            f"internal error ({type(exc).__name__}: {exc}). This is a bug in deploycheck; nothing was written. "
            "Re-run with --debug to see the traceback and report it."
        )
        return 2


def _error(message: str) -> None:
    from .util.safe import inert

    # One line: a path with a line break must not start a line of its own in a CI log
    # (GitHub reads `::error::…` at the start of any output line as a workflow command).
    print(f"deploycheck: error: {inert(message, keep_newlines=False)}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
