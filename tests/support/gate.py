"""The CLI run as a user runs it, and a record of the incident signed through it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support.gitrepo import commit, git
from support.incident import ANSWERS, write_answers


def dc(repo: Path, *args: str, env: dict | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    import os

    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "deploycheck", *args], cwd=repo, capture_output=True, text=True,
        env=full_env, input=input, stdin=None if input is not None else subprocess.DEVNULL,
    )


def sign_record(repo: Path, key: Path, tmp_path: Path, answers: str = ANSWERS) -> str:
    proc = dc(repo, "check", "--base", "main", "--answers", str(write_answers(tmp_path, answers)), "--yes", "--key", str(key))
    assert proc.returncode == 0, proc.stderr + proc.stdout
    record = git(repo, "diff", "--cached", "--name-only")
    assert record.startswith(".deploycheck/records/") and record.endswith(".yaml")
    commit(repo, message="deploycheck record")
    return record
