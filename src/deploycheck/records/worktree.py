"""Uncommitted edits in the checkout: deploycheck reads commits, never the work tree.

A scan, a verdict and a record are all about committed content (the record binds to the blobs of
the head commit). An edit that is not committed yet is in none of them, so a command that reads
the checkout's HEAD says so instead of a silent pass or "Nothing to do".
"""

from __future__ import annotations

from ..git import gitcmd
from ..analysis.pipeline import Context


def _edited(ctx: Context) -> set[str] | None:
    """Tracked files whose work tree or index differs from HEAD; None when the change's head is
    not the checkout's HEAD (``--head``, a hook's range) or the checkout is no work tree."""
    root = ctx.change.repo_root
    if gitcmd.resolve("HEAD", root) != ctx.change.head_sha:
        return None
    # --no-optional-locks: `verify` is read-only, and a status must not rewrite the index.
    proc = gitcmd.run(["--no-optional-locks", "status", "--porcelain=v1", "-z", "--untracked-files=no"], root, check=False)
    if proc.returncode != 0:
        return None  # not a work tree (a bare clone in CI): nothing uncommitted to speak of
    edited: set[str] = set()
    fields = proc.stdout.split(b"\0")
    i = 0
    while i < len(fields):
        entry = fields[i]
        i += 1
        if len(entry) < 4:
            continue
        paths = [entry[3:]]
        if entry[:1] in b"RC" or entry[1:2] in b"RC":  # a rename or copy: the source path follows
            paths.append(fields[i])
            i += 1
        edited.update(p.decode("utf-8", "surrogateescape") for p in paths)
    return edited


def uncommitted_edits(ctx: Context) -> list[str]:
    """Tracked files whose work tree or index differs from HEAD, the change's own (and flagged)
    files first; empty when the change's head is not the checkout's HEAD (``--head``, a hook's
    range). Any tracked file counts, not only the change's: a job edited on a branch with nothing
    committed yet is the edit most likely to be missed. Records are left out: ``check`` stages
    one for the author to commit (``uncommitted_records``)."""
    from .record import RECORDS_DIR

    edited = {p for p in _edited(ctx) or () if not p.startswith(RECORDS_DIR + "/")}
    wanted = {path for fc in ctx.change.files for path in (fc.old_path, fc.new_path) if path}
    wanted.update(ctx.scan.flagged_files)
    return sorted(edited, key=lambda p: (p not in wanted, p))


def uncommitted_records(ctx: Context) -> list[str]:
    """Records written or staged but not committed: `verify` right after the checklist re-signed
    one reads the committed, older record (signon's trial, session 41: "stale-record" with no word
    of the new one staged beside it)."""
    from .record import RECORDS_DIR

    return sorted(p for p in _edited(ctx) or () if p.startswith(RECORDS_DIR + "/"))


def uncommitted_note(paths: list[str], shown: int = 5) -> str:
    """One plain sentence for ``paths`` (from ``uncommitted_edits``)."""
    from ..util.safe import inert

    names = ", ".join(inert(p, keep_newlines=False) for p in paths[:shown])
    if len(paths) > shown:
        names += f" and {len(paths) - shown} more"
    return (
        f"uncommitted edits to {names} are not part of this result: deploycheck reads commits, and a record "
        "binds to committed content. Commit them first, then run deploycheck again."
    )


def uncommitted_records_note(paths: list[str]) -> str:
    """One plain sentence for ``paths`` (from ``uncommitted_records``)."""
    from ..util.safe import inert

    names = ", ".join(inert(p, keep_newlines=False) for p in paths[:3])
    return (f"the record {names} is written but not committed, so this result read the committed one: "
            "commit it (`git commit`), then run deploycheck verify again.")
