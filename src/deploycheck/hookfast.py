"""The fast path of `deploycheck verify --hook`: a git hook nobody feels.

A pre-push (or pre-commit) hook runs on every push, almost always over changes that touch no
job, queue or shared state. For those the full CLI would spend most of its time importing
Typer, Rich and the record and signing code only to print nothing and exit 0. This path reads
the arguments itself, runs the same analysis as ``commands.verify`` (same range, same base
branch config, same scan) and answers directly when nothing is flagged: then the gate's verdict
is "pass" whatever the records say (``verification.evaluate``), and the hook prints nothing.

Anything else returns None and ``__main__`` runs the full CLI, which computes the verdict with
records and signatures and prints it: a flagged change, an unusual argument, ``--help``, a
machine format. Errors (not a repository, base not found, bad config) are raised exactly as the
full path raises them, from the same functions, and ``__main__`` turns them into exit code 2.
"""

from __future__ import annotations

VALUE_OPTIONS = ("--base", "--head", "--format")


def parse_args(args: list[str]) -> dict[str, str] | None:
    """``verify``'s arguments as {"--base": …, "--head": …, "--format": …} when they are ones this
    path handles (``--hook`` present, text output); None for anything else."""
    values: dict[str, str] = {}
    hook = False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--hook":
            hook = True
            i += 1
            continue
        name, eq, value = arg.partition("=")
        if name not in VALUE_OPTIONS or name in values:
            return None  # an unknown flag, a repeated option, "--": let Typer say what it means
        if not eq:
            if i + 1 >= len(args) or args[i + 1].startswith("-"):
                return None  # a missing value (or one Typer would read differently): full CLI
            value = args[i + 1]
            i += 1
        values[name] = value
        i += 1
    if not hook or values.get("--format", "text") != "text":
        return None
    return values


def try_fast_hook(args: list[str]) -> int | None:
    """Exit code 0 when the change is not flagged; None to let the full CLI decide."""
    values = parse_args(args)
    if values is None:
        return None
    import os

    from .commands.common import analyse
    from .gitcmd import BlobReader

    cwd = os.getcwd()
    with BlobReader(cwd) as objects:  # one git process for every revision and file asked about
        base, head = values.get("--base"), values.get("--head")
        if base is None and head is None:
            from .hookrange import pushed_range

            base, head = pushed_range(cwd, objects)
        # The rule families are imported only for files their gates admit (rules/__init__.py).
        ctx = analyse(base, head, cwd, objects)
    if ctx.scan.flagged_files:
        return None  # the full gate: records, signatures, trust, and its messages
    return 0
