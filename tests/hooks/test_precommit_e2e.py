"""The hooks under the real pre-commit framework, end to end.

pre-commit needs a git repository and a rev for the hook repository, so the current working
tree of this checkout (uncommitted work included) is copied into a throwaway repository and
committed; pre-commit then pip-installs it into its own virtualenv (from PyPI's dependencies),
which takes a while: that happens once per test run, shared by the xdist workers through a
file lock, with PRE_COMMIT_HOME in the run's temporary folder.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from support.dcflow import FLAGGED_FILES, LOST_UPDATE_JOB, git_env, make_project, remote_has, run_dc, run_git
from deploycheck.commands import init
from support.gitrepo import commit, git

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
WARN_LINE = (
    "deploycheck: this commit touches jobs, queues or shared state "
    "(inventory/jobs.py:9 DC301 lost-update); run `deploycheck` on the branch before you push."
)


@dataclass(frozen=True)
class HookRepo:
    path: Path
    rev: str
    pre_commit_home: Path


def _shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _copy_working_tree(dest: Path) -> str:
    """This checkout's tracked and untracked (not ignored) files, committed in a new repository."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, env=git_env(), stdout=subprocess.PIPE, check=True,
    ).stdout.decode().split("\0")
    for rel in filter(None, listed):
        source = ROOT / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "deploycheck working tree")
    return git(dest, "rev-parse", "HEAD")


def pre_commit_env(hook_repo: HookRepo) -> dict[str, str]:
    return {**git_env(), "PRE_COMMIT_HOME": str(hook_repo.pre_commit_home), "PRE_COMMIT_COLOR": "never"}


def project_config(hook_repo: HookRepo) -> str:
    return (
        "default_install_hook_types: [pre-commit, pre-push]\n"
        "repos:\n"
        f"  - repo: {hook_repo.path}\n"
        f"    rev: {hook_repo.rev}\n"
        "    hooks:\n"
        "      - id: deploycheck\n"
        "      - id: deploycheck-warn\n"
    )


def pre_commit(cwd: Path, hook_repo: HookRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=pre_commit_env(hook_repo),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> HookRepo:
    shared = _shared_root(tmp_path_factory) / "precommit-e2e"
    shared.mkdir(exist_ok=True)
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ready = shared / "ready"
        if ready.exists():
            path, rev = ready.read_text().split("\n")[:2]
            return HookRepo(Path(path), rev, shared / "home")
        path, scratch = shared / "deploycheck-hooks", shared / "scratch"
        for leftover in (path, scratch):  # from a worker whose build failed: start again
            shutil.rmtree(leftover, ignore_errors=True)
        path.mkdir()
        rev = _copy_working_tree(path)
        repo = HookRepo(path, rev, shared / "home")
        # Build the hook environment once, in a scratch project.
        scratch.mkdir()
        git(scratch, "init", "-q", "-b", "main")
        (scratch / ".pre-commit-config.yaml").write_text(project_config(repo))
        git(scratch, "add", "-A")
        git(scratch, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "config")
        built = pre_commit(scratch, repo, "install-hooks")
        assert built.returncode == 0, built.stdout + built.stderr
        ready.write_text(f"{path}\n{rev}\n")
        return repo


def test_manifest_and_generated_config_are_valid_for_pre_commit(tmp_path: Path) -> None:
    manifest = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    assert (manifest.returncode, manifest.stdout) == (0, "")
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert {k: hooks["deploycheck"][k] for k in ("entry", "language", "stages", "pass_filenames", "always_run")} == {
        "entry": "deploycheck verify --hook", "language": "python", "stages": ["pre-push"],
        "pass_filenames": False, "always_run": True,
    }
    assert {k: hooks["deploycheck-warn"][k] for k in ("entry", "stages", "pass_filenames", "always_run", "verbose")} == {
        "entry": "deploycheck hook warn", "stages": ["pre-commit"], "pass_filenames": False,
        "always_run": True, "verbose": True,
    }
    assert {h["minimum_pre_commit_version"] for h in hooks.values()} == {"3.2.0"}

    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(init.new_pre_commit_config())
    validated = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(config)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    assert (validated.returncode, validated.stdout) == (0, "")


def test_push_is_blocked_until_a_signed_record_is_committed(tmp_path: Path, hook_repo: HookRepo) -> None:
    project = make_project(tmp_path, {".pre-commit-config.yaml": project_config(hook_repo)})
    # What `deploycheck init` tells the user to run.
    installed = pre_commit(project.repo, hook_repo, "install", "--hook-type", "pre-commit", "--hook-type", "pre-push")
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.splitlines() == [
        "pre-commit installed at .git/hooks/pre-commit",
        "pre-commit installed at .git/hooks/pre-push",
    ]
    env = pre_commit_env(hook_repo)

    # The commit goes through, with the one-line warning.
    git(project.repo, "checkout", "-q", "-b", "feature")
    (project.repo / "inventory" / "jobs.py").write_text(LOST_UPDATE_JOB)
    (project.repo / "tests").mkdir()
    (project.repo / "tests" / "test_inventory_concurrency.py").write_text("def test_two_workers():\n    pass\n")
    git(project.repo, "add", "-A")
    committed = run_git(project.repo, "commit", "-m", "Refactor stock reservation", env=env)
    assert committed.returncode == 0, committed.stdout + committed.stderr
    assert WARN_LINE in committed.stderr.splitlines(), committed.stdout + committed.stderr
    assert git(project.repo, "status", "--porcelain") == ""

    # The push is refused, and the author is told what to run.
    blocked = run_git(project.repo, "push", "origin", "feature", env=env)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "deploycheck (block a flagged push without a valid record)" in blocked.stdout
    assert (
        "deploycheck: blocked: inventory/jobs.py changed jobs, queues or shared state without a valid record "
        "(missing-record)." in blocked.stdout.splitlines()
    )
    assert "deploycheck: run `deploycheck` to answer the checklist, commit the record, and push again." in blocked.stdout.splitlines()
    assert remote_has(project, "feature") is None
    assert git(project.repo, "status", "--porcelain") == ""  # the hook wrote and staged nothing

    # The author answers the checklist; the signed record is committed; the push goes through.
    assessed = project.assess()
    assert assessed.returncode == 0, assessed.stdout + assessed.stderr
    staged = git(project.repo, "diff", "--cached", "--name-only")
    assert staged.startswith(".deploycheck/records/") and staged.endswith(".yaml")
    record_commit = run_git(project.repo, "commit", "-m", "Concurrency record", env=env)
    assert record_commit.returncode == 0, record_commit.stdout + record_commit.stderr
    assert WARN_LINE not in record_commit.stderr
    allowed = run_git(project.repo, "push", "origin", "feature", env=env)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert remote_has(project, "feature") == git(project.repo, "rev-parse", "HEAD")
    assert git(project.repo, "status", "--porcelain") == ""

    # A later edit to the flagged file, pushed on top (pre-commit's FROM_REF is now the remote
    # tip): the whole branch is checked, as CI will, and the record is stale.
    pushed = git(project.repo, "rev-parse", "HEAD")
    (project.repo / "inventory" / "jobs.py").write_text(LOST_UPDATE_JOB.replace("- n\n", "- abs(n)\n"))
    edited = run_git(project.repo, "commit", "-am", "Guard against negative quantities", env=env)
    assert edited.returncode == 0, edited.stdout + edited.stderr
    stale = run_git(project.repo, "push", "origin", "feature", env=env)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert any(line.startswith("deploycheck: blocked: ") and "(stale-record)" in line for line in stale.stdout.splitlines()), stale.stdout
    assert remote_has(project, "feature") == pushed
    assert git(project.repo, "status", "--porcelain") == ""


def test_a_blocked_push_names_only_the_flagged_files_no_record_covers(tmp_path: Path, hook_repo: HookRepo) -> None:
    """A file flagged after the record was signed and pushed: the push hook names that file, not the
    one the record still covers (a new user's trial was told both lacked a valid record)."""
    project = make_project(tmp_path, {".pre-commit-config.yaml": project_config(hook_repo)})
    assert pre_commit(project.repo, hook_repo, "install", "--hook-type", "pre-push").returncode == 0
    env = pre_commit_env(hook_repo)
    project.flagged_branch()
    assert project.assess().returncode == 0
    record = git(project.repo, "diff", "--cached", "--name-only")
    git(project.repo, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "Concurrency record")
    assert run_git(project.repo, "push", "origin", "feature", env=env).returncode == 0
    commit(project.repo, {"inventory/restock.py": LOST_UPDATE_JOB.replace("reserve_stock", "restock")}, "Restocking")
    blocked = run_git(project.repo, "push", "origin", "feature", env=env)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    lines = blocked.stdout.splitlines()
    assert (f"deploycheck: blocked: inventory/restock.py changed jobs, queues or shared state without a valid record "
            f"(stale-record); {record} covers the 1 other flagged file.") in lines, blocked.stdout
    assert not any("inventory/jobs.py" in line for line in lines), blocked.stdout


def test_unflagged_work_commits_and_pushes_quietly(tmp_path: Path, hook_repo: HookRepo) -> None:
    project = make_project(tmp_path, {".pre-commit-config.yaml": project_config(hook_repo)})
    assert pre_commit(project.repo, hook_repo, "install").returncode == 0
    env = pre_commit_env(hook_repo)
    git(project.repo, "checkout", "-q", "-b", "docs")
    (project.repo / "README.md").write_text("inventory service\n\nHow to run it.\n")
    git(project.repo, "add", "README.md")
    committed = run_git(project.repo, "commit", "-m", "docs", env=env)
    assert committed.returncode == 0, committed.stdout + committed.stderr
    assert "deploycheck: this commit touches" not in committed.stderr
    pushed = run_git(project.repo, "push", "origin", "docs", env=env)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert remote_has(project, "docs") == git(project.repo, "rev-parse", "HEAD")


def test_a_rebased_branch_with_its_record_force_pushes_through(tmp_path: Path, hook_repo: HookRepo) -> None:
    # The author's key reaches main's allowed_signers only after the branch was first pushed;
    # the author rebases and force-pushes. pre-commit's FROM_REF is then the branch's old tip,
    # off the rebased line: the hook must check what CI checks (merge-base with main, signers
    # from main), not the range from the old tip, whose allowed_signers lacks the key.
    no_one = "# keys are added by the team lead\n"
    project = make_project(tmp_path, {".pre-commit-config.yaml": project_config(hook_repo), ".deploycheck/allowed_signers": no_one})
    assert pre_commit(project.repo, hook_repo, "install", "--hook-type", "pre-push").returncode == 0
    env = pre_commit_env(hook_repo)
    git(project.repo, "checkout", "-q", "-b", "feature")
    commit(project.repo, {"README.md": "inventory service\n\nReservations move to a task.\n"}, "docs")
    assert run_git(project.repo, "push", "origin", "feature", env=env).returncode == 0
    commit(project.repo, FLAGGED_FILES, "Refactor stock reservation")
    project.assess()
    git(project.repo, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "Concurrency record")
    untrusted = run_git(project.repo, "push", "origin", "feature", env=env)
    assert untrusted.returncode == 1 and "(untrusted-signer)" in untrusted.stdout, untrusted.stdout + untrusted.stderr
    # the fix is trust on the base, not the checklist again (a new user's trial, session 25)
    said = " ".join(untrusted.stdout.split())
    assert "no new record is needed" in said and "to answer the checklist" not in said, said

    git(project.repo, "checkout", "-q", "main")
    commit(project.repo, {".deploycheck/allowed_signers": f"{no_one}dev@example.com {project.public_key}\n"}, "Trust dev")
    assert run_git(project.repo, "push", "origin", "main", env=env).returncode == 0
    git(project.repo, "checkout", "-q", "feature")
    git(project.repo, "rebase", "-q", "main")

    rebased = run_git(project.repo, "push", "--force", "origin", "feature", env=env)
    assert rebased.returncode == 0, rebased.stdout + rebased.stderr
    assert remote_has(project, "feature") == git(project.repo, "rev-parse", "HEAD")


def test_hook_blocks_a_config_push_on_top_of_an_unrecorded_risky_push(tmp_path: Path, hook_repo: HookRepo) -> None:
    # Issue 15: push 1 carries the risky change (the hook skipped), push 2 only an invalid
    # .deploycheck/config.yaml. pre-commit's FROM_REF is then the remote tip, inside the branch;
    # the hook must still check the whole branch against main, as `verify --base main` does.
    project = make_project(tmp_path, {".pre-commit-config.yaml": project_config(hook_repo)})
    assert pre_commit(project.repo, hook_repo, "install", "--hook-type", "pre-push").returncode == 0
    env = pre_commit_env(hook_repo)
    git(project.repo, "checkout", "-q", "-b", "attack")
    commit(project.repo, {"inventory/jobs.py": LOST_UPDATE_JOB}, "minor refactor")
    assert run_git(project.repo, "push", "--no-verify", "origin", "attack", env=env).returncode == 0
    commit(project.repo, {".deploycheck/config.yaml": "base_branch: attack\nrules: [oops\n"}, "tidy config")
    assert run_dc(project.repo, "verify", "--base", "main").returncode == 1
    pushed = run_git(project.repo, "push", "origin", "attack", env=env)
    assert pushed.returncode == 1, pushed.stdout + pushed.stderr
    assert "deploycheck: blocked: inventory/jobs.py changed jobs, queues or shared state without a valid record (missing-record)." in pushed.stdout.splitlines()
    assert remote_has(project, "attack") != git(project.repo, "rev-parse", "HEAD")
