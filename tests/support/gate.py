"""The CLI run as a user runs it, a record of the incident signed through it, and a reviewer's
co-signature written with `deploycheck review`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support.gitrepo import commit, git
from support.incident import ANSWERS, incident_repo, signer_line, write_answers


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


# --- independent reviews (issue 19 part 2) ---

REVIEW_ANSWERS = """\
read-with-workers: "yes"
agree-shared-state: "yes"
agree-sequential-assumption: {answer: "no", details: "the follow-up is not in this PR"}
agree-concurrency-tested: "yes"
agree-rollback-safe: "yes"
agree-silent-failure: "yes"
silent-failure: "A second worker pod started by the autoscaler during a sale."
"""
CLEAN_ENV = {"GITHUB_EVENT_PATH": "", "GITHUB_EVENT_NAME": "", "CI_MERGE_REQUEST_IID": ""}


def team_repo(tmp_path: Path, key: Path, reviewer: Path, config: str = "review: {required_for: high}\n",
              reviewer_options: str = "") -> Path:
    signers = signer_line(key) + signer_line(reviewer, "rev@example.com", reviewer_options)
    return incident_repo(tmp_path, signers=signers, extra_main={".deploycheck/config.yaml": config})


def run_review(repo: Path, key: Path, tmp_path: Path, answers: str = REVIEW_ANSWERS, email: str = "rev@example.com"):
    path = tmp_path / "review-answers.yaml"
    path.write_text(answers)
    git(repo, "config", "user.email", email)
    proc = dc(repo, "review", "--base", "main", "--answers", str(path), "--yes", "--key", str(key), env=CLEAN_ENV)
    git(repo, "config", "user.email", "dev@example.com")
    return proc


# A pull request's text for the gate (tests/gate/test_prfield.py and the red teams' gate cases).
PR_REQUIRED = {".deploycheck/config.yaml": "pr_field: required\n"}
PR_GOOD_BODY = """Speeds up reservations.

## Concurrency considerations

`reserve_stock` now reads, computes and saves the stock; two workers can lose an update until
the select_for_update follow-up lands.
"""
PR_CLEAN_ENV = {"GITHUB_EVENT_PATH": "", "GITHUB_EVENT_NAME": "", "CI_MERGE_REQUEST_IID": ""}


def github_env(tmp_path: Path, title: str, body: str | None, name: str = "pull_request") -> dict:
    """A GitHub pull request event with ``title`` and ``body``, as the Actions runner gives it."""
    import json

    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"title": title, "body": body, "base": {"sha": "0" * 40}}}))
    return {"GITHUB_EVENT_PATH": str(event), "GITHUB_EVENT_NAME": name}


def verify_pr(repo: Path, env: dict, *args: str) -> tuple[int, dict]:
    """`verify --format json` against main with the pull request of ``env``."""
    import json

    proc = dc(repo, "verify", "--base", "main", "--format", "json", *args, env={**PR_CLEAN_ENV, **env})
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)
