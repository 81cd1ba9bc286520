"""`deploycheck verify` as text: a problem that wraps keeps its later lines under its text, not at
column 0, at any width. The incident repository (conftest) with no record: one missing-record."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support.gitrepo import git


def verify_text(repo: Path, columns: int) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS=str(columns), NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "deploycheck", "verify", "--base", "main"], cwd=repo, env=env,
        stdin=subprocess.DEVNULL, capture_output=True, text=True,
    )


def test_a_wrapped_problem_is_indented_under_its_text(repo: Path) -> None:
    proc = verify_text(repo, 60)
    assert proc.returncode == 1, proc.stderr
    merge_base = git(repo, "merge-base", "main", "HEAD")[:8]
    head = git(repo, "rev-parse", "HEAD")[:8]
    lines = proc.stdout.splitlines()
    # First what the commit message claims against what changed (issue 19), then the verdict.
    assert lines[0].startswith("Claim vs change: commit ")
    lines = lines[next(i for i, line in enumerate(lines) if line.startswith("Base: ")):]
    # Rich's own wrapping of the headline leaves a trailing space; the problem lines have none.
    assert [line.rstrip() for line in lines[:5]] + lines[5:] == [
        f"Base: main (from --base) · merge-base {merge_base} · head",
        head,
        "Flagged files: inventory/jobs.py",
        "FAIL: the change is flagged and has no valid, current,",
        "signed record (1 problem).",
        "  [missing-record] this change is flagged (1 file:",
        "                   inventory/jobs.py) and adds no",
        "                   deploycheck record.",
        "      fix: Run `deploycheck` on this branch, answer the",
        "           checklist, and commit the record it writes.",
    ]


def test_a_problem_that_fits_is_one_line(repo: Path) -> None:
    lines = verify_text(repo, 200).stdout.splitlines()
    assert lines[-2:] == [
        "  [missing-record] this change is flagged (1 file: inventory/jobs.py) and adds no deploycheck record.",
        "      fix: Run `deploycheck` on this branch, answer the checklist, and commit the record it writes.",
    ]
