"""The commit-time warning: does the STAGED change touch jobs, queues or shared state?

Run by the pre-commit hook (`deploycheck hook warn`). It never blocks a commit and never
writes or stages a file: it prints at most one line, and every problem (no repository, an
unreadable config, a bug) is swallowed into a quiet exit 0, because a warning that breaks
commits gets uninstalled. The push hook and CI are the gate.
"""

from __future__ import annotations

import os
import sys

from ..git import gitcmd
from ..git.change import DIFF_CONFIG, DIFF_FLAGS, is_deploycheck_path
from ..git.diffparse import parse_diff
from ..git.model import Change, FileChange, Finding

STAGED_REF = "(staged)"


def staged_diff_args(head_sha: str | None) -> list[str]:
    """The pinned diff of change.py, between HEAD (or nothing, before the first commit) and the index."""
    return [*DIFF_CONFIG, *DIFF_FLAGS, "--cached", *([head_sha] if head_sha else []), "--"]


def commit_index_env() -> dict[str, str] | None:
    """The environment that reads the index this commit is made from.

    `git commit -a` and `git commit PATH` build the commit in a temporary index and name it in
    GIT_INDEX_FILE for the hooks; gitcmd drops that variable (a hook must not steer our reads
    of another repository), so without it the warning read `.git/index`, which does not hold
    those changes yet, and stayed silent for the most common way of committing. A relative path
    is relative to the hook's directory, the top of the worktree.
    """
    index = os.environ.get("GIT_INDEX_FILE")
    if not index:
        return None
    return gitcmd.clean_env({"GIT_INDEX_FILE": os.path.abspath(index)})


def staged_change(root: str) -> Change:
    head_sha = gitcmd.resolve("HEAD", root)
    env = commit_index_env()
    with gitcmd.stream(staged_diff_args(head_sha), root, env=env) as out:
        files: list[FileChange] = [f for f in parse_diff(out) if not is_deploycheck_path(f.path)]
    return Change(
        repo_root=root,
        base_ref="HEAD",
        base_source="the last commit",
        base_sha=head_sha or "",
        merge_base=head_sha or "",
        head_ref=STAGED_REF,
        head_sha=_index_tree(root, env) or head_sha or "",
        files=files,
    )


def _index_tree(root: str, env: dict[str, str] | None = None) -> str | None:
    """The tree the commit will have, for whole-change rules that read the head's files.

    `git write-tree` only adds objects to the object store (as `git add` already did for the
    blobs); no file the user sees is touched. None while the index has unmerged paths.
    """
    proc = gitcmd.run(["write-tree"], root, check=False, env=env)
    if proc.returncode != 0:
        return None
    return proc.stdout.decode().strip() or None


def warning_line(findings: list[Finding], record: str | None = None) -> str | None:
    """One line naming what the staged change touches, or None when nothing flags it; with
    ``record``, the record the branch already committed, which this commit makes stale."""
    flagging = [f for f in findings if f.flags]
    if not flagging:
        return None
    first = sorted(flagging, key=lambda f: ({"high": 0, "warning": 1}.get(f.severity, 2), f.sort_key()))[0]
    more = _and_more(sorted({f.path for f in flagging}))
    advice = f"{record} {_STALE}" if record else "run `deploycheck` on the branch before you push."
    return (
        f"deploycheck: this commit touches jobs, queues or shared state "
        f"({first.location} {first.rule} {first.name}{more}); {advice}"
    )


_STALE = "no longer matches the branch once this is committed: run `deploycheck` again before you push."


def _and_more(paths: list[str]) -> str:
    """" and 2 more files" after the first of ``paths``."""
    return f" and {len(paths) - 1} more file{'s' if len(paths) > 2 else ''}" if len(paths) > 1 else ""


def branch_record(root: str, default_sha: str | None) -> str | None:
    """The record the branch has committed since it left the default branch, which a flagged
    commit makes stale: the record binds to the flagged files' content (docs/records.md), and
    the author who assessed the branch an hour ago would otherwise learn it from the push hook."""
    from ..config import RECORDS_DIR  # not records.record: it costs every quiet commit its imports

    if not default_sha:
        return None
    added = gitcmd.output(["diff", "--name-only", "--no-renames", "--diff-filter=A", f"{default_sha}...HEAD", "--",
                           RECORDS_DIR + "/"], root, check=False)
    return added.splitlines()[-1] if added else None


def check_staged(cwd: str) -> str | None:
    from ..config import load_config_at
    from ..analysis.scan import MAX_TEXT_BYTES, scan_change

    root = gitcmd.toplevel(cwd)
    change = staged_change(root)
    if not change.files:
        return None
    # The config as the gate reads it: the default branch's, not the one this branch may have
    # edited (which could silence the warning for a change the gate then blocks). Without a
    # default branch (a new repository) the last commit's; before the first commit, defaults.
    from ..git.change import default_branch
    from ..config import Config

    default = default_branch(root, lambda rev: gitcmd.resolve(rev, root))
    at = default[2] if default is not None else change.base_sha
    config = load_config_at(root, at) if at else Config()
    with gitcmd.BlobReader(root) as blobs:
        result = scan_change(change, config, lambda oid: blobs.read(oid, MAX_TEXT_BYTES))
    record = branch_record(root, default[2] if default is not None else None)
    if any(f.flags for f in result.findings):
        return warning_line(result.findings, record)
    if record is None:
        return None
    # Not flagged on its own (a comment, a renamed local), yet the record binds to the bytes of
    # the files it covers: without this line the author learns it only when the push is refused.
    return stale_line(sorted(staged_paths(change) & covered_paths(root, record)), record)


def staged_paths(change: Change) -> set[str]:
    """Every path the staged change touches, both sides of a move, as records store paths."""
    from ..analysis.fingerprint import path_key

    return {path_key(p) for fc in change.files for p in (fc.old_path, fc.new_path) if p}


def covered_paths(root: str, record: str) -> set[str]:
    """The files the committed ``record`` binds to (its fingerprint's files), read from HEAD."""
    from ..records.record import parse_record

    data = gitcmd.show_file("HEAD", record, root)
    return set(parse_record(data, record).body.fingerprint.files) if data is not None else set()


def stale_line(paths: list[str], record: str) -> str | None:
    """One line naming the covered file this commit changes and the record it makes stale."""
    if not paths:
        return None
    return f"deploycheck: this commit changes {paths[0]}{_and_more(paths)}, which {record} covers, so the record {_STALE}"


def run(cwd: str | None = None) -> int:
    """Print the warning when there is one; always exit 0."""
    try:
        line = check_staged(cwd or os.getcwd())
    except Exception as exc:  # noqa: BLE001 - a warning must never stop a commit
        if os.environ.get("DEPLOYCHECK_DEBUG") == "1":
            raise
        from ..util.safe import inert

        print(f"deploycheck: warning skipped ({type(exc).__name__}: {inert(exc, keep_newlines=False)})", file=sys.stderr)
        return 0
    if line:
        from ..util.safe import inert

        print(inert(line, keep_newlines=False))
    return 0
