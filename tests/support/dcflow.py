"""A team's repository as the integration tests need it: a project whose main branch trusts a
real SSH key, a bare remote to push to, a branch with the inventory lost update, and runners
for real `git` and `deploycheck` processes (no mocks)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from support.gitrepo import IDENTITY, commit, git, make_repo
from support.incident import JOB_BRANCH, JOB_MAIN

# The incident of docs/design.md ("The incident"), defined once in support/incident.py; here with
# the names the end-to-end tests use (inventory.models, pid/qty).
def _named(text: str, amount: str) -> str:
    return text.replace("from .models", "from inventory.models").replace("product_id", "pid").replace("quantity", amount)


# A Celery task that reads, computes and writes back a counter (the branch's refactor).
LOST_UPDATE_JOB = _named(JOB_BRANCH.replace("    # minor refactor, no behavioral changes\n", ""), "n")

# The same incident as main holds it (one atomic F() update) and as the branch refactors it.
MAIN_JOB = _named(JOB_MAIN, "qty")
BRANCH_JOB = MAIN_JOB.replace(
    '    Product.objects.filter(pk=pid).update(stock=F("stock") - qty)\n',
    "    product = Product.objects.get(pk=pid)\n"
    "    product.stock = product.stock - qty\n"
    "    product.save()\n",
)

MODELS = """\
from django.db import models


class Product(models.Model):
    stock = models.IntegerField(default=0)
"""

CONCURRENCY_TEST = """\
from deploycheck.testing import run_concurrently
from inventory.jobs import reserve_stock


def test_two_workers_reserve_the_same_product():
    run_concurrently(reserve_stock, 1, 1, workers=2).raise_first()
"""

ANSWERS = """\
shared-state: {answer: "yes", details: "decrements inventory.Product.stock"}
sequential-assumption: {answer: "yes", details: "read-modify-write of stock; guarded by a row lock in the follow-up"}
concurrency-tested: {answer: "yes", details: "tests/test_inventory_concurrency.py"}
rollback-safe: "yes"
silent-failure: "Two workers processing orders for the same product at the same moment."
"""

FLAGGED_FILES = {
    "inventory/jobs.py": LOST_UPDATE_JOB,
    "tests/test_inventory_concurrency.py": CONCURRENCY_TEST,
}


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k.startswith("GIT_CONFIG")}
    env.update(IDENTITY)
    return env


def run_git(repo: Path, *args: str, input: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """git ARGS with its exit status and both streams (hooks write to stderr)."""
    return subprocess.run(
        ["git", *args], cwd=repo, env=env or git_env(), input=input,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def run_dc(cwd: Path, *args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The installed deploycheck as a user runs it, in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "deploycheck", *args], cwd=cwd, env=env or git_env(), input=stdin,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def framework_pre_push(repo: Path, home: Path, hook_id: str = "deploycheck", stages: str = "pre-push",
                       env: dict[str, str] | None = None) -> dict[str, str]:
    """Configure a local deploycheck hook for the pre-commit framework (id ``hook_id``, run at
    ``stages``) and install the framework's real pre-push hook; the environment it runs in."""
    config = ("repos:\n  - repo: local\n    hooks:\n      - id: " + hook_id + "\n        name: deploycheck\n"
              f"        entry: {sys.executable} -I -m deploycheck verify --hook\n        language: system\n"
              f"        pass_filenames: false\n        always_run: true\n        stages: [{stages}]\n")
    (repo / ".pre-commit-config.yaml").write_text(config)
    env = {**(env or git_env()), "PRE_COMMIT_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "pre_commit", "install", "--hook-type", "pre-push"], cwd=repo, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    return env


def make_key(directory: Path, name: str = "key") -> tuple[Path, str]:
    """A real ed25519 key without passphrase: (private key path, `type base64` public key)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "dev@example.com", "-f", str(path)],
        check=True, stdout=subprocess.DEVNULL,
    )
    public = " ".join((directory / f"{name}.pub").read_text().split()[:2])
    return path, public


@dataclass
class Project:
    repo: Path
    remote: Path
    key: Path
    public_key: str
    main_sha: str

    def flagged_branch(self, name: str = "feature") -> str:
        git(self.repo, "checkout", "-q", "-b", name)
        return commit(self.repo, FLAGGED_FILES, message="Refactor stock reservation (no behavioural change)")

    def write_answers(self) -> Path:
        path = self.repo.parent / "answers.yaml"
        path.write_text(ANSWERS)
        return path

    def assess(self) -> subprocess.CompletedProcess[str]:
        """`deploycheck check` non-interactively: writes and stages the signed record."""
        return run_dc(self.repo, "check", "--answers", str(self.write_answers()), "--yes", "--key", str(self.key))


def make_project(tmp: Path, extra_main_files: dict[str, str] | None = None) -> Project:
    """A project on `main` trusting a fresh key, pushed to a bare remote `origin`."""
    key, public = make_key(tmp / "keys")
    files = {
        "README.md": "inventory service\n",
        "inventory/__init__.py": "",
        "inventory/models.py": MODELS,
        ".deploycheck/allowed_signers": f"dev@example.com {public}\n",
        **(extra_main_files or {}),
    }
    repo = make_repo(tmp / "project", files)
    remote = tmp / "remote.git"
    git(tmp, "init", "-q", "--bare", "-b", "main", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    return Project(repo=repo, remote=remote, key=key, public_key=public, main_sha=git(repo, "rev-parse", "HEAD"))


def pushed_flagged_branch(tmp_path: Path, with_record: bool, base: str = "main") -> tuple[Project, str]:
    """A project whose flagged branch `feature` (off ``base``, with a committed record when asked)
    is pushed to origin, as a CI job then checks it out: (project, head commit)."""
    project = make_project(tmp_path)
    if base != "main":
        git(project.repo, "checkout", "-q", "-b", base)
    project.flagged_branch()
    if with_record:
        assessed = project.assess()
        assert assessed.returncode == 0, assessed.stderr
        git(project.repo, "commit", "-q", "-m", "Concurrency record")
    git(project.repo, "push", "-q", "origin", "feature")
    return project, git(project.repo, "rev-parse", "HEAD")


def remote_has(project: Project, branch: str) -> str | None:
    """The sha of ``branch`` on the remote, or None when the remote has no such branch."""
    proc = run_git(project.remote, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
    return proc.stdout.strip() or None


# --- an attacker's branch, with no CI variables (tests of what the gate trusts, issue 15) -----

RISKY = {"inventory/jobs.py": LOST_UPDATE_JOB}
CI_VARIABLES = ("DEPLOYCHECK_BASE", "GITHUB_BASE_REF", "GITHUB_EVENT_PATH", "CI_MERGE_REQUEST_DIFF_BASE_SHA",
                "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF",
                "PRE_COMMIT_LOCAL_BRANCH", "PRE_COMMIT_REMOTE_NAME")


def dc_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in git_env().items() if k not in CI_VARIABLES}
    env.update(extra)
    return env


def verify(cwd: Path, *args: str, **env: str):
    return run_dc(cwd, "verify", *args, env=dc_env(**env))


def attack_project(tmp_path: Path) -> "Project":
    """A project on main pushed to `origin`, and a branch `attack` with a risky change, no record."""
    from support.gitrepo import commit, git

    project = make_project(tmp_path)
    git(project.repo, "checkout", "-q", "-b", "attack")
    commit(project.repo, RISKY, "minor refactor, no behavioural change")
    return project
