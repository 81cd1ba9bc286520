"""The fast path of `deploycheck verify --hook`: a git hook nobody feels.

A pre-push (or pre-commit) hook runs on every push. The full CLI would spend most of its time
importing Typer, Click and Rich, none of which the hook's few plain lines need. This path reads
the arguments itself and does what ``commands.verify.run`` does for ``--hook`` (same range, same
base branch config, same scan, same verdict, same messages, from the same functions):

- nothing flagged and no record touched (almost every push): the verdict is "pass"
  (``verification.evaluate``), so it prints nothing and exits 0 without even loading the
  record and signing code; a record the push adds, rewrites or deletes is checked as `verify`
  checks it;
- flagged: the gate's verdict from the records, signatures and the base branch's signers,
  printed by ``output.verdict.print_hook``.

An argument it does not handle (``--allowed-signers``, a machine format, ``--help``) returns
None and ``__main__`` runs the full CLI. Errors (not a repository, base not found, bad config)
are raised as the full path raises them, and ``__main__`` turns them into exit code 2.
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
    """The hook's exit code (0 pass, 1 blocked); None to let the full CLI handle the arguments."""
    values = parse_args(args)
    if values is None:
        return None
    import os

    from ..analysis.pipeline import analyse
    from ..git.gitcmd import BlobReader

    cwd = os.getcwd()
    with BlobReader(cwd) as objects:  # one git process for every revision and file asked about
        base, head = values.get("--base"), values.get("--head")
        if base is None and head is None:
            from .range import pushed_range

            base, head = pushed_range(cwd, objects)
        # The rule families are imported only for files their gates admit (rules/__init__.py).
        # As `verify --hook`, it may write the job index's cache (see commands/verify.py).
        ctx = analyse(base, head, cwd, objects)
    from ..config import RECORDS_DIR  # (config.py, which analyse has imported: record.py would cost the quiet path)

    touches_records = any(fc.path.startswith(RECORDS_DIR + "/") for fc in ctx.deck_files)
    if not ctx.scan.flagged_files and not touches_records:
        return 0  # a record the change touches is checked even when nothing is flagged
    from ..gate.verification import gate_verdict
    from ..output.verdict import print_hook

    verdict = gate_verdict(ctx, None)
    print_hook(verdict)
    return 0 if verdict.ok else 1
